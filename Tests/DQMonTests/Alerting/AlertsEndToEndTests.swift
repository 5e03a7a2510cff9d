import DQMon
import DQMonTestSupport
import Foundation
import Testing

/// `dqmon check` with incidents and alerts wired together: real warehouse, history, HTTP receiver and binary.
@Suite(.serialized) final class AlertsEndToEndTests {
    let receiver: TestHTTPReceiver
    let fixture = ProjectFixture()
    let secretPath = "/hooks/T0/B0/ZZSECRETZZ"
    let now = ProjectFixture.now

    init() throws {
        receiver = try TestHTTPReceiver()
        fixture.checks("orders.yml", ProjectFixture.checksYAML(
            dataset: "orders", keys: ["tier: 1", "owner: team-orders"],
            checks: "      - freshness: { column: updated_at, warn_after: 2h, error_after: 6h }"))
        fixture.webhookAlerts(budget: "3s", timeout: "3s")
    }

    deinit { receiver.stop() }

    var environment: [String: String] { ["HOOK_URL": receiver.url(secretPath), "HOOK_SECRET": "ZZHMACZZ"] }

    func stale(_ hours: Double, at time: Date) throws {
        try fixture.warehouse().table("orders", timestamps: [time.addingTimeInterval(-hours * 3_600)])
    }

    func run(at time: Date) async throws -> RunReport {
        try await CheckRunner.run(configuration: fixture.load(environment: environment), options: RunOptions(now: time), lockTimeout: 5)
    }

    /// Event kinds received, each notification counted once (`webhook-id`): delivery is at-least-once.
    func kinds() -> [String] {
        var seen = Set<String>()
        let unique = receiver.requests.filter { seen.insert($0.headers["webhook-id"] ?? UUID().uuidString).inserted }
        return unique.flatMap { request -> [String] in
            ((request.json as? [String: Any])?["events"] as? [[String: Any]] ?? []).map { "\($0["kind"]!)" }
        }
    }

    @Test func aRunFiresOnceResolvesOnceAndExitsFourWhileUndelivered() async throws {
        try stale(7, at: now)
        var report = try await run(at: now)
        #expect(report.exitCode == .failed)
        #expect(report.alerts?.sent == 1)
        #expect(kinds() == ["firing"], "\(String(describing: report.alerts))")
        report = try await run(at: now.addingTimeInterval(600))
        #expect(kinds() == ["firing"])                                   // still open: no second firing
        try stale(0.1, at: now.addingTimeInterval(1_200))
        receiver.defaultAnswer = .status(503, body: "maintenance")
        report = try await run(at: now.addingTimeInterval(1_200))
        #expect(report.exitCode == .alertsPending)                       // resolved, but its message is pending
        #expect(report.alerts?.pending == 1)
        receiver.reset()
        receiver.defaultAnswer = .ok
        report = try await run(at: now.addingTimeInterval(1_800))
        #expect(report.exitCode == .success, "\(String(describing: report.alerts))")
        #expect(kinds() == ["resolved"])
    }

    func dqmon(_ arguments: [String]) throws -> CommandLineRunner.Output {
        try CommandLineRunner.run(arguments + ["--now", ISO8601.string(from: now)], in: fixture.root, environment: environment)
    }

