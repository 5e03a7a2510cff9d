import DQMon
import DQMonTestSupport
import Foundation
import Testing

/// Bad business-rule settings are config errors at `file:line:column`, one line each, with exit 3 and nothing run.
@Suite struct RowRuleConfigTests {
    static func file(_ check: String) -> String {
        "version: 1\ndatasets:\n  - name: orders\n    checks:\n      - \(check)\n"
    }

    static let cases: [(check: String, expected: String)] = [
        ("pattern: { column: sku, regex: '[A-Z' }",
         "checks/orders.yml:5:40: 'regex' '[A-Z' is not a valid regular expression (check brackets, parentheses and escapes)"),
        (#"pattern: { column: sku, regex: '\bA' }"#,
         #"checks/orders.yml:5:40: 'regex' '\bA' uses '\b', which means a word boundary in SQLite's regexp and a backspace in PostgreSQL: use '\y' on PostgreSQL only, or spell the boundary with a character class"#),
        ("pattern: { column: sku, regex: '' }",
         "checks/orders.yml:5:40: 'regex' is empty; write the pattern values must match, e.g. regex: '^[A-Z]{3}-[0-9]+$'"),
        ("accepted_values: { column: status, values: [] }",
         "checks/orders.yml:5:52: 'values' is empty: list the accepted values, e.g. values: [paid, refunded, void]"),
        ("range: { column: amount, min: 10, max: 2 }",
         "checks/orders.yml:5:39: 'min' (10) is greater than 'max' (2): no value could pass"),
        ("range: { column: amount, min: 2026-01-02, max: 2026-01-01 }",
         "checks/orders.yml:5:39: 'min' (2026-01-02) is greater than 'max' (2026-01-01): no value could pass"),
        ("range: { column: amount, min: 0, max: 2026-01-01 }",
         "checks/orders.yml:5:47: 'min' and 'max' must both be numbers or both be dates/timestamps, got '0' and '2026-01-01'"),
        ("range: { column: amount, max: lots }",
         "checks/orders.yml:5:39: 'max' must be a number or an ISO 8601 date or timestamp (e.g. 0, 2.5, 2026-01-01, 2026-01-01T00:00:00Z), got 'lots'"),
        ("range: { column: amount }",
         "checks/orders.yml:5:16: range check needs 'min', 'max' or both, e.g. { column: amount, min: 0, max: 10000 }"),
        ("missing: { column: status, fail: 1.5 }",
         "checks/orders.yml:5:42: 'fail' must be a count of rows (0 to 1000000000000000) or a percent of rows such as '1%', got '1.5'"),
        ("missing: { column: status, warn: 5%, fail: 2% }",
         "checks/orders.yml:5:42: 'warn' (5%) must be below 'fail' (2%): rows above 'fail' fail, so this could never warn"),
        ("missing: { column: status, fail: 101% }",
         "checks/orders.yml:5:42: 'fail' must be between 0% and 100%, got '101%'"),
        ("missing: { column: status, where: '  ' }",
         "checks/orders.yml:5:43: 'where' is empty; write a SQL condition on the dataset's columns, e.g. where: \"created_at >= '2026-01-01'\""),
        ("duplicates: { column: id, columns: [id, line] }",
         "checks/orders.yml:5:44: write 'column' (one column) or 'columns' (a composite key), not both"),
        ("references: { column: customer_id, to_dataset: order, to_column: id }",
         "checks/orders.yml:5:56: unknown dataset 'order' in 'to_dataset' (did you mean 'orders'?); references compares with a dataset defined under 'datasets'"),
        ("sql: { query: ' ; ' }",
         "checks/orders.yml:5:23: 'query' is empty; write a select that returns the failing rows, e.g. query: \"select * from orders where total < 0\""),
        ("sql: { query: 'select 1', fail: 5% }",
         "checks/orders.yml:5:41: 'fail' must be a count of rows here (this check has no row total to take a percent of), got '5%'"),
        ("duplicates: { columns: [id, id] }",
         "checks/orders.yml:5:32: 'columns' lists a column twice: id, id"),
    ]

    @Test(arguments: cases.indices)
    func reportsExactMessage(_ index: Int) {
        let testCase = Self.cases[index]
        #expect(ProjectFixture.configErrors(checks: Self.file(testCase.check)) == [testCase.expected])
    }

    /// A bad setting of each kind, in many shapes (flow or block mapping, other valid keys before and after it,
    /// mixed-case column names): exactly one error, at the bad value's line and column.
    @Test func everyVariantNamesTheBadValuesPosition() throws {
        let seed = UInt64(ProcessInfo.processInfo.environment["DQMON_TEST_SEED"] ?? "") ?? 13_2026
        var random = SeededRandom(seed: seed)
        for iteration in 0..<150 {
            let variant = BadVariant.random(using: &random)
            let text = variant.fileText
            let errors = ProjectFixture.configErrors(checks: text)
            let expected = "checks/orders.yml:\(variant.line):\(variant.column): "
            #expect(errors.count == 1 && errors.first?.hasPrefix(expected) == true && errors.first?.contains(variant.message) == true,
                    "seed \(seed), iteration \(iteration): expected '\(expected)…\(variant.message)…', got \(errors) for\n\(text)")
        }
    }

