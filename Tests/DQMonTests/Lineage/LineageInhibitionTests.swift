import DQMon
import DQMonTestSupport
import Foundation
import Testing

/// Lineage inhibition through `dqmon check` with real HTTP receivers: when payments stops loading and daily_revenue
/// (built from it) goes stale too, the pager gets one message for payments naming daily_revenue and its tier, the
/// finance route gets one "blocked by upstream" notice (severity info, no page), both incidents are recorded, and
/// the root's resolution names the linked incident that passed with it.
@Suite(.serialized) final class LineageInhibitionTests {
    let receiver: TestHTTPReceiver
    let fixture = ProjectFixture()
    let now = ProjectFixture.now

    init() throws {
        receiver = try TestHTTPReceiver()
        fixture.checks("sources.yml", """
            version: 1
            datasets:
              - name: payments
                tier: 1
                owner: team-payments
                checks:
                  - freshness: { column: updated_at, warn_after: 90m, error_after: 3h }
            """)
        fixture.checks("revenue.yml", """
            version: 1
            datasets:
              - name: daily_revenue
                tier: 1
                owner: team-finance
                upstream: [payments]
                checks:
                  - freshness: { column: updated_at, warn_after: 2h, error_after: 4h }
              - name: revenue_scratch
                tier: 3
                owner: team-analytics
                checks:
                  - freshness: { column: updated_at, warn_after: 2h, error_after: 4h }
              - name: revenue_staging
                tier: 3
                owner: team-analytics
                upstream: [revenue_scratch]
                checks:
                  - freshness: { column: updated_at, warn_after: 2h, error_after: 4h }
            exposures:
              - name: executive_revenue_dashboard
                type: dashboard
                owner: exec-analytics
                maturity: high
                depends_on: [daily_revenue, revenue_staging]
            """)
        fixture.alerts("""
            version: 1
            receivers:
              pager: { type: webhook, url: "${BASE}/pager" }
              finance: { type: webhook, url: "${BASE}/finance" }
              log: { type: webhook, url: "${BASE}/log" }
            routes:
              - match: { severity: critical }
                receivers: [pager]
              - match: { owner: team-finance }
                receivers: [finance]
              - receivers: [log]
            delivery: { budget: 5s, timeout: 3s }
            """)
        fixture.environment = ["BASE": receiver.url("")]
        try stale(["payments": 5, "daily_revenue": 5, "revenue_scratch": 0.1, "revenue_staging": 0.1], at: now)
    }

    deinit { receiver.stop() }

    /// The newest row of each table; `stale` rewrites the warehouse (the fixture recreates its file) with all of them.
    var latest: [String: Date] = [:]

    func stale(_ hours: [String: Double], at time: Date) throws {
        for (table, age) in hours { latest[table] = time.addingTimeInterval(-age * 3_600) }
        let warehouse = try fixture.warehouse()
        for (table, newest) in latest { try warehouse.table(table, timestamps: [newest]) }
    }

    /// The id of the incident of `checkID` (incidents are numbered in config order within a run).
    func incidentID(_ checkID: String) throws -> Int {
        let listed = try dqmon(["incidents", "--format", "json", "--now", ISO8601.string(from: now)], in: fixture)
        let incidents = (try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [String: Any])?["incidents"] as? [[String: Any]] ?? []
        return try #require(incidents.first { $0["check_id"] as? String == checkID }?["id"] as? Int)
    }

    func check(at time: Date) throws -> CommandLineRunner.Output {
        try dqmon(["check", "--now", ISO8601.string(from: time)], in: fixture)
    }

    /// Events received per path, each as "kind dataset severity".
    func events(_ path: String) -> [[String: Any]] {
        receiver.requests.filter { $0.path == path }.flatMap { ($0.json as? [String: Any])?["events"] as? [[String: Any]] ?? [] }
    }

    func summary(_ event: [String: Any]) -> String {
        "\(event["kind"]!) \(event["dataset"]!) \(event["severity"]!)"
    }

