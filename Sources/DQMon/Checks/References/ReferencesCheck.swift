import Foundation

/// `references` — rows whose `column` has no equal value in `to_column` of another dataset, `to_dataset`, of the
/// same warehouse (dbt's `relationships`). NULLs are not counted. The count is an anti-join (`NOT EXISTS`), its own
/// statement: it reads a second table, so it cannot fold into the dataset's scan. The referenced dataset's own
/// `where:` does not apply: every row of its table is a valid target.
///
/// `to_dataset` must name a dataset of the configuration in the same warehouse: anything else is a config error.
public struct ReferencesCheck: RowRuleCheck {
    public static let typeName = "references"
    public static let keys = ["column", "to_dataset", "to_column"] + RowRule.keys

    public let column: String
    public let target: String
    public let targetColumn: String
    public let rule: RowRule
    /// Where `to_dataset` was written, for the config errors only the whole configuration shows.
    public let targetLocation: SourceLocation

    public static func parse(_ fields: ConfigFields) -> ReferencesCheck? {
        let column = fields.require("column") != nil ? fields.string("column") : nil
        let target = fields.require("to_dataset") != nil ? fields.string("to_dataset") : nil
        let targetColumn = fields.require("to_column") != nil ? fields.string("to_column") : nil
        let rule = RowRule.parse(fields)
        guard let column, let target, let targetColumn, let location = fields["to_dataset"]?.location else { return nil }
        return ReferencesCheck(column: column, target: target, targetColumn: targetColumn, rule: rule, targetLocation: location)
    }

    public func configErrors(in scope: ConfigScope) -> [ConfigError] {
        let datasets = scope.datasets, checkedDataset = scope.checkedDataset
        guard let referenced = datasets.first(where: { $0.name == target }) else {
            let hint = Suggestion.hint(for: target, in: datasets.map(\.name))
            return [ConfigError("unknown dataset \(ConfigText.quoted(target)) in 'to_dataset'\(hint); references compares with a dataset defined under 'datasets'", at: targetLocation)]
        }
        guard referenced.warehouse == checkedDataset.warehouse else {
            return [ConfigError("'to_dataset' \(ConfigText.quoted(target)) is in warehouse '\(referenced.warehouse)', and \(checkedDataset.name) in '\(checkedDataset.warehouse)': references compares within one warehouse", at: targetLocation)]
        }
        return []
    }

    public var failingRows: Metric {
        .aggregate(UnmatchedRows(column: column, target: TableName(parsing: target), targetColumn: targetColumn, filter: rule.filter))
    }

    public var violation: String { "have \(column) with no match in \(target).\(targetColumn)" }

    /// `SELECT count(*) … WHERE col IS NOT NULL AND NOT EXISTS (SELECT 1 FROM target WHERE target.to_column = col)`.
    struct UnmatchedRows: DatasetAggregate {
        let column: String
        let target: TableName
        let targetColumn: String
        let filter: String?

        var historyName: String { "unmatched_count(\(column) -> \(target).\(targetColumn))" + (filter.map { " where \($0)" } ?? "") }
        var columns: [String] { [column] }

        func plan(over rows: DatasetRows) -> AggregatePlan {
            let dialect = rows.dialect
            let child = "dqmon_child." + dialect.quote(column)
            let parent = "dqmon_parent." + dialect.quote(targetColumn)
            let sql = "SELECT count(*) FROM (SELECT * FROM \(rows.from)) AS dqmon_child WHERE \(RowFilter.prefix(filter))\(child) IS NOT NULL "
                + "AND NOT EXISTS (SELECT 1 FROM \(dialect.qualifiedName(target)) AS dqmon_parent WHERE \(parent) = \(child))"
            return .statement(SQLStatement(sql, isUserSQL: filter != nil || rows.isFiltered))
        }
    }
}
