import DQMon
import Foundation

extension ProjectFixture {
    /// Writes `alerts/<name>`.
    public func alerts(_ yaml: String, name: String = "alerts.yml") {
        directory.write("alerts/\(name)", yaml)
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
