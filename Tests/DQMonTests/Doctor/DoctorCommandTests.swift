import DQMon
import DQMonTestSupport
import Foundation
import Testing

/// `dqmon doctor` through the real binary: one line per thing a run needs, exit 3 only when a run would break,
/// and nothing written, locked for long, or sent.
@Suite struct DoctorCommandTests {
    static let now = "2026-11-25T12:00:00Z"
    static let token = "T0K3N-in-the-path"
    static let secret = "s3cr3t-signing-value"

    /// One dataset `orders` on the SQLite warehouse, fresh, and a webhook receiver at `receiver` (path holds a token).
    func project(receiver: TestHTTPReceiver, newest: Date = ProjectFixture.now) throws -> (ProjectFixture, [String: String]) {
        let fixture = ProjectFixture()
        fixture.checks("orders.yml", """
            version: 1
            datasets:
              - name: orders
                tier: 1
                checks:
                  - freshness: { column: updated_at, warn_after: 2h, error_after: 6h }
            """)
        try fixture.warehouse().table("orders", timestamps: WarehouseFixture.spread(10, over: 3_600, endingAt: newest))
        fixture.webhookAlerts(budget: "5s", timeout: "5s")
        return (fixture, ["HOOK_URL": receiver.url("/hook/\(Self.token)"), "HOOK_SECRET": Self.secret])
    }

    func lines(_ output: CommandLineRunner.Output) -> [String] { output.stdout.split(separator: "\n").map(String.init) }

    @Test func healthyProjectIsReadyAndNothingIsSentOrWritten() throws {
        let receiver = try TestHTTPReceiver()
        defer { receiver.stop() }
        let (fixture, environment) = try project(receiver: receiver)
        #expect(try dqmon(["check", "--now", Self.now], in: fixture, environment: environment).status == 0)
        let before = try Data(contentsOf: fixture.historyURL)
        receiver.reset()

        let output = try dqmon(["doctor"], in: fixture, environment: environment)
        #expect(output.status == 0, "\(output.stdout)\(output.stderr)")
        #expect(output.stderr.isEmpty)
        let shown = lines(output)
        for prefix in ["✔ config: valid: 1 warehouse(s), 1 dataset(s), 1 check(s), 1 receiver(s)",
                       "✔ warehouse main: reachable (sqlite, ", "✔ dataset orders: table orders present (2 columns)",
                       "✔ clock main: warehouse now() is ", "✔ history file: .dqmon/history.sqlite is writable",
                       "✔ history integrity: quick_check ok", "✔ history migrations: current",
                       "✔ history runs: 1 runs, oldest 2026-11-25T12:00:00Z", "✔ alerts: no pending or failed notifications",
                       "✔ lock: free", "✔ receiver hook: host reachable (HEAD http://127.0.0.1:", "dqmon doctor: ready to run"] {
            #expect(shown.contains { $0.hasPrefix(prefix) }, "no line starting '\(prefix)' in:\n\(output.stdout)")
        }
        #expect(shown.first { $0.hasPrefix("✔ warehouse main") }?.contains("SQLite 3.") == true)
        // One HEAD to the host's root: never the webhook's path (it holds the token), never a POST.
        #expect(receiver.requests.map { "\($0.method) \($0.path)" } == ["HEAD /"])
        #expect(!(output.stdout + output.stderr).contains(Self.token))
        #expect(!(output.stdout + output.stderr).contains(Self.secret))
        #expect(try Data(contentsOf: fixture.historyURL) == before, "doctor changed the history")
    }

    @Test func jsonHasVersionOneAndOneFindingPerLine() throws {
        let receiver = try TestHTTPReceiver()
        defer { receiver.stop() }
        let (fixture, environment) = try project(receiver: receiver)
        let table = try dqmon(["doctor"], in: fixture, environment: environment)
        let output = try dqmon(["doctor", "--format", "json"], in: fixture, environment: environment)
        #expect(output.status == 0)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])
        #expect(document["version"] as? String == "1")
        #expect(document["exit_code"] as? Int == 0)
        let findings = try #require(document["findings"] as? [[String: Any]])
        #expect(findings.count == lines(table).count - 1)
        #expect(findings.first { $0["area"] as? String == "warehouse" }?["server_version"] as? String != nil)
        #expect(findings.first { $0["area"] as? String == "history" && $0["subject"] as? String == "file" }?["status"] as? String == "ok")
        #expect(!output.stdout.contains(Self.token))
    }

