import Foundation

/// The first offending distinct values of a one-column rule, for its message:
/// `3 of 8 rows (37.5%) have status outside [paid, void] (fail > 0); most frequent: 'refundd' (2), 'N/A' (1)`.
///
/// They cost a bounded follow-up statement (`GROUP BY` the value, the `limit` most frequent, ties by value), which the
/// engine runs only after the check warns or fails: a passing run sends nothing more. Values are read as text and shown
/// through `ConfigText.quoted` (control characters escaped, cut after `valueLimit` characters), so a hostile value
/// cannot break a terminal line or a log; NULL shows as NULL.
public enum OffendingValues {
    /// How many distinct values a message names.
    public static let limit = 3
    /// The characters shown of one value.
    public static let valueLimit = 40

    /// `; most frequent: 'refundd' (2), 'N/A' (1)`, or nothing for no rows.
    public static func suffix(_ rows: [[SQLValue]]) -> String {
        let shown = rows.prefix(limit).compactMap { row -> String? in
            guard let value = row.first else { return nil }
            let count = row.count > 1 ? (row[1].double ?? 0) : 0
            return "\(FailingRowSamples.text(value).map { ConfigText.quoted($0, limit: valueLimit) } ?? "NULL") (\(Format.count(count)))"
        }
        return shown.isEmpty ? "" : "; most frequent: " + shown.joined(separator: ", ")
    }
}

/// A failing-row count over one column that can also list the column's most frequent failing values.
protocol ValueCountingAggregate: DatasetAggregate {
    func mostFrequentValues(limit: Int, over rows: DatasetRows) -> SQLStatement?
}

extension FailingRowCount: ValueCountingAggregate {
    /// `SELECT CAST(col AS TEXT), count(*) FROM rows WHERE (where) AND (condition) GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ?`.
    func mostFrequentValues(limit: Int, over rows: DatasetRows) -> SQLStatement? {
        guard condition.columns.count == 1, let column = condition.columns.first else { return nil }
        let value = rows.dialect.text(of: rows.dialect.quote(column))
        let head = SQLStatement("SELECT \(value), count(*) FROM \(rows.from) WHERE \(RowFilter.prefix(filter))(",
                                isUserSQL: filter != nil || rows.isFiltered)
        return head + condition.sql(over: rows) + SQLStatement(") GROUP BY 1 ORDER BY 2 DESC, 1") + SampleSQL.limit(limit)
    }
}

extension RowRuleCheck {
    /// Whether the check's message names its most frequent offending values (accepted_values, pattern, range).
    public var listsOffendingValues: Bool { false }

    public func offendingValues(over rows: DatasetRows) -> SQLStatement? {
        guard listsOffendingValues, rule.listsValues, case .aggregate(let aggregate) = failingRows,
              let counting = aggregate.base as? any ValueCountingAggregate else { return nil }
        return counting.mostFrequentValues(limit: OffendingValues.limit, over: rows)
    }
}
