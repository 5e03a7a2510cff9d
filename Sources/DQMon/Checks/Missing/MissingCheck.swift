import Foundation

/// `missing` — rows whose `column` is NULL or, when `missing_values:` lists them, one of those values (compared as
/// text, e.g. `''` or `'N/A'`). Thresholds as a count or a percent of the examined rows (`fail: 0`, `warn: 1%`).
public struct MissingCheck: RowRuleCheck {
    public static let typeName = "missing"
    public static let keys = ["column", "missing_values"] + RowRule.keys

    public let column: String
    public let missingValues: [String]
    public let rule: RowRule

    public init(column: String, missingValues: [String] = [], rule: RowRule = RowRule()) {
        self.column = column
        self.missingValues = missingValues
        self.rule = rule
    }

    public static func parse(_ fields: ConfigFields) -> MissingCheck? {
        let column = fields.require("column") != nil ? fields.string("column") : nil
        let missingValues = fields.stringList("missing_values") ?? []
        let rule = RowRule.parse(fields)
        guard let column else { return nil }
        return MissingCheck(column: column, missingValues: missingValues, rule: rule)
    }

    public var failingRows: Metric { .aggregate(FailingRowCount(Condition(column: column, values: missingValues), filter: rule.filter)) }

    public var violation: String {
        let listed = missingValues.map { ConfigText.quoted($0) }
        return "have \(column) missing (\((["NULL"] + listed).joined(separator: ", ")))"
    }

    /// `column IS NULL OR CAST(column AS TEXT) IN (?, …)`.
    struct Condition: RowCondition {
        let column: String
        let values: [String]

        var name: String { "missing_count(\(column))" }
        var columns: [String] { [column] }

        func sql(over rows: DatasetRows) -> SQLStatement {
            let quoted = rows.dialect.quote(column)
            guard !values.isEmpty else { return SQLStatement("\(quoted) IS NULL") }
            return SQLStatement("\(quoted) IS NULL OR \(rows.dialect.text(of: quoted)) IN (\(values.placeholders))",
                                arguments: values.map(SQLValue.text))
        }
    }
}
