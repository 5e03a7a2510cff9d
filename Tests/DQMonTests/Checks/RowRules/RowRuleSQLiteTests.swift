import DQMon
import DQMonTestSupport
import Foundation
import Testing

/// Every business-rule check type through `dqmon check` on SQLite: counts, percents, thresholds, NULLs, an empty
/// table, quoted mixed-case names, `where:` on the check and on the dataset, and the statements `--dry-run` shows.
struct RowRuleSQLiteTests {
    func scenario() throws -> ProjectFixture {
        let project = ProjectFixture()
        let warehouse = try project.warehouse()
        for statement in RowRuleScenario.statements(table: "\"Orders\"", timestamp: "text") { try warehouse.execute(statement) }
        project.checks("orders.yml", RowRuleScenario.checks(table: "\"Orders\""))
        return project
    }

    @Test func everyTypeCountsItsFailingRows() throws {
        let project = try scenario()
        let run = try RowRuleScenario.results(in: project)
        #expect(run.status == 1, "\(run.output)")
        for (id, expected) in RowRuleScenario.expected {
            #expect(run.results[id]?.status == expected.status, "\(id): \(String(describing: run.results[id]))")
            #expect(run.results[id]?.message == expected.message, "\(id)")
        }
        #expect(run.results.count == RowRuleScenario.expected.count, "\(run.results.keys.sorted())")
    }

    @Test func dryRunPrintsTheDatasetStatementAndEachStatementOfItsOwn() throws {
        let project = try scenario()
        let output = try dqmon(["check", "--all", "--dry-run", "--now", "2026-11-25T12:00:00Z"], in: project)
        #expect(output.status == 0, "\(output.stderr)")
        // The foldable checks share one statement; the composite key runs on its own.
        #expect(output.stdout.contains("count(CASE WHEN (\"Status\" IS NULL OR CAST(\"Status\" AS TEXT) IN ('', 'N/A')) THEN 1 END)"), "\(output.stdout)")
        #expect(output.stdout.contains("CAST(\"sku\" AS TEXT) REGEXP '^[A-Z]{3}-[0-9]+$'"), "\(output.stdout)")
        #expect(output.stdout.contains("count(\"order_id\") - count(DISTINCT \"order_id\")"), "\(output.stdout)")
        #expect(output.stdout.contains("-- Orders: duplicate_count(order_id, line_no) (its own statement)"), "\(output.stdout)")
        #expect(output.stdout.contains("GROUP BY \"order_id\", \"line_no\" HAVING count(*) > 1"), "\(output.stdout)")
        #expect(output.stdout.contains("AND NOT EXISTS (SELECT 1 FROM \"Placed\" AS dqmon_parent WHERE dqmon_parent.\"id\" = dqmon_child.\"order_id\")"), "\(output.stdout)")
        #expect(output.stdout.contains("SELECT count(*) FROM (select * from \"Orders\" where amount < 0) AS dqmon_failing;"), "\(output.stdout)")
        let orderStatements = output.stdout.split(separator: "\n").filter { $0.hasPrefix("SELECT") && $0.contains("FROM \"Orders\"") }
        #expect(orderStatements.count == 9, "one folded statement, the composite key's, the two references' and five offending-value lists: \(orderStatements)")
        #expect(output.stdout.contains("-- Orders: Orders/accepted_values most frequent offending values (only when the check warns or fails)"), "\(output.stdout)")
        #expect(output.stdout.contains("SELECT CAST(\"Status\" AS TEXT), count(*) FROM \"Orders\" WHERE (\"Status\" IS NOT NULL AND CAST(\"Status\" AS TEXT) NOT IN ('paid', 'refunded', 'void')) GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 3;"), "\(output.stdout)")
    }

