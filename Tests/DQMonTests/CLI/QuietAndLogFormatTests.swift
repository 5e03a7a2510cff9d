import DQMon
import DQMonTestSupport
import Foundation
import Testing

/// `dqmon check --quiet` (for cron: output only when something needs a human) and `--log-format json` (one JSON
/// object per event on stderr, for log aggregators), through the real binary.
@Suite struct QuietAndLogFormatTests {
    static let now = "2026-11-25T12:00:00Z"
    static let token = "T0K3N-in-the-path"
    static let secret = "s3cr3t-signing-value"

    /// `orders` is fresh; `stale` is `staleAgo` seconds old (warn after 2h, fail after 6h). A webhook gets alerts.
    func project(staleAgo: TimeInterval, receiver: TestHTTPReceiver) throws -> (ProjectFixture, [String: String]) {
        let fixture = ProjectFixture()
        fixture.checks("tables.yml", """
            version: 1
            datasets:
              - name: orders
                tier: 1
                checks:
                  - freshness: { column: updated_at, warn_after: 2h, error_after: 6h }
              - name: stale
                tier: 1
                checks:
                  - freshness: { column: updated_at, warn_after: 2h, error_after: 6h }
            """)
        let warehouse = try fixture.warehouse()
        try warehouse.table("orders", timestamps: [ProjectFixture.now])
        try warehouse.table("stale", timestamps: [ProjectFixture.now.addingTimeInterval(-staleAgo)])
        fixture.webhookAlerts(budget: "5s", timeout: "5s")
        return (fixture, ["HOOK_URL": receiver.url("/hook/\(Self.token)"), "HOOK_SECRET": Self.secret])
    }

