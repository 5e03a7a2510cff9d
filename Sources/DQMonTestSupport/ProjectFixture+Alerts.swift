import DQMon
import Foundation

extension ProjectFixture {
    /// Writes `alerts/<name>`.
    public func alerts(_ yaml: String, name: String = "alerts.yml") {
        directory.write("alerts/\(name)", yaml)
    }

    /// Writes `alerts/alerts.yml` sending every alert to one webhook receiver, `hook`, at `${HOOK_URL}` and signed
    /// with `${HOOK_SECRET}` (the test passes both in the environment), with the pass's delivery `budget` and each
    /// attempt's `timeout`. `routeKeys` are further keys of the one route (`repeat_interval: 1h`); `extra`, when
    /// given, is appended on its own line as it is.
    public func webhookAlerts(budget: String, timeout: String, routeKeys: [String] = [], extra: String? = nil) {
        let lines = [
            "version: 1",
            "receivers:",
            #"  hook: { type: webhook, url: "${HOOK_URL}", secret: "${HOOK_SECRET}" }"#,
            "routes:",
            "  - receivers: [hook]",
        ] + routeKeys.map { "    \($0)" } + ["delivery: { budget: \(budget), timeout: \(timeout) }"] + (extra.map { [$0] } ?? [])
        alerts(lines.joined(separator: "\n"))
    }

    /// Loads the configuration with `environment` for `${VAR}` (webhook URLs and keys in tests).
    public func load(environment: [String: String]) throws -> Configuration {
        try ConfigLoader.load(configPath: configURL, environment: environment)
    }

    /// Every row of every table of the history, as text: for "no secret is stored" assertions.
    public func historyDump() throws -> String {
        guard FileManager.default.fileExists(atPath: historyURL.path) else { return "" }
        let data = try Data(contentsOf: historyURL)
        let wal = (try? Data(contentsOf: URL(fileURLWithPath: historyURL.path + "-wal"))) ?? Data()
        return String(decoding: data + wal, as: UTF8.self)
    }
}