    @Test func datasetWhereAndCheckWhereBothApply() throws {
        let project = try scenario()
        project.checks("orders.yml", """
            version: 1
            datasets:
              - name: Orders
                where: "region = 'US' AND id < 7"
                checks:
                  - accepted_values: { column: Status, values: [paid, refunded, void], where: "amount > 0" }
                  - volume: { min_rows: 4 }
                  - freshness: { column: created_at, error_after: 30d }
                  - duplicates: { columns: [order_id, line_no], where: "amount > 0" }
            """)
        let run = try RowRuleScenario.results(in: project)
        #expect(run.results["Orders/accepted_values"]?.message == "1 of 1 rows (100%) have Status outside [paid, refunded, void] where amount > 0 (fail > 0); most frequent: 'lost' (1)", "\(run.output)")
        #expect(run.results["Orders/volume"]?.message == "2 rows, below min_rows 4", "the dataset's where: narrows every metric")
        #expect(run.results["Orders/freshness"]?.message.contains("latest created_at = 2026-11-23T10:00:00Z") == true,
                "the latest row the where: keeps, not 2026-11-25's: \(run.output)")
        #expect(run.results["Orders/duplicates"]?.message == "0 of 1 rows (0%) repeat another row's (order_id, line_no) where amount > 0", "\(run.output)")
    }

    /// `list_values: false` keeps the values out of the message (and so out of alerts and the history), sends no
    /// follow-up statement, and is a config error on the checks that list no values or with a non-boolean value.
    @Test func listValuesFalseKeepsTheValuesOutOfTheMessage() throws {
        let project = try scenario()
        project.checks("orders.yml", """
            version: 1
            datasets:
              - name: Orders
                checks:
                  - accepted_values: { column: Status, values: [paid, refunded, void], list_values: false }
                  - pattern: { column: sku, regex: '^[A-Z]{3}-[0-9]+$', list_values: false }
                  - range: { column: amount, min: 0, max: 100, list_values: true }
            """)
        let run = try RowRuleScenario.results(in: project)
        #expect(run.results["Orders/accepted_values"]?.message == "3 of 8 rows (37.5%) have Status outside [paid, refunded, void] (fail > 0)", "\(run.output)")
        #expect(run.results["Orders/pattern"]?.message == "3 of 8 rows (37.5%) have sku not matching '^[A-Z]{3}-[0-9]+$' (fail > 0)", "\(run.output)")
        #expect(run.results["Orders/range"]?.message.hasSuffix("most frequent: '-5' (1), '1000' (1)") == true, "\(run.output)")
        let dryRun = try dqmon(["check", "--all", "--dry-run", "--now", "2026-11-25T12:00:00Z"], in: project)
        #expect(!dryRun.stdout.contains("Orders/accepted_values most frequent"), "\(dryRun.stdout)")
        #expect(dryRun.stdout.contains("Orders/range most frequent"), "\(dryRun.stdout)")
        for (check, expected) in [
            ("missing: { column: Status, list_values: false }", "unknown key 'list_values'"),
            ("accepted_values: { column: Status, values: [paid], list_values: maybe }", "'list_values' must be true or false, got 'maybe'"),
        ] {
            project.checks("orders.yml", "version: 1\ndatasets:\n  - name: Orders\n    checks:\n      - \(check)\n")
            let output = try dqmon(["check", "--all", "--now", "2026-11-25T12:00:00Z"], in: project)
            #expect(output.status == 3 && output.stderr.contains("checks/orders.yml:5:") && output.stderr.contains(expected), "\(check): \(output.stderr)")
        }
    }

    @Test func anUnknownColumnIsThatChecksErrorNamingIt() throws {
        let project = try scenario()
        project.checks("orders.yml", """
            version: 1
            datasets:
              - name: Orders
                checks:
                  - pattern: { column: skew, regex: 'x' }
                  - missing: { column: Status }
            """)
        let run = try RowRuleScenario.results(in: project)
        #expect(run.results["Orders/pattern"]?.status == "error")
        #expect(run.results["Orders/pattern"]?.message.hasPrefix("column 'skew' not found in Orders (did you mean 'sku'?)") == true, "\(run.output)")
        #expect(run.results["Orders/missing"]?.status == "fail")
    }

    /// Offending values are read as text and shown escaped and cut: a value cannot break the message's line or
    /// drive a terminal. The most frequent come first, ties by value; a passing check sends no such query.
    @Test func offendingValuesAreEscapedCutAndMostFrequentFirst() throws {
        let project = ProjectFixture()
        let warehouse = try project.warehouse()
        try warehouse.execute("CREATE TABLE payments (id integer, status text)")
        let hostile = "\u{1B}[31mred\nnext line" + String(repeating: "x", count: 100)
        for (id, status) in [(1, "paid"), (2, "refundd"), (3, "refundd"), (4, hostile), (5, "N/A"), (6, "zzz"), (7, "refundd")] {
            try warehouse.execute("INSERT INTO payments VALUES (?, ?)", [id, status])
        }
        project.checks("payments.yml", """
            version: 1
            datasets:
              - name: payments
                checks:
                  - accepted_values: { column: status, values: [paid, refunded, void] }
                  - accepted_values: { name: passing, column: status, values: [paid, refunded, void], fail: 100 }
            """)
        let run = try RowRuleScenario.results(in: project)
        let message = try #require(run.results["payments/accepted_values"]?.message, "\(run.output)")
        #expect(message == "6 of 7 rows (85.71%) have status outside [paid, refunded, void] (fail > 0); most frequent: 'refundd' (3), '\\u{1b}[31mred\\nnext linexxxxxxxxxxxxxxxxxxxxxx…' (1), 'N/A' (1)", "\(message)")
        #expect(!message.contains("\u{1B}") && !message.contains("\n"))
        #expect(run.results["payments/accepted_values/passing"]?.message == "6 of 7 rows (85.71%) have status outside [paid, refunded, void]", "a passing check names no values: \(run.output)")
    }
}
