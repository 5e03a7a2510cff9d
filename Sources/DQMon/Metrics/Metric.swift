import Foundation

/// Something measured on a dataset by SQL pushed down to the warehouse.
///
/// Checks ask for metrics; the engine computes all metrics of one dataset in one query, once each.
public enum Metric: Sendable, Hashable, CustomStringConvertible {
    /// `count(*)` of the whole table.
    case rowCount
    /// The latest value of a timestamp column, as UTC epoch seconds.
    case maxTimestamp(column: String)
    /// Rows whose timestamp `column` falls within the last `window` before the run's time.
    case windowedCount(column: String, window: Interval)
    /// Fraction of rows whose `column` is NULL (0 for an empty table).
    case nullRate(column: String)
    /// `count(DISTINCT column)`.
    case distinctCount(column: String)
    /// `avg(column)`.
    case mean(column: String)
    /// A user's `select` returning one number; run as its own statement, not folded into the dataset's select.
    case custom(sql: String)

    /// The name stored in history for metric points, e.g. `row_count_1d`.
    public var historyName: String {
        switch self {
        case .rowCount: return "row_count"
        case .maxTimestamp(let column): return "max_timestamp(\(column))"
        case .windowedCount(_, let window): return "row_count_\(window)"
        case .nullRate(let column): return "null_rate(\(column))"
        case .distinctCount(let column): return "distinct_count(\(column))"
        case .mean(let column): return "mean(\(column))"
        case .custom(let sql): return "sql(\(sql))"
        }
    }

    public var description: String { historyName }

    /// The column this metric reads, if any (its absence makes the check an `error`).
    public var column: String? {
        switch self {
        case .rowCount, .custom: return nil
        case .maxTimestamp(let column), .windowedCount(let column, _), .nullRate(let column), .distinctCount(let column),
             .mean(let column): return column
        }
    }
}

/// The values of one dataset's metrics from one run. A nil value is SQL NULL (e.g. max() of an empty table).
public struct MetricValues: Sendable {
    public var values: [Metric: Double?]

    public init(values: [Metric: Double?] = [:]) { self.values = values }

    /// The value, or nil when NULL or not measured.
    public subscript(metric: Metric) -> Double? { values[metric] ?? nil }
}

extension Metric {
    /// `sql:` metrics run as their own statement.
    public var isCustom: Bool {
        if case .custom = self { return true }
        return false
    }
}
