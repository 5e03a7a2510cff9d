import Foundation

/// `duplicates` — rows that repeat another row's value of `column`, or of the composite key `columns: [a, b]`:
/// each group of equal keys counts all its rows but one. Rows with a NULL in the key are not counted (as a SQL
/// `UNIQUE` constraint allows them).
///
/// One column folds into the dataset's scan (`count(col) - count(DISTINCT col)`); a composite key needs a
/// `GROUP BY` and runs as its own statement.
public struct DuplicatesCheck: RowRuleCheck {
    public static let typeName = "duplicates"
    public static let keys = ["column", "columns"] + RowRule.keys

    public let key: [String]
    public let rule: RowRule

    public init(key: [String], rule: RowRule = RowRule()) {
        self.key = key
        self.rule = rule
    }

    public static func parse(_ fields: ConfigFields) -> DuplicatesCheck? {
        let rule = RowRule.parse(fields)
        switch (fields.has("column"), fields.has("columns")) {
        case (true, true):
            fields["columns"]?.error("write 'column' (one column) or 'columns' (a composite key), not both")
            return nil
        case (false, false):
            fields.owner.error("duplicates check needs 'column' or 'columns', e.g. { column: order_id } or { columns: [order_id, line_no] }")
            return nil
        case (true, false):
            return fields.string("column").map { DuplicatesCheck(key: [$0], rule: rule) }
        case (false, true):
            guard let columns = fields.stringList("columns") else { return nil }
            if columns.isEmpty {
                fields["columns"]?.error("'columns' is empty: list the key's columns, e.g. columns: [order_id, line_no]")
                return nil
            }
            if Set(columns).count != columns.count {
                fields["columns"]?.error("'columns' lists a column twice: \(columns.joined(separator: ", "))")
                return nil
            }
            return DuplicatesCheck(key: columns, rule: rule)
        }
    }

    public var failingRows: Metric { .aggregate(ExtraRows(key: key, filter: rule.filter)) }

    public var violation: String {
        "repeat another row's " + (key.count == 1 ? key[0] : "(\(key.joined(separator: ", ")))")
    }

    /// Rows beyond the first of each group of equal keys.
    struct ExtraRows: DatasetAggregate {
        let key: [String]
        let filter: String?

        var historyName: String { "duplicate_count(\(key.joined(separator: ", ")))" + (filter.map { " where \($0)" } ?? "") }
        var columns: [String] { key }

        func plan(over rows: DatasetRows) -> AggregatePlan {
            let quoted = key.map(rows.dialect.quote)
            if quoted.count == 1 {
                let value = filter.map { "CASE WHEN (\($0)) THEN \(quoted[0]) END" } ?? quoted[0]
                return .scan(ScanAggregate(SQLStatement("count(\(value)) - count(DISTINCT \(value))", isUserSQL: filter != nil)))
            }
            let notNull = quoted.map { "\($0) IS NOT NULL" }.joined(separator: " AND ")
            let groups = "SELECT count(*) AS dqmon_rows_in_group FROM \(rows.from) WHERE \(RowFilter.prefix(filter))\(notNull) "
                + "GROUP BY \(quoted.joined(separator: ", ")) HAVING count(*) > 1"
            return .statement(SQLStatement("SELECT COALESCE(sum(dqmon_rows_in_group - 1), 0) FROM (\(groups)) AS dqmon_groups",
                                           isUserSQL: filter != nil || rows.isFiltered))
        }
    }
}
