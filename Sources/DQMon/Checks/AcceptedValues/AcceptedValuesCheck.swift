import Foundation

/// `accepted_values` — rows whose `column` holds a value outside `values:` (compared as text). NULL is not a value
/// outside the list unless `allow_null: false` (a `missing` check counts NULLs on their own).
public struct AcceptedValuesCheck: RowRuleCheck {
    public static let typeName = "accepted_values"
    public static let keys = ["column", "values", "allow_null"] + RowRule.valueListingKeys

    public let column: String
    public let values: [String]
    public let allowNull: Bool
    public let rule: RowRule

    public init(column: String, values: [String], allowNull: Bool = true, rule: RowRule = RowRule()) {
        self.column = column
        self.values = values
        self.allowNull = allowNull
        self.rule = rule
    }

    public static func parse(_ fields: ConfigFields) -> AcceptedValuesCheck? {
        let column = fields.require("column") != nil ? fields.string("column") : nil
        let values = fields.require("values") != nil ? fields.stringList("values") : nil
        if let values, values.isEmpty {
            fields["values"]?.error("'values' is empty: list the accepted values, e.g. values: [paid, refunded, void]")
        }
        let allowNull = fields.bool("allow_null") ?? true
        let rule = RowRule.parse(fields)
        guard let column, let values, !values.isEmpty else { return nil }
        return AcceptedValuesCheck(column: column, values: values, allowNull: allowNull, rule: rule)
    }

    public var failingRows: Metric {
        .aggregate(FailingRowCount(Condition(column: column, values: values, allowNull: allowNull), filter: rule.filter))
    }

    public var listsOffendingValues: Bool { true }

    public var violation: String {
        "have \(column) outside [\(values.joined(separator: ", "))]" + (allowNull ? "" : " or NULL")
    }

    /// `column IS NOT NULL AND CAST(column AS TEXT) NOT IN (?, …)` (`IS NULL OR` when NULL is not allowed).
    struct Condition: RowCondition {
        let column: String
        let values: [String]
        let allowNull: Bool

        var name: String { "accepted_values_failing(\(column))" }
        var columns: [String] { [column] }

        func sql(over rows: DatasetRows) -> SQLStatement {
            let quoted = rows.dialect.quote(column)
            let outside = "\(rows.dialect.text(of: quoted)) NOT IN (\(values.placeholders))"
            let sql = allowNull ? "\(quoted) IS NOT NULL AND \(outside)" : "\(quoted) IS NULL OR \(outside)"
            return SQLStatement(sql, arguments: values.map(SQLValue.text))
        }
    }
}
