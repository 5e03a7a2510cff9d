import DQMon
import DQMonTestSupport
import Foundation
import Testing

/// `dqmon lineage DATASET [--format json]` through the real binary: the upstream and downstream trees, each node's
/// status from the history, exposures, and an unknown dataset as one line with a did-you-mean (exit 3).
@Suite struct LineageCommandTests {
    let fixture = ProjectFixture()
    let now = ProjectFixture.now

    init() throws {
        fixture.checks("sources.yml", """
            version: 1
            datasets:
              - name: payments
                tier: 1
                owner: team-payments
                checks:
                  - freshness: { column: updated_at, warn_after: 90m, error_after: 3h }
              - name: orders
                tier: 1
                owner: team-orders
                checks:
                  - freshness: { column: updated_at, warn_after: 2h, error_after: 6h }
            """)
        fixture.checks("revenue.yml", """
            version: 1
            datasets:
              - name: daily_revenue
                tier: 1
                owner: team-finance
                upstream: [payments, orders]
                checks:
                  - freshness: { column: updated_at, warn_after: 2h, error_after: 4h }
            exposures:
              - name: executive_revenue_dashboard
                type: dashboard
                owner: exec-analytics
                maturity: high
                depends_on: [daily_revenue]
            """)
        let warehouse = try fixture.warehouse()
        try warehouse.table("payments", timestamps: [now.addingTimeInterval(-5 * 3_600)])
        try warehouse.table("orders", timestamps: [now.addingTimeInterval(-600)])
        try warehouse.table("daily_revenue", timestamps: [now.addingTimeInterval(-600)])
    }

    func dqmon(_ arguments: [String]) throws -> CommandLineRunner.Output {
        try DQMonTestSupport.dqmon(arguments + ["--now", ISO8601.string(from: now)], in: fixture)
    }

    @Test func showsTheChainWithStatusesAndTheExposure() throws {
        let before = try dqmon(["lineage", "payments"])
        #expect(before.status == 0, "\(before.stderr)")
        #expect(before.stdout.contains("payments  tier 1 · team-payments · not run yet"), "\(before.stdout)")
        #expect(try dqmon(["check"]).status == 1)
        let output = try dqmon(["lineage", "payments"])
        #expect(output.status == 0, "\(output.stderr)")
        let lines = output.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("payments  tier 1 · team-payments · fail · incident #1 critical") == true, "\(output.stdout)")
        #expect(lines.contains("  └─ daily_revenue  tier 1 · team-finance · pass"), "\(output.stdout)")
        #expect(lines.contains("    └─ exposure Executive Revenue Dashboard (dashboard, maturity high, owner exec-analytics)"), "\(output.stdout)")
        #expect(output.stdout.contains("Impact: 1 downstream dataset (tier 1: daily_revenue), feeds exposure Executive Revenue Dashboard (owner exec-analytics)"))
        let upstream = try dqmon(["lineage", "daily_revenue"])
        #expect(upstream.stdout.contains("  └─ payments  tier 1 · team-payments · fail"), "\(upstream.stdout)")
        #expect(upstream.stdout.contains("  └─ orders  tier 1 · team-orders · pass"), "\(upstream.stdout)")
    }

    @Test func jsonListsEveryNodeWithDistanceStatusAndEdges() throws {
        _ = try dqmon(["check"])
        let output = try dqmon(["lineage", "daily_revenue", "--format", "json"])
        #expect(output.status == 0, "\(output.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])
        #expect(document["version"] as? String == "1")
        let upstream = try #require(document["upstream"] as? [[String: Any]])
        #expect(upstream.map { $0["dataset"] as? String } == ["payments", "orders"])
        #expect(upstream.first?["status"] as? String == "fail")
        #expect((upstream.first?["open_incidents"] as? [[String: Any]])?.first?["severity"] as? String == "critical")
        let dataset = try #require(document["dataset"] as? [String: Any])
        #expect(dataset["upstream"] as? [String] == ["payments", "orders"])
        #expect(dataset["exposures"] as? [String] == ["executive_revenue_dashboard"])
        #expect((document["exposures"] as? [[String: Any]])?.first?["owner"] as? String == "exec-analytics")
    }

    @Test func anUnknownDatasetIsOneLineWithDidYouMean() throws {
        let output = try dqmon(["lineage", "paymnts"])
        #expect(output.status == 3)
        #expect(output.stderr == "dqmon: error: unknown dataset 'paymnts' (did you mean 'payments'?); 'dqmon lineage' takes a dataset's 'name:' from checks/*.yml\n")
    }
}
