import DQMon
import DQMonTestSupport
import Foundation
import Testing

/// Schema checks end to end on real SQLite warehouse and history files, with the frozen clock:
/// snapshots stored only when changed, in the run's transaction; dropped tables; identifiers; wide tables.
@Suite struct SchemaRunTests {
    let now = ProjectFixture.now

    func project(_ schemaSettings: String = "{}", table: String = "orders") -> ProjectFixture {
        ProjectFixture(dataset: table, file: "orders.yml", checks: "      - schema: \(schemaSettings)")
    }

    func hour(_ n: Int) -> Date { now.addingTimeInterval(Double(n) * 3_600) }

    func snapshots(_ fixture: ProjectFixture, dataset: String = "orders") throws -> [StoredSchemaSnapshot] {
        try HistoryStore(path: fixture.historyURL).schemaSnapshots(dataset: dataset)
    }

    @Test func baselineThenDroppedColumnThenQuiet() async throws {
        let fixture = project()
        let warehouse = try fixture.warehouse()
        try warehouse.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, amount NUMERIC NOT NULL, discount NUMERIC, status TEXT)")
        let first = try await fixture.run()
        #expect(first.results[0].status == .pass)
        #expect(first.results[0].message == "first run: baseline of 4 columns recorded")
        #expect(try await fixture.run(now: hour(1)).results[0].message == "no schema changes (4 columns)")
        #expect(try snapshots(fixture).count == 1)

