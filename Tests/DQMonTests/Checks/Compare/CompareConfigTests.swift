import DQMon
import DQMonTestSupport
import Foundation
import Testing

/// Bad `compare` settings are config errors at `file:line:column`, one line each, with exit 3 and nothing run;
/// unknown datasets and warehouses get a did-you-mean.
@Suite struct CompareConfigTests {
    static let project = """
        version: 1
        warehouses:
          main: { type: sqlite, path: warehouse.sqlite }
          replica: { type: sqlite, path: replica.sqlite }
        default_warehouse: main
        """

    static func file(_ check: String) -> String {
        "version: 1\ndatasets:\n  - name: orders\n    checks:\n      - \(check)\n  - name: orders_copy\n    warehouse: replica\n    checks:\n      - volume: { min_rows: 1 }\n"
    }

    static let cases: [(check: String, expected: String)] = [
        ("compare: { metric: row_count, with: { dataset: orders_cpy } }",
         "checks/orders.yml:5:56: unknown dataset 'orders_cpy' in 'with' (did you mean 'orders_copy'?); compare reads a dataset defined under 'datasets' (or use 'table' and 'warehouse' for a table no dataset describes)"),
        ("compare: { metric: row_count, with: { table: orders_copy, warehouse: replca } }",
         "checks/orders.yml:5:78: unknown warehouse 'replca' in 'with' (did you mean 'replica'?); define it under 'warehouses' in dqmon.yml"),
        ("compare: { metric: row_count, with: { dataset: orders_copy, warehouse: main } }",
         "checks/orders.yml:5:80: dataset 'orders_copy' is in warehouse 'replica', not 'main'; drop 'warehouse' (a dataset's own applies) or name the right one"),
        ("compare: { metric: row_count, with: { dataset: orders_copy, warehouse: replika } }",
         "checks/orders.yml:5:80: unknown warehouse 'replika' in 'with' (did you mean 'replica'?); define it under 'warehouses' in dqmon.yml"),
        ("compare: { metric: rowcount, with: { dataset: orders_copy } }",
         "checks/orders.yml:5:28: 'metric' must be row_count, { sum: <column> } or { max: <timestamp column> }, got 'rowcount' (did you mean 'row_count'?)"),
        ("compare: { metric: { total: amount }, with: { dataset: orders_copy } }",
         "checks/orders.yml:5:30: unknown key 'total' in 'metric'"),
        ("compare: { metric: { sum: amount, max: at }, with: { dataset: orders_copy } }",
         "checks/orders.yml:5:28: 'metric' must be row_count, { sum: <column> } or { max: <timestamp column> }: one metric per compare check, got sum and max"),
        ("compare: { metric: row_count }",
         "checks/orders.yml:5:18: compare check needs 'with'"),
        ("compare: { with: { dataset: orders_copy } }",
         "checks/orders.yml:5:18: compare check needs 'metric'"),
        ("compare: { metric: row_count, with: { warehouse: replica } }",
         "checks/orders.yml:5:45: 'with' needs 'dataset' (a dataset of checks/) or 'table' (a table, with 'warehouse' when it is in another one)"),
        ("compare: { metric: row_count, with: { dataset: orders_copy, table: t } }",
         "checks/orders.yml:5:76: 'with' takes 'dataset' or 'table', not both: 'dataset' names a dataset of checks/, 'table' a table no dataset describes"),
        ("compare: { metric: row_count, with: { dataset: orders_copy, colum: id } }",
         "checks/orders.yml:5:69: unknown key 'colum' in 'with' (did you mean 'column'?)"),
        ("compare: { metric: row_count, with: { dataset: orders_copy }, tolerance: 101% }",
         "checks/orders.yml:5:82: 'tolerance' must be between 0% and 100%, got '101%'"),
        ("compare: { metric: row_count, with: { dataset: orders_copy }, tolerance: -3 }",
         "checks/orders.yml:5:82: 'tolerance' must be a percent of the compared value such as '1%' or an amount from 0 to 999,999,999,999,999 such as '100', got '-3'"),
        ("compare: { metric: { max: at }, with: { dataset: orders_copy }, tolerance: 5% }",
         "checks/orders.yml:5:84: 'tolerance' must be a duration such as '1h' for a max timestamp (a percent of a timestamp means nothing), got '5%'"),
        ("compare: { metric: row_count, with: { dataset: orders_copy }, tolerance: { warn: 5%, fail: 1% } }",
         "checks/orders.yml:5:90: 'warn' (5%) must be below 'fail' (1%): a difference above 'fail' fails, so this could never warn"),
        ("compare: { metric: row_count, with: { dataset: orders_copy }, tolerance: { } }",
         "checks/orders.yml:5:82: 'tolerance' needs 'warn' or 'fail' (e.g. tolerance: { warn: 1%, fail: 5% }), or write one value: tolerance: 5%"),
        ("compare: { metric: row_count, with: { dataset: orders_copy, where: ' ' } }",
         "checks/orders.yml:5:76: 'where' is empty; write a SQL condition on the dataset's columns, e.g. where: \"created_at >= '2026-01-01'\""),
        ("compare: { metric: { sum: '' }, with: { dataset: orders_copy } }",
         "checks/orders.yml:5:35: 'sum' needs a column name"),
    ]

