import DQMon
import DQMonTestSupport
import Foundation
import Testing

/// `compare` through `dqmon check` between two SQLite files (two warehouses): each metric kind, `where:` on each
/// side, a renamed column, a bare table, the same warehouse, an unreachable other warehouse, and `--dry-run`.
struct CompareSQLiteTests {
    static let project = """
        version: 1
        warehouses:
          main: { type: sqlite, path: warehouse.sqlite }
          replica: { type: sqlite, path: replica.sqlite }
        default_warehouse: main
        history: { path: .dqmon/history.sqlite }
        """

    func scenario(projectYAML: String = CompareSQLiteTests.project) throws -> ProjectFixture {
        let project = ProjectFixture(projectYAML: projectYAML)
        let main = try project.warehouse()
        for statement in CompareScenario.sourceStatements(table: "orders", timestamp: "text") { try main.execute(statement) }
        let replica = try WarehouseFixture(at: project.root.appendingPathComponent("replica.sqlite"))
        for statement in CompareScenario.copyStatements(table: "orders_copy", timestamp: "text") { try replica.execute(statement) }
        project.checks("orders.yml", CompareScenario.checks(copyWarehouse: "replica"))
        return project
    }

    @Test func eachMetricComparesWithTheOtherWarehouse() throws {
        let project = try scenario()
        let run = try CompareScenario.results(in: project)
        #expect(run.status == 1, "one compare fails: \(run.output)")
        for (id, expected) in CompareScenario.expected(copyWarehouse: "replica") {
            #expect(run.results[id]?.status == expected.status, "\(id): \(String(describing: run.results[id]))")
            #expect(run.results[id]?.message == expected.message, "\(id)")
        }
    }

    @Test func anUnreachableOtherWarehouseIsThatChecksErrorNamingIt() throws {
        let project = try scenario(projectYAML: Self.project.replacingOccurrences(of: "path: replica.sqlite", with: "path: gone/replica.sqlite"))
        project.checks("orders.yml", """
            version: 1
            datasets:
              - name: orders
                checks:
                  - compare: { metric: row_count, with: { table: orders_copy, warehouse: replica } }
                  - volume: { min_rows: 1 }
            """)
        let run = try CompareScenario.results(in: project)
        let compare = run.results["orders/compare"]
        #expect(compare?.status == "error", "\(run.output)")
        #expect(compare?.message.hasPrefix("warehouse 'replica' is unreachable, so orders_copy (warehouse 'replica') could not be measured: ") == true, "\(run.output)")
        #expect(run.results["orders/volume"]?.status == "pass", "the dataset's other checks still run: \(run.output)")
    }

    @Test func aMissingTableOrColumnOnTheOtherSideIsAnErrorNamingIt() throws {
        let project = try scenario()
        project.checks("orders.yml", """
            version: 1
            datasets:
              - name: orders
                checks:
                  - compare: { name: table, metric: row_count, with: { table: order_copy, warehouse: replica } }
                  - compare: { name: column, metric: { sum: amount }, with: { table: orders_copy, warehouse: replica, column: amount_eu } }
                  - compare: { name: own_column, metric: { sum: amont }, with: { table: orders_copy, warehouse: replica, column: amount_eur } }
            """)
        let run = try CompareScenario.results(in: project)
        #expect(run.results["orders/compare/table"]?.message == "table 'order_copy' not found in warehouse 'replica' (needed for order_copy (warehouse 'replica'))", "\(run.output)")
        #expect(run.results["orders/compare/column"]?.message == "column 'amount_eu' not found in orders_copy (warehouse 'replica') (did you mean 'amount_eur'?)", "\(run.output)")
        #expect(run.results["orders/compare/own_column"]?.message == "column 'amont' not found in orders (did you mean 'amount'?)", "\(run.output)")
        #expect(run.results.values.allSatisfy { $0.status == "error" }, "\(run.output)")
    }

    @Test func emptyTablesCompare() throws {
        let project = try scenario()
        try project.warehouse().execute("CREATE TABLE empty_a (amount numeric, updated_at text)")
        let replica = try WarehouseFixture(at: project.root.appendingPathComponent("replica.sqlite"))
        try replica.execute("CREATE TABLE empty_b (amount numeric, updated_at text)")
        for statement in CompareScenario.copyStatements(table: "orders_copy", timestamp: "text") { try replica.execute(statement) }
        project.checks("orders.yml", """
            version: 1
            datasets:
              - name: empty_a
                checks:
                  - compare: { name: sum, metric: { sum: amount }, with: { table: empty_b, warehouse: replica } }
                  - compare: { name: latest, metric: { max: updated_at }, with: { table: empty_b, warehouse: replica } }
                  - compare: { name: latest_vs_full, metric: { max: updated_at }, with: { table: orders_copy, warehouse: replica } }
            """)
        let run = try CompareScenario.results(in: project)
        #expect(run.results["empty_a/compare/sum"]?.status == "pass", "a sum of no rows is 0: \(run.output)")
        #expect(run.results["empty_a/compare/sum"]?.message == "sum(amount): 0 in empty_a vs 0 in empty_b (warehouse 'replica'); equal")
        #expect(run.results["empty_a/compare/latest"]?.message == "latest updated_at: neither empty_a nor empty_b (warehouse 'replica') has rows")
        #expect(run.results["empty_a/compare/latest_vs_full"]?.status == "fail")
        #expect(run.results["empty_a/compare/latest_vs_full"]?.message == "latest updated_at: none in empty_a (no rows) vs 2026-11-25T11:30:00Z in orders_copy (warehouse 'replica')", "\(run.output)")
    }

    @Test func dryRunPrintsBothStatementsWithoutConnecting() throws {
        let project = try scenario(projectYAML: Self.project.replacingOccurrences(of: "path: replica.sqlite", with: "path: gone/replica.sqlite"))
        let output = try dqmon(["check", "--all", "--dry-run", "--now", "2026-11-25T12:00:00Z"], in: project)
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout.contains("-- orders: orders/compare/rows row_count of orders (its own statement, on warehouse 'main')"), "\(output.stdout)")
        #expect(output.stdout.contains("-- orders: orders/compare/rows row_count of orders_copy (warehouse 'replica') (its own statement, on warehouse 'replica')"), "\(output.stdout)")
        #expect(output.stdout.contains("SELECT dqmon_scan.m0 FROM (SELECT sum(\"amount_eur\") AS m0 FROM \"orders_copy\") AS dqmon_scan;"), "\(output.stdout)")
        #expect(output.stdout.contains("FROM (SELECT * FROM \"orders_copy\" WHERE (region = 'EU')) AS dqmon_rows"), "\(output.stdout)")
    }
}