    @Test func referencesStayWithinOneWarehouse() {
        let errors = ProjectFixture.configErrors(checks: """
            version: 1
            datasets:
              - name: orders
                checks:
                  - references: { column: customer_id, to_dataset: customers, to_column: id }
              - name: customers
                warehouse: other
                checks:
                  - duplicates: { column: id }
            """, project: """
            version: 1
            warehouses:
              main: { type: sqlite, path: warehouse.sqlite }
              other: { type: sqlite, path: other.sqlite }
            default_warehouse: main
            """)
        #expect(errors == ["checks/orders.yml:5:56: 'to_dataset' 'customers' is in warehouse 'other', and orders in 'main': references compares within one warehouse"])
    }

    @Test func checkExitsThreeAndRunsNothing() throws {
        let fixture = ProjectFixture()
        try fixture.warehouse().table("orders", timestamps: [ProjectFixture.now])
        fixture.checks("orders.yml", Self.file("pattern: { column: updated_at, regex: '(unclosed' }"))
        let output = try dqmon(["check", "--all", "--now", "2026-11-25T12:00:00Z"], in: fixture)
        #expect(output.status == 3)
        #expect(output.stderr.contains("checks/orders.yml:5:47: 'regex' '(unclosed' is not a valid regular expression"), "\(output.stderr)")
        #expect(!FileManager.default.fileExists(atPath: fixture.historyURL.path), "nothing was run or recorded")
    }
}

/// One generated checks file with one bad value, and where the error must point.
struct BadVariant {
    var lines: [String]
    var line: Int
    var column: Int
    var message: String

    var fileText: String { lines.joined(separator: "\n") + "\n" }

    static let columns = ["status", "Status", "sku", "OrderID", "created_at"]
    static let malformed = ["(", "[a-", "a{2,1}", "*a", "(?<n", #"x\"#, "a)"]

    static func random(using random: inout SeededRandom) -> BadVariant {
        let column = columns.randomElement(using: &random)!
        let extras = ["where: \"region = 'EU'\"", "warn: 1", "fail: 5%", "name: n\(random.next() % 100)"].filter { _ in Bool.random(using: &random) }
        let (type, key, value, message): (String, String, String, String)
        switch random.next() % 5 {
        case 4:
            let other = "missing_\(random.next() % 1_000)"
            let settings = ["column: \(column)", "to_column: id"] + extras
            let badIndex = Int(random.next() % UInt64(settings.count + 1))
            var withBad = settings
            withBad.insert("to_dataset: \(other)", at: badIndex)
            return make(type: "references", settings: withBad, badIndex: badIndex, key: "to_dataset",
                        message: "unknown dataset '\(other)' in 'to_dataset'", flow: Bool.random(using: &random))
        case 0:
            let pattern = malformed.randomElement(using: &random)!
            (type, key, value, message) = ("pattern", "regex", "'\(pattern)'", "is not a valid regular expression")
        case 1:
            let pattern = ["\\b", "x\\B", "^\\bid"].randomElement(using: &random)!
            (type, key, value, message) = ("pattern", "regex", "'\(pattern)'", "which means a word boundary")
        case 2:
            (type, key, value, message) = ("accepted_values", "values", "[]", "'values' is empty")
        default:
            let low = Int(random.next() % 1_000)
            let high = low + 1 + Int(random.next() % 1_000)
            (type, key, value, message) = ("range", "min", "\(high)", "'min' (\(high)) is greater than 'max' (\(low))")
        }
        var settings = ["column: \(column)"] + extras
        let badIndex = Int(random.next() % UInt64(settings.count + 1))
        settings.insert("\(key): \(value)", at: badIndex)
        if type == "range" { settings.append("max: \(value == "" ? "0" : String(Int(value)! - 1 - Int(random.next() % UInt64(max(1, Int(value)!)))))") }
        if type == "range", let maxLine = settings.last, let low = Int(maxLine.dropFirst(5)) {
            return make(type: type, settings: settings, badIndex: badIndex, key: key,
                        message: "'min' (\(value)) is greater than 'max' (\(low))", flow: Bool.random(using: &random))
        }
        return make(type: type, settings: settings, badIndex: badIndex, key: key, message: message, flow: Bool.random(using: &random))
    }

    static func make(type: String, settings: [String], badIndex: Int, key: String, message: String, flow: Bool) -> BadVariant {
        var lines = ["version: 1", "datasets:", "  - name: orders", "    checks:"]
        let badLine: Int
        let prefix: String
        if flow {
            let before = "      - \(type): { " + settings[..<badIndex].map { $0 + ", " }.joined()
            lines.append(before + settings[badIndex...].joined(separator: ", ") + " }")
            badLine = lines.count
            prefix = before + key + ": "
        } else {
            lines.append("      - \(type):")
            for setting in settings { lines.append("          " + setting) }
            badLine = 5 + badIndex + 1
            prefix = "          " + key + ": "
        }
        return BadVariant(lines: lines, line: badLine, column: prefix.count + 1, message: message)
    }
}
