import DQMon
import DQMonTestSupport
import Foundation

/// One data set and one checks file for every business-rule check type, written the same way to SQLite and to
/// PostgreSQL, so both warehouses must give the same counts and messages. The table and one column have
/// mixed-case names (quoted by the dialect); the rows hold NULLs, empty text and out-of-list values.
enum RowRuleScenario {
    /// `CREATE TABLE` and `INSERT` for a table named `table` (already qualified and quoted); `timestamp` is the
    /// warehouse's type for `created_at`.
    static func statements(table: String, timestamp: String) -> [String] {
        [
            """
            CREATE TABLE \(table) (id integer, "Status" text, amount numeric, sku text, region text, \
            created_at \(timestamp), order_id integer, line_no integer)
            """,
            """
            INSERT INTO \(table) (id, "Status", amount, sku, region, created_at, order_id, line_no) VALUES
            (1, 'paid', 10, 'ABC-1', 'EU', '2026-11-20 10:00:00', 1, 1),
            (2, 'paid', 20, 'ABC-22', 'EU', '2026-11-21 10:00:00', 2, 1),
            (3, 'refunded', -5, 'abc-3', 'US', '2026-11-22 10:00:00', 3, 1),
            (4, 'lost', 30, 'XYZ-4', 'US', '2026-11-23 10:00:00', 3, 2),
            (5, NULL, 40, NULL, 'EU', '2026-11-24 10:00:00', 4, 1),
            (6, '', 50, 'XY-5', 'EU', '2026-11-24 11:00:00', 4, 1),
            (7, 'N/A', 1000, 'QQQ-7', 'US', '2026-11-25 10:00:00', 4, 2),
            (8, 'void', 60, 'QQQ-7x', 'EU', '2019-01-01 00:00:00', NULL, 1)
            """,
            "CREATE TABLE \(table.replacingOccurrences(of: "\"Orders\"", with: "\"Empty\"")) (id integer, \"Status\" text, sku text)",
            "CREATE TABLE \(table.replacingOccurrences(of: "\"Orders\"", with: "\"Placed\"")) (id integer)",
            "INSERT INTO \(table.replacingOccurrences(of: "\"Orders\"", with: "\"Placed\"")) (id) VALUES (1), (2), (3), (NULL)",
        ]
    }

    /// The checks file; `table` is the orders table as a user's `sql:` query names it on that warehouse.
    static func checks(table: String) -> String { """
        version: 1
        datasets:
          - name: Orders
            checks:
              - missing: { column: Status, missing_values: ['', 'N/A'] }
              - missing: { name: sku, column: sku, warn: 0, fail: 20% }
              - missing: { name: eu, column: Status, missing_values: [''], where: "region = 'EU'" }
              - accepted_values: { column: Status, values: [paid, refunded, void] }
              - accepted_values: { name: strict, column: Status, values: [paid, refunded, void, lost, '', N/A], allow_null: false }
              - range: { column: amount, min: 0, max: 100, warn: 0, fail: 30% }
              - range: { name: created, column: created_at, min: 2020-01-01, max: 2026-11-24T23:59:59Z }
              - pattern: { column: sku, regex: '^[A-Z]{3}-[0-9]+$' }
              - duplicates: { column: order_id }
              - duplicates: { name: line, columns: [order_id, line_no] }
              - references: { column: order_id, to_dataset: Placed, to_column: id }
              - references: { name: us, column: order_id, to_dataset: Placed, to_column: id, where: "region = 'US'", fail: 50% }
              - sql: { query: 'select * from \(table) where amount < 0;' }
              - sql: { name: none, query: 'select id from \(table) where amount > 5000', warn: 0 }
          - name: Empty
            checks:
              - missing: { column: Status }
              - pattern: { column: sku, regex: '^x' }
              - duplicates: { columns: [id, sku] }
              - references: { column: id, to_dataset: Placed, to_column: id }
          - name: Placed
            checks:
              - duplicates: { column: id }
        """
    }

    /// The status and message each check must report, on every warehouse.
    static let expected: [String: (status: String, message: String)] = [
        "Orders/missing": ("fail", "3 of 8 rows (37.5%) have Status missing (NULL, '', 'N/A') (fail > 0)"),
        "Orders/missing/sku": ("warn", "1 of 8 rows (12.5%) have sku missing (NULL) (warn > 0)"),
        "Orders/missing/eu": ("fail", "2 of 5 rows (40%) have Status missing (NULL, '') where region = 'EU' (fail > 0)"),
        "Orders/accepted_values": ("fail", "3 of 8 rows (37.5%) have Status outside [paid, refunded, void] (fail > 0); most frequent: '' (1), 'N/A' (1), 'lost' (1)"),
        "Orders/accepted_values/strict": ("fail", "1 of 8 rows (12.5%) have Status outside [paid, refunded, void, lost, , N/A] or NULL (fail > 0); most frequent: NULL (1)"),
        "Orders/range": ("warn", "2 of 8 rows (25%) have amount outside [0, 100] (warn > 0); most frequent: '-5' (1), '1000' (1)"),
        "Orders/range/created": ("fail", "2 of 8 rows (25%) have created_at outside [2020-01-01, 2026-11-24T23:59:59Z] (fail > 0); most frequent: '2019-01-01 00:00:00' (1), '2026-11-25 10:00:00' (1)"),
        "Orders/pattern": ("fail", "3 of 8 rows (37.5%) have sku not matching '^[A-Z]{3}-[0-9]+$' (fail > 0); most frequent: 'QQQ-7x' (1), 'XY-5' (1), 'abc-3' (1)"),
        "Orders/duplicates": ("fail", "3 of 8 rows (37.5%) repeat another row's order_id (fail > 0)"),
        "Orders/duplicates/line": ("fail", "1 of 8 rows (12.5%) repeat another row's (order_id, line_no) (fail > 0)"),
        "Orders/references": ("fail", "3 of 8 rows (37.5%) have order_id with no match in Placed.id (fail > 0)"),
        "Orders/references/us": ("pass", "1 of 3 rows (33.33%) have order_id with no match in Placed.id where region = 'US'"),
        "Orders/sql": ("fail", "1 row returned by the check's query (fail > 0)"),
        "Orders/sql/none": ("pass", "0 rows returned by the check's query"),
        "Empty/references": ("pass", "0 of 0 rows (0%) have id with no match in Placed.id"),
        "Placed/duplicates": ("pass", "0 of 4 rows (0%) repeat another row's id"),
        "Empty/missing": ("pass", "0 of 0 rows (0%) have Status missing (NULL)"),
        "Empty/pattern": ("pass", "0 of 0 rows (0%) have sku not matching '^x'"),
        "Empty/duplicates": ("pass", "0 of 0 rows (0%) repeat another row's (id, sku)"),
    ]

    /// Runs `dqmon check --all --format json` in `project` and returns each result's status and message by id.
    static func results(in project: ProjectFixture, arguments: [String] = []) throws -> (status: Int32, results: [String: (status: String, message: String)], output: String) {
        let output = try dqmon(["check", "--all", "--format", "json", "--now", "2026-11-25T12:00:00Z"] + arguments, in: project)
        var byID: [String: (status: String, message: String)] = [:]
        for (id, result) in output.checkResults ?? [:] {
            byID[id] = (result["status"] as? String ?? "?", result["message"] as? String ?? "?")
        }
        return (output.status, byID, output.stdout + output.stderr)
    }
}
