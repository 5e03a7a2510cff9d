import DQMon
import DQMonTestSupport
import Foundation
import Testing

/// The demo's story holds: a replay catches the stale table and the volume drop, and the repo's own
/// config (the examples users learn from) is valid.
@Suite struct DemoTests {
    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
    }

    @Test func repositoryConfigIsValid() throws {
        let configuration = try ConfigLoader.load(configPath: Self.repositoryRoot.appendingPathComponent("dqmon.yml"), environment: [:])
        #expect(configuration.datasets.map(\.name).sorted() == ["customers", "daily_revenue", "events", "orders", "payments"])
        #expect(configuration.checks.count >= 8)
    }

    @Test func replayCatchesTheStaleTableAndTheVolumeDrop() async throws {
        let fixture = ProjectFixture(projectYAML: """
            version: 1
            warehouses:
              demo: { type: sqlite, path: demo.sqlite }
            history: { path: .dqmon/history.sqlite }
            """)
        for file in ["orders.yml", "payments.yml", "product.yml", "revenue.yml"] {
            let text = try String(contentsOf: Self.repositoryRoot.appendingPathComponent("checks/\(file)"), encoding: .utf8)
            fixture.checks(file, text)
        }
        try FileManager.default.copyItem(at: Self.repositoryRoot.appendingPathComponent("runbooks"), to: fixture.directory.path("runbooks"))
        let scenario = DemoScenario(end: ProjectFixture.now, days: 10)
        let last = try await DemoReplay.run(configuration: fixture.load(), scenario: scenario)
        let byID = Dictionary(uniqueKeysWithValues: last.results.map { ($0.checkID, $0) })
        #expect(byID["payments/freshness"]?.status == .fail)
        #expect(byID["orders/freshness"]?.status == .pass)
        #expect(byID["events/volume/daily_events"]?.status == .pass)
        let history = try HistoryStore(path: fixture.historyURL)
        let drop = try history.results(checkID: "events/volume/daily_events", limit: 1_000)
        #expect(drop.contains { $0.status == .fail }, "the events volume drop was not caught")
        let anomaly = try history.results(checkID: "events/anomaly/hourly_events", limit: 1_000)
        let spikeHours = scenario.eventsSpikeStart.addingTimeInterval(3_600)...scenario.eventsSpikeEnd
        #expect(anomaly.contains { $0.status == .fail && spikeHours.contains($0.evaluatedAt) }, "the events spike was not caught")
        #expect(!anomaly.contains { $0.status == .fail && $0.evaluatedAt > scenario.eventsSpikeEnd.addingTimeInterval(2 * 3_600) && $0.evaluatedAt < scenario.end },
                "the anomaly check kept alerting after the spike")
        #expect(try history.runCount() == 240)
        // Lineage: daily_revenue goes stale with payments; its incident is linked to the payments incident (one page).
        #expect(byID["daily_revenue/freshness"]?.status == .fail)
        let open = try history.incidents(IncidentFilter(status: .open, limit: 50))
        let revenue = try #require(open.first { $0.checkID == "daily_revenue/freshness" })
        let root = try #require(open.first { $0.checkID == "payments/freshness" })
        #expect(try history.lineageLinks(incidentID: revenue.id).causedBy?.id == root.id)
        #expect(try history.incidents(IncidentFilter(limit: 500)).filter { $0.dataset == "daily_revenue" }.count == 1)
    }
}