    /// Every stderr line as a JSON object; records an issue for a line that is not one.
    func events(_ stderr: String) -> [[String: Any]] {
        stderr.split(separator: "\n").compactMap { line in
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object != nil, "stderr line is not a JSON object: \(line)")
            return object
        }
    }

    @Test func quietPrintsNothingWhenAllPassAndTheReportWhenSomethingIsWrong() throws {
        let receiver = try TestHTTPReceiver()
        defer { receiver.stop() }
        let (fixture, environment) = try project(staleAgo: 60, receiver: receiver)
        let quiet = try dqmon(["check", "--now", Self.now, "--quiet"], in: fixture, environment: environment)
        #expect(quiet.status == 0)
        #expect(quiet.stdout.isEmpty, "\(quiet.stdout)")
        #expect(quiet.stderr.isEmpty, "\(quiet.stderr)")

        // The same project, stale now: a failed check and an opened incident are printed, as without --quiet.
        let warehouse = try fixture.warehouse()
        try warehouse.table("orders", timestamps: [ProjectFixture.now])
        try warehouse.table("stale", timestamps: [ProjectFixture.now.addingTimeInterval(-7 * 3_600)])
        let loud = try dqmon(["check", "--now", "2026-11-25T12:05:00Z", "--quiet"], in: fixture, environment: environment)
        #expect(loud.status == 1)
        #expect(loud.stdout.contains("stale"))
        #expect(loud.stdout.contains("fail"))
        #expect(loud.stdout.contains("incident #1 opened"))
    }

    @Test func quietStaysQuietOnAPassingRunAfterAResolvedIncidentIsReported() throws {
        let receiver = try TestHTTPReceiver()
        defer { receiver.stop() }
        let (fixture, environment) = try project(staleAgo: 3 * 3_600, receiver: receiver)
        // A warning is not pass: printed even though nothing fails.
        let warned = try dqmon(["check", "--now", Self.now, "--quiet"], in: fixture, environment: environment)
        #expect(warned.status == 0)
        #expect(warned.stdout.contains("warn"))
        // Fresh again: the incident resolves (printed once), then the next passing run prints nothing.
        let warehouse = try fixture.warehouse()
        try warehouse.table("orders", timestamps: [ProjectFixture.now.addingTimeInterval(3_600)])
        try warehouse.table("stale", timestamps: [ProjectFixture.now.addingTimeInterval(3_600)])
        let resolved = try dqmon(["check", "--now", "2026-11-25T13:00:00Z", "--quiet"], in: fixture, environment: environment)
        #expect(resolved.status == 0)
        #expect(resolved.stdout.contains("resolved"), "\(resolved.stdout)")
        let silent = try dqmon(["check", "--now", "2026-11-25T13:01:00Z", "--quiet"], in: fixture, environment: environment)
        #expect(silent.status == 0)
        #expect(silent.stdout.isEmpty, "\(silent.stdout)")
    }

    @Test func jsonLogsHaveOneObjectPerEventAndNoSecrets() throws {
        let receiver = try TestHTTPReceiver()
        defer { receiver.stop() }
        receiver.enqueue(.status(400, body: "echo \(Self.secret)"))
        let (fixture, environment) = try project(staleAgo: 7 * 3_600, receiver: receiver)
        let output = try dqmon(["check", "--now", Self.now, "--log-format", "json"], in: fixture, environment: environment)
        #expect(output.status != 3, "\(output.stderr)")
        let logged = events(output.stderr)
        let names = logged.compactMap { $0["event"] as? String }
        #expect(names.first == "run.start")
        #expect(names.last == "run.end")
        for name in ["warehouse.connect", "dataset.query", "alert.attempt"] { #expect(names.contains(name), "no \(name) in \(names)") }
        #expect(names.filter { $0 == "dataset.query" }.count == 2)
        for event in logged {
            #expect(event["time"] is String && event["level"] is String && event["message"] is String)
        }
        let attempt = try #require(logged.first { $0["event"] as? String == "alert.attempt" })
        #expect(attempt["receiver"] as? String == "hook")
        #expect(attempt["http_status"] as? Int == 400)
        let end = try #require(logged.last)
        #expect(end["exit_code"] as? Int == Int(output.status))
        #expect(end["fail"] as? Int == 1)
        #expect(logged.first { $0["event"] as? String == "dataset.query" }?["query_ms"] is Double)
        #expect(!output.stderr.contains(Self.secret))
        #expect(!output.stderr.contains(Self.token))
        // stdout is the report, as without --log-format.
        #expect(output.stdout.contains("stale"))
    }

    @Test func jsonLogsCoverLockWaitsAndErrorLines() throws {
        let receiver = try TestHTTPReceiver()
        defer { receiver.stop() }
        let (fixture, environment) = try project(staleAgo: 60, receiver: receiver)
        let lock = try RunLock.acquire(for: fixture.historyURL, timeout: 5)
        let output = try withExtendedLifetime(lock) {
            try dqmon(["check", "--now", Self.now, "--log-format", "json", "--lock-timeout", "1s"], in: fixture, environment: environment)
        }
        #expect(output.status == 3)
        let logged = events(output.stderr)
        let names = logged.compactMap { $0["event"] as? String }
        #expect(names == ["run.start", "lock.wait", "lock.timeout", "error"], "\(names)")
        #expect(logged.first { $0["event"] as? String == "lock.wait" }?["lock"] as? String == ".dqmon/history.sqlite.lock")
        #expect((logged.last?["message"] as? String)?.contains("another dqmon process holds the history lock") == true)
        #expect(logged.last?["level"] as? String == "error")
    }

    @Test func defaultStderrStaysHumanReadable() throws {
        let receiver = try TestHTTPReceiver()
        defer { receiver.stop() }
        let (fixture, environment) = try project(staleAgo: 60, receiver: receiver)
        let lock = try RunLock.acquire(for: fixture.historyURL, timeout: 5)
        let output = try withExtendedLifetime(lock) {
            try dqmon(["check", "--now", Self.now, "--lock-timeout", "1s"], in: fixture, environment: environment)
        }
        #expect(output.status == 3)
        #expect(output.stderr.hasPrefix("dqmon: error: another dqmon process holds the history lock"))
        #expect(!output.stderr.contains("{"))
        let bad = try dqmon(["check", "--log-format", "xml"], in: fixture)
        #expect(bad.status == 3)
        #expect(bad.stderr.contains("--log-format"))
    }
}
