import DQMon
import DQMonTestSupport
import Foundation
import Testing

/// The demo's schema drift, replayed with the repository's own checks/orders.yml and checks/payments.yml.
@Suite struct SchemaDemoTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    @Test func replayDropsAColumnAndChangesAType() async throws {
        let fixture = ProjectFixture(projectYAML: """
            version: 1
            warehouses:
              demo: { type: sqlite, path: demo.sqlite }
            default_warehouse: demo
            history: { path: .dqmon/history.sqlite }
            """)
        for file in ["orders.yml", "payments.yml"] {
            fixture.checks(file, try String(contentsOf: Self.repository.appendingPathComponent("checks/\(file)"), encoding: .utf8))
        }
        try FileManager.default.copyItem(at: Self.repository.appendingPathComponent("runbooks"), to: fixture.directory.path("runbooks"))
        let scenario = DemoScenario(end: ProjectFixture.now, days: 3)
        _ = try await DemoReplay.run(configuration: fixture.load(), scenario: scenario)
        let history = try HistoryStore(path: fixture.historyURL)
        let payments = try history.results(checkID: "payments/schema", limit: 1_000).reversed()
        let orders = try history.results(checkID: "orders/schema", limit: 1_000).reversed()
        #expect(payments.first?.message == "first run: baseline of 5 columns recorded")
        #expect(orders.first?.message == "first run: baseline of 8 columns recorded")
        let typeChange = payments.filter { $0.status == .fail }
        #expect(typeChange.map(\.message) == ["type of \"amount\" changed numeric -> text"])
        #expect(typeChange.first?.evaluatedAt == scenario.paymentsAmountBecomesTextAt.addingTimeInterval(3_600 + 120))
        #expect(orders.filter { $0.status == .fail }.map(\.message) == ["removed column \"discount\""])
        #expect(try history.schemaSnapshots(dataset: "orders").map(\.snapshot.columns.count) == [7, 8])
    }
}