    @Test func oneRootPageNamesTheDownstreamAndTheDownstreamOwnerGetsOneNotice() throws {
        let first = try check(at: now)
        #expect(first.status == 1, "\(first.stderr)")
        #expect(events("/pager").map(summary) == ["firing payments critical"])
        let page = try #require(events("/pager").first)
        let linked = try #require(page["linked_incidents"] as? [[String: Any]])
        #expect(linked.map { "\($0["dataset"]!) tier \($0["tier"]!) \($0["status"]!)" } == ["daily_revenue tier 1 open"])
        let impact = try #require(page["impact"] as? [String: Any])
        #expect((impact["summary"] as? String)?.hasPrefix("Impact: 1 downstream dataset (tier 1: daily_revenue), feeds exposure Executive Revenue Dashboard (owner exec-analytics)") == true, "\(impact)")
        #expect(events("/finance").map(summary) == ["firing daily_revenue info"])
        let notice = try #require(events("/finance").first)
        // revenue.yml sorts before sources.yml: the downstream incident is recorded first, and still links to the root.
        let root = try incidentID("payments/freshness"), downstream = try incidentID("daily_revenue/freshness")
        #expect(downstream < root)
        #expect((notice["message"] as? String)?.hasPrefix("blocked by upstream #\(root) payments/freshness (owner team-payments): ") == true, "\(notice)")
        #expect((notice["caused_by"] as? [String: Any])?["incident_id"] as? Int == root)
        #expect(events("/log").isEmpty)
        // Both incidents are recorded, the downstream one linked to its root.
        let listed = try dqmon(["incidents", "--format", "json", "--now", ISO8601.string(from: now)], in: fixture)
        let incidents = (try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [String: Any])?["incidents"] as? [[String: Any]]
        #expect(incidents?.count == 2, "\(listed.stdout)")
        let shown = try dqmon(["incidents", "show", "\(downstream)", "--now", ISO8601.string(from: now)], in: fixture)
        #expect(shown.stdout.contains("caused by   upstream incident #\(root) payments/freshness (owner team-payments, open)"), "\(shown.stdout)")
        #expect(shown.stdout.contains("  exposure  Executive Revenue Dashboard (dashboard, maturity high, owner exec-analytics)"), "\(shown.stdout)")
        let rootShown = try dqmon(["incidents", "show", "\(root)", "--format", "json", "--now", ISO8601.string(from: now)], in: fixture)
        let lineage = (try JSONSerialization.jsonObject(with: Data(rootShown.stdout.utf8)) as? [String: Any])?["lineage"] as? [String: Any]
        #expect((lineage?["linked"] as? [[String: Any]])?.map { $0["check_id"] as? String } == ["daily_revenue/freshness"], "\(rootShown.stdout)")

        // Still failing: nothing more to anyone.
        _ = try check(at: now.addingTimeInterval(600))
        #expect(receiver.requests.count == 2)

        // Both pass in the same run: one resolved message for the root, naming the linked incident; no separate one.
        try stale(["payments": 0.1, "daily_revenue": 0.1], at: now.addingTimeInterval(1_200))
        #expect(try check(at: now.addingTimeInterval(1_200)).status == 0)
        #expect(events("/pager").map(summary) == ["firing payments critical", "resolved payments critical"])
        let resolved = try #require(events("/pager").last)
        #expect((resolved["linked_incidents"] as? [[String: Any]])?.map { "\($0["dataset"]!) \($0["status"]!)" } == ["daily_revenue resolved"])
        #expect(events("/finance").count == 1)
    }

    /// A linked incident is never silent forever: once its root has been resolved for `LineageInhibitor.recoveryGrace`
    /// (an hour, time for the downstream job to rebuild) and it still fails, it is unlinked and pages on its own.
    @Test func aLinkedIncidentStillFailingAnHourAfterItsRootRecoveredPagesOnItsOwn() throws {
        _ = try check(at: now)
        #expect(events("/pager").map(summary) == ["firing payments critical"])
        #expect(events("/finance").map(summary) == ["firing daily_revenue info"])
        // payments recovers; daily_revenue still stale: within the grace nothing pages for it.
        let recovered = now.addingTimeInterval(600)
        try stale(["payments": 0.1], at: recovered)
        _ = try check(at: recovered)
        #expect(events("/pager").map(summary) == ["firing payments critical", "resolved payments critical"])
        _ = try check(at: recovered.addingTimeInterval(1_800))
        #expect(events("/pager").count == 2)
        // An hour after the root resolved, still failing: unlinked, and it pages like any critical incident.
        let later = recovered.addingTimeInterval(3_600)
        try stale(["payments": 0.1], at: later)
        let output = try check(at: later)
        #expect(output.status == 1, "\(output.stderr)")
        #expect(events("/pager").map(summary) == ["firing payments critical", "resolved payments critical", "firing daily_revenue critical"])
        #expect(events("/pager").last?["caused_by"] is NSNull)
        let downstream = try incidentID("daily_revenue/freshness")
        let shown = try dqmon(["incidents", "show", "\(downstream)", "--now", ISO8601.string(from: later)], in: fixture)
        #expect(shown.stdout.contains("but this check still fails: unlinked, it alerts on its own"), "\(shown.stdout)")
        // And only once.
        _ = try check(at: later.addingTimeInterval(600))
        #expect(events("/pager").count == 3)
    }

    @Test func aDownstreamIncidentOpeningLaterIsAnnouncedToTheRootsReceiversOnce() throws {
        try stale(["daily_revenue": 0.1], at: now)
        _ = try check(at: now)
        #expect(events("/pager").map(summary) == ["firing payments critical"])
        try stale(["daily_revenue": 5], at: now.addingTimeInterval(600))
        _ = try check(at: now.addingTimeInterval(600))
        #expect(events("/pager").map(summary) == ["firing payments critical", "linked payments critical"])
        #expect((events("/pager").last?["linked_incidents"] as? [[String: Any]])?.map { $0["dataset"] as? String } == ["daily_revenue"])
        #expect(events("/finance").map(summary) == ["firing daily_revenue info"])
        _ = try check(at: now.addingTimeInterval(1_200))
        #expect(events("/pager").count == 2)
    }

    @Test func aLowerSeverityUpstreamDoesNotInhibitAndATier3TableFeedingTheBoardPagesAsTier1() throws {
        // payments only warns (warning); daily_revenue fails (critical): not inhibited, it pages on its own.
        try stale(["payments": 2, "daily_revenue": 5, "revenue_scratch": 5], at: now)
        _ = try check(at: now)
        let pages = events("/pager").map(summary).sorted()
        // revenue_scratch is tier 3 but feeds the high-maturity dashboard through revenue_staging: it pages as tier 1.
        #expect(pages == ["firing daily_revenue critical", "firing revenue_scratch critical"], "\(pages)")
        #expect(events("/pager").first { $0["dataset"] as? String == "revenue_scratch" }.flatMap { ($0["impact"] as? [String: Any])?["effective_tier"] as? Int } == 1)
    }
}
