import DQMon
import DQMonTestSupport
import Foundation
import Testing

/// Schema check config errors (exact `file:line:column` lines) and `dqmon history DATASET --schema`.
@Suite struct SchemaCommandTests {
    func errors(_ checkLine: String) -> [String] {
        ProjectFixture(dataset: "orders", checks: checkLine).configErrors()
    }

    @Test func badSeverityAndMisspeltContractType() {
        #expect(errors("      - schema: { on_removed: fial, contract: { amount: numberic } }") == [
            "checks/orders.yml:5:31: 'on_removed' must be one of fail, warn, info, none, got 'fial' (did you mean 'fail'?)",
            "checks/orders.yml:5:57: unknown type 'numberic' for column 'amount' in 'contract' (did you mean 'numeric'?)",
        ])
    }

    @Test func unknownKeyAndContractShape() {
        #expect(errors("      - schema: { on_remove: warn }") == [
            "checks/orders.yml:5:19: unknown key 'on_remove' in schema check (did you mean 'on_removed'?)",
        ])
        #expect(errors("      - schema: { contract: [id, amount] }") == [
            "checks/orders.yml:5:29: 'contract' must be a mapping of column to type, e.g. { id: bigint, amount: numeric }, not a list",
        ])
        #expect(errors("      - schema: { contract: { id: bigint, tags: \"int4[]\", status: order_status } }").isEmpty)
    }

    @Test func historyShowsSnapshotsAndChanges() throws {
        let fixture = ProjectFixture(dataset: "orders", checks: "      - schema: {}")
        let warehouse = try fixture.warehouse()
        try warehouse.execute("CREATE TABLE orders (id INTEGER, amount NUMERIC, discount NUMERIC)")
        let dqmon = { (arguments: [String]) in try DQMonTestSupport.dqmon(arguments, in: fixture) }
        #expect(try dqmon(["check", "--now", "2026-11-25T12:00:00Z"]).status == 0)
        try warehouse.execute("ALTER TABLE orders DROP COLUMN discount")
        let failed = try dqmon(["check", "--now", "2026-11-25T13:00:00Z"])
        #expect(failed.status == 1)
        #expect(failed.stdout.contains("removed column \"discount\""))

        let table = try dqmon(["history", "orders", "--schema"])
        #expect(table.status == 0)
        #expect(table.stdout.contains("orders: 2 schema snapshots (stored when the columns change), newest first"))
        #expect(table.stdout.contains("2026-11-25T13:00:00Z  2        removed column \"discount\""))
        #expect(table.stdout.contains("2026-11-25T12:00:00Z  3        baseline (first snapshot)"))
        #expect(table.stdout.contains("2    amount  numeric  NUMERIC   yes"))

        let json = try dqmon(["history", "orders", "--schema", "--format", "json"])
        let document = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        let snapshots = document?["snapshots"] as? [[String: Any]]
        #expect(document?["version"] as? String == "1")
        #expect(snapshots?.count == 2)
        #expect(snapshots?.first?["baseline"] as? Bool == false)
        let changes = snapshots?.first?["changes"] as? [[String: Any]]
        #expect(changes?.first?["kind"] as? String == "removed")
        #expect(changes?.first?["message"] as? String == "removed column \"discount\"")
        #expect((snapshots?.first?["columns"] as? [[String: Any]])?.first?["declared_type"] as? String == "INTEGER")

        let unknown = try dqmon(["history", "ordres", "--schema"])
        #expect(unknown.status == 3)
        #expect(unknown.stderr.contains("unknown dataset 'ordres' (did you mean 'orders'?)"))
    }
}