    @Test(arguments: cases.indices)
    func reportsExactMessage(_ index: Int) {
        let testCase = Self.cases[index]
        #expect(ProjectFixture.configErrors(checks: Self.file(testCase.check), project: Self.project) == [testCase.expected])
    }

    /// Valid shapes, flow and block, load without errors.
    @Test func validShapesLoad() {
        for check in [
            "compare: { metric: row_count, with: { dataset: orders_copy } }",
            "compare: { metric: row_count, with: { dataset: orders_copy, warehouse: replica }, tolerance: { warn: 1%, fail: 5% } }",
            "compare: { metric: { sum: amount }, with: { dataset: orders_copy, column: amount_eur }, tolerance: 0.5 }",
            "compare: { metric: { max: updated_at }, with: { table: analytics.orders, warehouse: replica }, tolerance: 0 }",
            "compare: { metric: { max: updated_at }, with: { dataset: orders }, tolerance: { warn: 10m, fail: 1h } }",
            "compare:\n          metric: row_count\n          where: \"day = current_date\"\n          with:\n            dataset: orders_copy\n            where: \"day = current_date\"\n          tolerance: 100",
        ] {
            #expect(ProjectFixture.configErrors(checks: Self.file(check), project: Self.project).isEmpty, "\(check)")
        }
    }

    /// A bad setting in many shapes (flow or block, extra valid keys around it): exactly one error, on its line.
    @Test func everyVariantNamesTheBadValuesLine() {
        let seed = UInt64(ProcessInfo.processInfo.environment["DQMON_TEST_SEED"] ?? "") ?? 13_2027
        var random = SeededRandom(seed: seed)
        let bad: [(key: String, value: String)] = [
            ("tolerance", "'5 %%'"), ("tolerance", "lots"), ("tolerance", "1e400"), ("metric", "rows"), ("metric", "{ avg: x }"),
            ("with", "{ dataset: nope_nope }"), ("with", "{ table: t, warehouse: nowhere }"), ("with", "[orders_copy]"), ("where", "''"),
        ]
        for iteration in 0..<120 {
            let (key, value) = bad[Int.random(in: 0..<bad.count, using: &random)]
            var fields: [(String, String)] = [("metric", "row_count"), ("with", "{ dataset: orders_copy }"), ("tolerance", "5%")]
            fields.removeAll { $0.0 == key }
            fields.insert((key, value), at: Int.random(in: 0...fields.count, using: &random))
            if Bool.random(using: &random) { fields.append(("name", "c\(iteration)")) }
            let block = Bool.random(using: &random)
            let check = block
                ? "compare:\n" + fields.map { "          \($0.0): \($0.1)" }.joined(separator: "\n")
                : "compare: { " + fields.map { "\($0.0): \($0.1)" }.joined(separator: ", ") + " }"
            let errors = ProjectFixture.configErrors(checks: Self.file(check), project: Self.project)
            let badLine = block ? 6 + fields.firstIndex { $0.0 == key }! : 5
            #expect(errors.count == 1, "seed \(seed) iteration \(iteration): \(check)\n\(errors)")
            #expect(errors.first?.hasPrefix("checks/orders.yml:\(badLine):") == true, "seed \(seed) iteration \(iteration): \(check)\n\(errors)")
        }
    }

    @Test func checkExitsThreeAndRunsNothing() throws {
        let project = ProjectFixture(projectYAML: Self.project + "\nhistory: { path: .dqmon/history.sqlite }\n")
        project.checks("orders.yml", Self.file("compare: { metric: row_count, with: { dataset: orders_cpy } }"))
        let output = try dqmon(["check", "--all", "--now", "2026-11-25T12:00:00Z"], in: project)
        #expect(output.status == 3, "\(output.stderr)")
        #expect(output.stderr.contains("checks/orders.yml:5:56: unknown dataset 'orders_cpy' in 'with' (did you mean 'orders_copy'?)"), "\(output.stderr)")
        #expect(!FileManager.default.fileExists(atPath: project.historyURL.path), "nothing ran")
    }
}