    @Test func firstRunHasNoHistoryYetAndDoctorDoesNotCreateOne() throws {
        let receiver = try TestHTTPReceiver()
        defer { receiver.stop() }
        let (fixture, environment) = try project(receiver: receiver)
        let output = try dqmon(["doctor"], in: fixture, environment: environment)
        #expect(output.status == 0, "\(output.stdout)")
        #expect(output.stdout.contains("✔ history file: .dqmon/history.sqlite does not exist yet; the first 'dqmon check' creates it"))
        #expect(!FileManager.default.fileExists(atPath: fixture.historyURL.path))
        #expect(!FileManager.default.fileExists(atPath: fixture.historyURL.deletingLastPathComponent().path))
    }

    @Test func missingTableAndDamagedHistoryExitThreeWithTheFix() throws {
        let receiver = try TestHTTPReceiver()
        defer { receiver.stop() }
        let (fixture, environment) = try project(receiver: receiver)
        fixture.checks("ghost.yml", """
            version: 1
            datasets:
              - name: ghost
                checks: [ volume: {} ]
            """)
        try FileManager.default.createDirectory(at: fixture.historyURL.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(repeating: 0x41, count: 4_096).write(to: fixture.historyURL)

        let output = try dqmon(["doctor"], in: fixture, environment: environment)
        #expect(output.status == 3)
        #expect(output.stdout.contains("✗ dataset ghost: table ghost not found in warehouse 'main'; fix: create it, grant the dqmon user SELECT on it, or correct 'name:' at checks/ghost.yml:"))
        #expect(output.stdout.contains("✗ history integrity: is corrupt (not an SQLite file: its header is damaged)"))
        #expect(output.stdout.contains("; fix: restore a copy made with 'dqmon history backup PATH'"))
        #expect(output.stdout.contains("✔ dataset orders: table orders present"))
        #expect(output.stderr == "dqmon: error: dqmon doctor found 2 problem(s) a run would fail on\n")
        #expect(try Data(contentsOf: fixture.historyURL) == Data(repeating: 0x41, count: 4_096))
    }

    @Test func invalidConfigExitsThree() throws {
        let fixture = ProjectFixture()
        fixture.checks("bad.yml", """
            version: 1
            datasets:
              - name: orders
                checks:
                  - freshness: { column: updated_at, warn_after: 6hours }
            """)
        let output = try dqmon(["doctor"], in: fixture)
        #expect(output.status == 3)
        #expect(output.stdout.hasPrefix("✗ config: 1 error, the first: checks/bad.yml:5:"))
        #expect(output.stdout.contains("fix: run 'dqmon validate'"))
    }

    @Test func unreachableReceiverExitsFourAndDisabledOneIsNotTried() throws {
        let fixture = ProjectFixture()
        fixture.checks("orders.yml", "version: 1\ndatasets:\n  - name: orders\n    checks: [ volume: {} ]\n")
        try fixture.warehouse().table("orders", timestamps: [ProjectFixture.now])
        fixture.alerts("""
            version: 1
            receivers:
              gone: { type: webhook, url: "http://127.0.0.1:\(PostgresTestServer.closedPort())/hook/\(Self.token)" }
              later: { type: slack, url: "${UNSET_SLACK_URL:-}" }
            routes:
              - receivers: [gone]
            """)
        let output = try dqmon(["doctor"], in: fixture)
        #expect(output.status == 4, "\(output.stdout)\(output.stderr)")
        #expect(output.stdout.contains("✗ receiver gone: "))
        #expect(output.stdout.contains("unreachable: connection refused; fix: check DNS, the proxy"))
        #expect(output.stdout.contains("- receiver later: not tried: disabled: its url is an unset ${VAR:-}"))
        #expect(output.stdout.contains("alerts would stay pending (exit 4)"))
        #expect(!output.stdout.contains(Self.token))
    }

    @Test func heldLockAndFailedAlertsAreShownButDoNotFailDoctor() throws {
        let receiver = try TestHTTPReceiver()
        defer { receiver.stop() }
        let (fixture, environment) = try project(receiver: receiver, newest: ProjectFixture.now.addingTimeInterval(-86_400))
        receiver.enqueue(.status(400, body: "bad request"))
        let check = try dqmon(["check", "--now", Self.now], in: fixture, environment: environment)
        #expect(check.stdout.contains("fail"), "\(check.stdout)\(check.stderr)")
        let lock = try RunLock.acquire(for: fixture.historyURL, timeout: 5)
        let output = try withExtendedLifetime(lock) { try dqmon(["doctor"], in: fixture, environment: environment) }
        #expect(output.status == 0, "\(output.stdout)\(output.stderr)")
        #expect(output.stdout.contains("! lock: held by another dqmon process right now (a run in progress?); fix: if no run should be going on, look for a stuck one: fuser .dqmon/history.sqlite.lock"))
        #expect(output.stdout.contains("! alerts: 0 pending, 1 failed notification(s); fix: 'dqmon alerts' lists them"))
    }
}
