import DQMon
import DQMonTestSupport
import Foundation
import Testing

/// End-to-end runs through the library against real SQLite warehouse and history files, with a frozen clock.
@Suite struct CheckRunnerTests {
    let now = ProjectFixture.now

    func ordersProject(_ checks: String, every: String? = nil) throws -> ProjectFixture {
        let keys = ["tier: 1", "owner: team-orders", "tags: [finance]"] + (every.map { ["every: \($0)"] } ?? [])
        return ProjectFixture(dataset: "orders", keys: keys, checks: checks)
    }

    @Test func freshnessAndVolumePassOnAFreshTable() async throws {
        let fixture = try ordersProject("""
                  - freshness: { column: updated_at, warn_after: 2h, error_after: 6h }
                  - volume: { min_rows: 10 }
            """)
        try fixture.warehouse().table("orders", timestamps: WarehouseFixture.spread(20, over: 3_600, endingAt: now.addingTimeInterval(-300)))
        let report = try await fixture.run()
        #expect(report.results.map(\.status) == [.pass, .pass])
        #expect(report.results[0].observed == 300)
        #expect(report.results[1].observed == 20)
        #expect(report.exitCode == .success)
        #expect(report.runID != nil)
    }

    @Test func missingColumnIsAnErrorNamingTheColumn() async throws {
        let fixture = try ordersProject("""
                  - freshness: { column: updatedat, warn_after: 2h }
                  - volume: {}
            """)
        try fixture.warehouse().table("orders", timestamps: [now])
        let report = try await fixture.run()
        #expect(report.results[0].status == .error)
        #expect(report.results[0].message == "column 'updatedat' not found in orders (did you mean 'updated_at'?) (check the dataset's config, or whether the column was renamed upstream)")
        #expect(report.results[1].status == .pass)
        #expect(report.exitCode == .monitoringBroken)
    }

    @Test func missingTableIsAnError() async throws {
        let fixture = try ordersProject("      - volume: {}")
        try fixture.warehouse().table("order", timestamps: [now])
        let report = try await fixture.run()
        #expect(report.results.map(\.status) == [.error])
        #expect(report.results[0].message == "table 'orders' not found in warehouse 'main' (was it dropped or renamed upstream? check the dataset's 'name')")
    }

    @Test func missingWarehouseFileErrorsEveryCheck() async throws {
        let fixture = try ordersProject("""
                  - volume: {}
                  - freshness: { column: updated_at, warn_after: 1h }
            """)
        let report = try await fixture.run()
        #expect(report.results.map(\.status) == [.error, .error])
        #expect(report.results[0].message.hasPrefix("warehouse 'main': SQLite file not found at "))
        #expect(report.warehouseErrors.count == 1)
    }

    @Test func emptyTableFailsBothChecks() async throws {
        let fixture = try ordersProject("""
                  - freshness: { column: updated_at, warn_after: 1h }
                  - volume: {}
            """)
        try fixture.warehouse().table("orders", timestamps: [])
        let report = try await fixture.run()
        #expect(report.results.map(\.message) == ["no rows in orders", "orders is empty (0 rows)"])
        #expect(report.exitCode == .failed)
    }

    @Test func windowedVolumeCountsOnlyTheWindow() async throws {
        let fixture = try ordersProject("      - volume: { window: 1d, column: created_at, min_rows: 5 }")
        let recent = WarehouseFixture.spread(4, over: 20 * 3_600, endingAt: now)
        let old = WarehouseFixture.spread(50, over: 10 * 86_400, endingAt: now.addingTimeInterval(-2 * 86_400))
        try fixture.warehouse().table("orders", column: "created_at", timestamps: recent + old)
        let report = try await fixture.run()
        #expect(report.results[0].observed == 4)
        #expect(report.results[0].status == .fail)
        #expect(report.results[0].message == "4 rows in 1d, below min_rows 5")
    }

    @Test func epochAndZonedTimestampsAreReadAsUTC() async throws {
        let fixture = try ordersProject("      - freshness: { column: updated_at, warn_after: 1h }")
        let warehouse = try fixture.warehouse()
        try warehouse.execute("CREATE TABLE orders (updated_at)")
        try warehouse.execute("INSERT INTO orders VALUES (?)", [Int(now.timeIntervalSince1970) - 900])
        try warehouse.execute("INSERT INTO orders VALUES ('2026-11-25T12:40:00+01:00')")  // 11:40Z, 20 minutes ago
        let report = try await fixture.run()
        #expect(report.results[0].observed == 900)
    }

    @Test func datasetTimezoneShiftsZonelessTimestamps() async throws {
        let fixture = ProjectFixture()
        fixture.checks("orders.yml", """
            version: 1
            datasets:
              - name: orders
                timezone: Europe/Berlin
                checks:
                  - freshness: { column: updated_at, warn_after: 2h }
            """)
        // 12:30 Berlin wall time is 11:30Z in November: 30 minutes old, not in the future.
        try fixture.warehouse().table("orders", timestamps: [now.addingTimeInterval(1_800)])
        let report = try await fixture.run()
        #expect(report.results[0].observed == 1_800)
    }

