import DQMon
import DQMonTestSupport
import Foundation

/// A source table and its copy in another warehouse, written the same way to SQLite and PostgreSQL: the copy lacks
/// the source's latest row and names the amount column differently, so each compared metric differs by a known amount.
enum CompareScenario {
    /// The source, `orders` (5 rows: 3 EU, 2 US; amounts sum to 150.5; latest 11:45).
    static func sourceStatements(table: String, timestamp: String) -> [String] {
        [
            "CREATE TABLE \(table) (id integer, amount numeric, region text, updated_at \(timestamp))",
            """
            INSERT INTO \(table) (id, amount, region, updated_at) VALUES
            (1, 10, 'EU', '2026-11-25 10:00:00'), (2, 20, 'EU', '2026-11-25 10:30:00'), (3, 30, 'US', '2026-11-25 11:00:00'),
            (4, 40, 'US', '2026-11-25 11:30:00'), (5, 50.5, 'EU', '2026-11-25 11:45:00')
            """,
        ]
    }

    /// The copy, `orders_copy` (the first 4 rows; amounts in `amount_eur`, summing to 100; latest 11:30).
    static func copyStatements(table: String, timestamp: String) -> [String] {
        [
            "CREATE TABLE \(table) (id integer, amount_eur numeric, region text, updated_at \(timestamp))",
            """
            INSERT INTO \(table) (id, amount_eur, region, updated_at) VALUES
            (1, 10, 'EU', '2026-11-25 10:00:00'), (2, 20, 'EU', '2026-11-25 10:30:00'), (3, 30, 'US', '2026-11-25 11:00:00'),
            (4, 40, 'US', '2026-11-25 11:30:00')
            """,
        ]
    }

    /// `orders` in warehouse `main`, `orders_copy` in `copyWarehouse`; one compare check of each kind.
    static func checks(copyWarehouse: String) -> String { """
        version: 1
        datasets:
          - name: orders
            warehouse: main
            checks:
              - compare: { name: rows, metric: row_count, with: { dataset: orders_copy }, tolerance: { warn: 10%, fail: 30% } }
              - compare:
                  name: eu_rows
                  metric: row_count
                  where: "region = 'EU'"
                  with: { dataset: orders_copy, where: "region = 'EU'" }
              - compare: { name: us_rows, metric: row_count, where: "region = 'US'", with: { dataset: orders_copy, where: "region = 'US'" } }
              - compare: { name: amount, metric: { sum: amount }, with: { dataset: orders_copy, column: amount_eur }, tolerance: 100 }
              - compare: { name: latest, metric: { max: updated_at }, with: { dataset: orders_copy }, tolerance: { warn: 10m, fail: 1h } }
              - compare: { name: bare_table, metric: row_count, with: { table: orders_copy, warehouse: \(copyWarehouse) }, tolerance: 1 }
              - compare: { name: regions, metric: row_count, where: "region = 'EU'", with: { dataset: orders, where: "region = 'US'" }, tolerance: 50% }
          - name: orders_copy
            warehouse: \(copyWarehouse)
            checks:
              - volume: { min_rows: 1 }
        """
    }

    static func expected(copyWarehouse: String) -> [String: (status: String, message: String)] {
        let copy = "orders_copy (warehouse '\(copyWarehouse)')"
        return [
            "orders/compare/rows": ("warn", "row_count: 5 in orders vs 4 in \(copy); differs by 1 (25%) (warn > 10%)"),
            "orders/compare/eu_rows": ("fail", "row_count: 3 in orders where region = 'EU' vs 2 in \(copy) where region = 'EU'; differs by 1 (50%) (fail > 0)"),
            "orders/compare/us_rows": ("pass", "row_count: 2 in orders where region = 'US' vs 2 in \(copy) where region = 'US'; equal"),
            "orders/compare/amount": ("pass", "sum(amount): 150.50 in orders vs 100 in \(copy); differs by 50.50 (50.5%)"),
            "orders/compare/latest": ("warn", "latest updated_at: 2026-11-25T11:45:00Z in orders vs 2026-11-25T11:30:00Z in \(copy); differs by 15m (warn > 10m)"),
            "orders/compare/bare_table": ("pass", "row_count: 5 in orders vs 4 in orders_copy (warehouse '\(copyWarehouse)'); differs by 1 (25%)"),
            "orders/compare/regions": ("pass", "row_count: 3 in orders where region = 'EU' vs 2 in orders where region = 'US'; differs by 1 (50%)"),
        ]
    }

    static func results(in project: ProjectFixture, arguments: [String] = []) throws -> (status: Int32, results: [String: (status: String, message: String)], output: String) {
        let output = try dqmon(["check", "--all", "--format", "json", "--now", "2026-11-25T12:00:00Z"] + arguments, in: project)
        var byID: [String: (status: String, message: String)] = [:]
        for (id, result) in output.checkResults ?? [:] {
            byID[id] = (result["status"] as? String ?? "?", result["message"] as? String ?? "?")
        }
        return (output.status, byID, output.stdout + output.stderr)
    }
}