        try warehouse.execute("ALTER TABLE orders DROP COLUMN discount")
        let dropped = try await fixture.run(now: hour(2))
        #expect(dropped.results[0].status == .fail)
        #expect(dropped.results[0].message == "removed column \"discount\"")
        #expect(dropped.exitCode == .failed)
        // The new columns are the baseline from now on: the change is reported once.
        #expect(try await fixture.run(now: hour(3)).results[0].status == .pass)
        let stored = try snapshots(fixture)
        #expect(stored.map(\.snapshot.columns.count) == [3, 4])
        #expect(stored.map(\.snapshot.takenAt) == [hour(2), now])
        #expect(stored[0].runID == dropped.runID)
    }

    @Test func typeChangeByTableRebuildAndNullability() async throws {
        let fixture = project()
        let warehouse = try fixture.warehouse()
        try warehouse.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, amount NUMERIC NOT NULL, email TEXT NOT NULL)")
        _ = try await fixture.run()
        try warehouse.execute("""
            CREATE TABLE orders_new (id BIGINT PRIMARY KEY, amount TEXT NOT NULL, email VARCHAR(200));
            DROP TABLE orders; ALTER TABLE orders_new RENAME TO orders;
            """)
        let report = try await fixture.run(now: hour(1))
        #expect(report.results[0].status == .fail)
        #expect(report.results[0].message == "type of \"amount\" changed numeric -> text; \"email\" became nullable")
    }

    @Test func addedAndReorderedColumnsFollowTheirSeverities() async throws {
        let fixture = project("{ on_added: info, on_reordered: warn }")
        let warehouse = try fixture.warehouse()
        try warehouse.execute("CREATE TABLE orders (id INTEGER, amount NUMERIC, status TEXT)")
        _ = try await fixture.run()
        try warehouse.execute("ALTER TABLE orders ADD COLUMN coupon TEXT")
        let added = try await fixture.run(now: hour(1))
        #expect(added.results[0].status == .pass)
        #expect(added.results[0].message == "added column \"coupon\" (text)")
        try warehouse.execute("""
            CREATE TABLE orders_new (status TEXT, id INTEGER, amount NUMERIC, coupon TEXT);
            DROP TABLE orders; ALTER TABLE orders_new RENAME TO orders;
            """)
        let reordered = try await fixture.run(now: hour(2))
        #expect(reordered.results[0].status == .warn)
        #expect(reordered.results[0].message == "column \"status\" moved from position 3 to 1")
        #expect(try snapshots(fixture).count == 3)
    }

    @Test func renamedColumnSaysSo() async throws {
        let fixture = project()
        let warehouse = try fixture.warehouse()
        try warehouse.execute("CREATE TABLE orders (id INTEGER, amount NUMERIC, status TEXT)")
        _ = try await fixture.run()
        try warehouse.execute("ALTER TABLE orders RENAME COLUMN amount TO amount_eur")
        let report = try await fixture.run(now: hour(1))
        #expect(report.results[0].message == "removed column \"amount\"; added column \"amount_eur\" (numeric, possibly renamed from \"amount\")")
    }

    @Test func contractViolationFailsOnTheFirstRunAndKeepsFailing() async throws {
        let fixture = project("{ contract: { id: bigint, amount: numeric, status: text } }")
        try fixture.warehouse().execute("CREATE TABLE orders (id INT, amount TEXT, created_at DATETIME)")
        let first = try await fixture.run()
        #expect(first.results[0].status == .fail)
        #expect(first.results[0].message == "contract: \"amount\" is text, expected numeric; contract: column \"status\" (text) is missing; first run: baseline of 3 columns recorded")
        let second = try await fixture.run(now: hour(1))
        #expect(second.results[0].status == .fail)
        #expect(second.results[0].message == "contract: \"amount\" is text, expected numeric; contract: column \"status\" (text) is missing")
        #expect(try snapshots(fixture).count == 1)
    }

    @Test func droppedTableFailsAfterASnapshotAndErrorsWhenNeverSeen() async throws {
        let fixture = project()
        let warehouse = try fixture.warehouse()
        try warehouse.execute("CREATE TABLE unrelated (id INTEGER)")
        let never = try await fixture.run()
        #expect(never.results[0].status == .error)
        #expect(never.results[0].message.hasPrefix("table 'orders' not found in warehouse 'main'"))
        try warehouse.execute("CREATE TABLE orders (id INTEGER, amount NUMERIC)")
        #expect(try await fixture.run(now: hour(1)).results[0].status == .pass)
        try warehouse.execute("DROP TABLE orders")
        for run in 2...3 {
            let report = try await fixture.run(now: hour(run))
            #expect(report.results[0].status == .fail)
            #expect(report.results[0].message == "table dropped: orders no longer exists (last snapshot at 2026-11-25T13:00:00Z had 2 columns; dropped or renamed upstream)")
        }
        try warehouse.execute("CREATE TABLE orders (id INTEGER, amount NUMERIC)")
        #expect(try await fixture.run(now: hour(4)).results[0].message == "no schema changes (2 columns)")
        #expect(try snapshots(fixture).count == 1)
    }

    @Test func quotedAndMixedCaseIdentifiers() async throws {
        let fixture = project("{ contract: { \"Order ID\": integer, 'say \"hi\"': text } }", table: "Sales Orders")
        let warehouse = try fixture.warehouse()
        try warehouse.execute("CREATE TABLE \"Sales Orders\" (\"Order ID\" INTEGER, \"Amount\" NUMERIC, \"say \"\"hi\"\"\" TEXT)")
        let first = try await fixture.run()
        #expect(first.results[0].status == .pass)
        #expect(first.results[0].message == "first run: baseline of 3 columns recorded")
        try warehouse.execute("ALTER TABLE \"Sales Orders\" RENAME COLUMN \"Amount\" TO \"amount\"")
        let renamed = try await fixture.run(now: hour(1))
        #expect(renamed.results[0].message == "removed column \"Amount\"; added column \"amount\" (numeric, possibly renamed from \"Amount\")")
        #expect(try snapshots(fixture, dataset: "Sales Orders").first?.snapshot.columns.map(\.name) == ["Order ID", "amount", "say \"hi\""])
    }

    @Test func aTableWith500Columns() async throws {
        let fixture = project()
        let warehouse = try fixture.warehouse()
        let columns = (1...500).map { "c\($0) \($0 % 3 == 0 ? "TEXT" : "INTEGER")" }.joined(separator: ", ")
        try warehouse.execute("CREATE TABLE orders (\(columns))")
        let first = try await fixture.run()
        #expect(first.results[0].message == "first run: baseline of 500 columns recorded")
        #expect(try await fixture.run(now: hour(1)).results[0].message == "no schema changes (500 columns)")
        try warehouse.execute("ALTER TABLE orders DROP COLUMN c250")
        try warehouse.execute("ALTER TABLE orders ADD COLUMN c501 REAL")
        let changed = try await fixture.run(now: hour(2))
        #expect(changed.results[0].status == .fail)
        #expect(changed.results[0].message == "removed column \"c250\"; added column \"c501\" (real)")
        #expect(changed.results[0].observedText == "500 columns")
        #expect(try snapshots(fixture).count == 2)
    }

    @Test func schemaOnlyDatasetsSendNoMetricQuery() throws {
        let fixture = project()
        let sql = try CheckRunner.dryRunSQL(configuration: fixture.load(), options: RunOptions(now: now), states: [:])
        #expect(sql.contains("-- (no metric query: its checks read only the catalog)"))
        #expect(!sql.contains("SELECT  FROM"))
    }

    @Test func schemaAndVolumeOnOneDataset() async throws {
        let fixture = ProjectFixture(dataset: "orders", checks: """
                  - volume: { min_rows: 1 }
                  - schema: { name: strict, on_added: fail }
                  - schema: { name: loose, on_added: none }
            """)
        let warehouse = try fixture.warehouse()
        try warehouse.table("orders", timestamps: [now])
        _ = try await fixture.run()
        try warehouse.execute("ALTER TABLE orders ADD COLUMN note TEXT")
        let report = try await fixture.run(now: hour(1))
        #expect(report.results.map(\.checkID) == ["orders/volume", "orders/schema/strict", "orders/schema/loose"])
        #expect(report.results.map(\.status) == [.pass, .fail, .pass])
        // Two schema checks on one dataset share its snapshots: one stored per change.
        #expect(try snapshots(fixture).count == 2)
    }
}