    @Test func maxChangeComparesWithThePreviousSuccessfulRun() async throws {
        let fixture = try ordersProject("      - volume: { max_change: 50% }")
        let warehouse = try fixture.warehouse()
        try warehouse.table("orders", timestamps: WarehouseFixture.spread(100, over: 3_600, endingAt: now))
        #expect(try await fixture.run().results[0].status == .pass)
        try warehouse.execute("DELETE FROM orders WHERE id > 30")
        let dropped = try await fixture.run(now: now.addingTimeInterval(3_600))
        #expect(dropped.results[0].status == .fail)
        #expect(dropped.results[0].message == "row count dropped 70% since the last successful run (100 -> 30; max change 50%)")
        // The failing run is not the new baseline: the drop keeps failing until volume recovers.
        #expect(try await fixture.run(now: now.addingTimeInterval(7_200)).results[0].status == .fail)
        try warehouse.execute("INSERT INTO orders (updated_at) SELECT updated_at FROM orders LIMIT 60")
        #expect(try await fixture.run(now: now.addingTimeInterval(10_800)).results[0].status == .pass)
    }

    @Test func onlyDueChecksRunUnlessAll() async throws {
        let fixture = try ordersProject("      - volume: {}", every: "1h")
        try fixture.warehouse().table("orders", timestamps: [now])
        #expect(try await fixture.run().results.count == 1)
        let early = try await fixture.run(now: now.addingTimeInterval(1_800))
        #expect(early.results.isEmpty)
        #expect(early.notDue.map(\.checkID) == ["orders/volume"])
        #expect(try await fixture.run(now: now.addingTimeInterval(1_800), all: true).results.count == 1)
        // A scheduler firing a few seconds early still counts as due (grace: 10% of every, at most 5m).
        #expect(try await fixture.run(now: now.addingTimeInterval(1_800 + 3_590)).results.count == 1)
    }

    @Test func selectAndExclude() async throws {
        let fixture = ProjectFixture()
        fixture.checks("all.yml", """
            version: 1
            datasets:
              - { name: orders, tier: 1, owner: team-a, tags: [finance], checks: [ volume: {} ] }
              - { name: events, tier: 2, owner: team-b, tags: [product], checks: [ volume: {} ] }
              - { name: customers, tier: 3, owner: team-a, checks: [ volume: {} ] }
            """)
        let warehouse = try fixture.warehouse()
        for table in ["orders", "events", "customers"] { try warehouse.table(table, timestamps: [now]) }
        func datasets(_ select: [String], _ exclude: [String] = []) async throws -> [String] {
            let selection = Selection(select: try select.map(Selection.term(parsing:)), exclude: try exclude.map(Selection.term(parsing:)))
            return try await fixture.run(all: true, selection: selection).results.map(\.dataset)
        }
        #expect(try await datasets(["tag:finance"]) == ["orders"])
        #expect(try await datasets(["tier:2"]) == ["events"])
        #expect(try await datasets(["owner:team-a"]) == ["orders", "customers"])
        #expect(try await datasets(["*s"], ["tier:3"]) == ["orders", "events"])
        #expect(try await datasets([], ["owner:team-a"]) == ["events"])
        await #expect(throws: RunError.self) { try await datasets(["nope"]) }
        #expect(throws: SelectionError.self) { try Selection.term(parsing: "tier:9") }
    }

    @Test func exitCodesFollowThePriorityOrder() {
        #expect(RunExitCode.from(statuses: [.pass, .warn], failOn: .fail) == .success)
        #expect(RunExitCode.from(statuses: [.pass, .warn], failOn: .warn) == .warned)
        #expect(RunExitCode.from(statuses: [.fail, .warn], failOn: .warn) == .failed)
        #expect(RunExitCode.from(statuses: [.fail, .error], failOn: .fail) == .monitoringBroken)
        #expect(RunExitCode.from(statuses: [.fail], failOn: .fail, alertsPending: true) == .alertsPending)
        #expect(RunExitCode.from(statuses: [.fail], failOn: .never) == .success)
        #expect(RunExitCode.from(statuses: [.error], failOn: .never) == .monitoringBroken)
    }

    @Test func dryRunPrintsOneCatalogQueryAndOneQueryPerDataset() throws {
        let fixture = try ordersProject("""
                  - freshness: { column: updated_at, warn_after: 2h }
                  - volume: { window: 1d, column: created_at }
            """)
        let sql = try CheckRunner.dryRunSQL(configuration: fixture.load(), options: RunOptions(now: now), states: [:])
        let statements = sql.split(separator: "\n").filter { !$0.hasPrefix("--") }
        #expect(statements.count == 2)
        #expect(statements[0].contains("pragma_table_info"))
        // One statement, a scalar subquery per metric; freshness reads the raw column and counts nothing.
        #expect(statements[1].hasPrefix("SELECT (SELECT CASE WHEN EXISTS (SELECT 1 FROM \"orders\")"))
        #expect(statements[1].contains("SELECT \"updated_at\" FROM \"orders\" WHERE \"updated_at\" <= 100000000000 ORDER BY \"updated_at\" DESC LIMIT 1"))
        #expect(!statements[1].contains("count(*),") && !statements[1].contains("typeof("))
        #expect(!FileManager.default.fileExists(atPath: fixture.historyURL.path))
    }
}