    @Test func commandLineExitCodesListingFlushSilencesAndNoSecrets() throws {
        try stale(7, at: now)
        receiver.defaultAnswer = .status(500, body: "down")
        let check = try dqmon(["check"])
        #expect(check.status == 4)
        #expect(check.stderr.contains("left pending"))
        let listed = try dqmon(["alerts"])
        #expect(listed.status == 0)
        #expect(listed.stdout.contains("pending"))
        #expect(listed.stdout.contains("HTTP 500: down") || listed.stdout.contains("timed out"), "\(listed.stdout)")
        receiver.defaultAnswer = .ok
        let flushed = try dqmon(["alerts", "flush"])
        #expect(flushed.status == 0)
        #expect(flushed.stdout == "sent 1, failed 0, still pending 0\n")
        #expect(try dqmon(["alerts"]).stdout.hasPrefix("No pending or failed alerts."))
        let test = try dqmon(["alerts", "test", "hook"])
        #expect(test.status == 0)
        #expect(test.stdout == "test message delivered to 'hook' (http://127.0.0.1/…)\n")
        let unknown = try dqmon(["alerts", "test", "hok"])
        #expect(unknown.status == 4)
        #expect(unknown.stderr.contains("unknown receiver 'hok' (did you mean 'hook'?)"))
        let added = try dqmon(["silence", "add", "--match", "dataset=orders", "--for", "2h", "--reason", "backfill"])
        #expect(added.stdout == "silence #1 (dataset=orders) until 2026-11-25T14:00:00Z\n")
        #expect(try dqmon(["silence", "list"]).stdout.contains("dataset=orders"))
        #expect(try dqmon(["silence", "expire", "1"]).status == 0)
        #expect(try dqmon(["silence", "expire", "1"]).status == 3)
        let noAlerts = try CommandLineRunner.run(["check", "--all", "--no-alerts", "--now", ISO8601.string(from: now.addingTimeInterval(86_400 * 2))],
                                                 in: fixture.root, environment: environment)
        #expect(noAlerts.status == 1)
        let everything = [check, listed, flushed, test, unknown, added, noAlerts].map { $0.stdout + $0.stderr }.joined() + (try fixture.historyDump())
        #expect(!everything.contains("ZZSECRETZZ"))
        #expect(!everything.contains("ZZHMACZZ"))
    }

    @Test func slackTeamsAndPagerDutyReceiveTheirFormatsAndTheKeyIsNeverStored() async throws {
        fixture.alerts("""
            version: 1
            receivers:
              pager: { type: pagerduty, routing_key: "${PD_KEY}", url: "${PD_URL}" }
              slack: { type: slack, url: "${SLACK_URL}" }
              teams: { type: teams, url: "${TEAMS_URL}" }
            routes:
              - match: { severity: critical, owner: team-orders }
                receivers: [pager, slack, teams]
            delivery: { budget: 5s, timeout: 3s }
            """)
        try stale(7, at: now)
        let environment = ["PD_KEY": "ZZPDKEYZZ", "PD_URL": receiver.url("/v2/enqueue"), "SLACK_URL": receiver.url("/slack/ZZSECRETZZ"),
                           "TEAMS_URL": receiver.url("/teams/ZZSECRETZZ")]
        let report = try await CheckRunner.run(configuration: fixture.load(environment: environment), options: RunOptions(now: now), lockTimeout: 5)
        #expect(report.alerts?.sent == 3)
        let byPath = Dictionary(receiver.requests.map { ($0.path.split(separator: "/")[0], $0) }, uniquingKeysWith: { first, _ in first })
        let pager = try #require(byPath["v2"]?.json as? [String: Any])
        #expect(pager["routing_key"] as? String == "ZZPDKEYZZ")
        #expect(pager["event_action"] as? String == "trigger")
        #expect(pager["dedup_key"] as? String == String(report.incidentChanges[0].incidentID))
        let slack = try #require(byPath["slack"]?.json as? [String: Any])
        #expect((slack["text"] as? String)?.contains("CRITICAL firing: orders") == true)
        let teams = try #require(byPath["teams"]?.json as? [String: Any])
        #expect(teams["type"] as? String == "message")
        let stored = try fixture.historyDump()
        #expect(!stored.contains("ZZPDKEYZZ") && !stored.contains("ZZSECRETZZ"))
    }

    @Test func badReceiverConfigIsAConfigError() throws {
        fixture.alerts("""
            version: 1
            receivers:
              hook: { type: webhok, url: "https://example.com" }
            """)
        let output = try dqmon(["validate"])
        #expect(output.status == 3)
        #expect(output.stderr.contains("alerts/alerts.yml:3:17: unknown receiver type 'webhok' (did you mean 'webhook'?)"))
    }
}
