import Foundation

/// Something measured on a dataset by SQL pushed down to the warehouse.
///
/// Checks ask for metrics; the engine computes all metrics of one dataset in one query, once each.
public enum Metric: Sendable, Hashable, CustomStringConvertible {
    /// `count(*)` of the whole table.
    case rowCount
    /// 1 when the table has at least one row, else 0: an index-free `EXISTS` probe, for checks that only need
    /// to tell an empty table apart (freshness). Derived from `rowCount` when a check of the dataset counts rows.
    case hasRows
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
    /// A measure a check type defines in its own folder (`DatasetAggregate`): folded into the dataset's scan when
    /// it can be, else run as its own statement.
    case aggregate(AnyDatasetAggregate)

    /// The name stored in history for metric points, e.g. `row_count_1d`.
    public var historyName: String {
        switch self {
        case .rowCount: return "row_count"
        case .hasRows: return "has_rows"
        case .maxTimestamp(let column): return "max_timestamp(\(column))"
        case .windowedCount(_, let window): return "row_count_\(window)"
        case .nullRate(let column): return "null_rate(\(column))"
        case .distinctCount(let column): return "distinct_count(\(column))"
        case .mean(let column): return "mean(\(column))"
        case .custom(let sql): return "sql(\(sql))"
        case .aggregate(let aggregate): return aggregate.base.historyName
        }
    }

    public var description: String { historyName }

    /// The column this metric reads, if any (its absence makes the check an `error`).
    public var column: String? {
        switch self {
        case .rowCount, .hasRows, .custom: return nil
        case .aggregate(let aggregate): return aggregate.base.columns.first
        case .maxTimestamp(let column), .windowedCount(let column, _), .nullRate(let column), .distinctCount(let column),
             .mean(let column): return column
        }
    }
}

/// The values of one dataset's metrics from one run. A nil value is SQL NULL (e.g. max() of an empty table).
///
/// A value dqmon cannot use (NaN, ±infinity, a timestamp outside years 1–9999) is never in `values`: it is in
/// `unusable`, with a message saying what was found, and every check that reads it becomes an `error`.
public struct MetricValues: Sendable {
    public var values: [Metric: Double?]
    /// Metrics whose value came back unusable, with a one-line description of what the warehouse returned.
    public var unusable: [Metric: String]
    /// The rows of grouped aggregates (`DatasetAggregate.isGrouped`: one bounded row per segment), as returned.
    public var groupedRows: [Metric: GroupedRows] = [:]

    public init(values: [Metric: Double?] = [:], unusable: [Metric: String] = [:]) {
        self.values = values
        self.unusable = unusable
    }

    /// The value, or nil when NULL, unusable or not measured.
    public subscript(metric: Metric) -> Double? { values[metric] ?? nil }

    /// Stores a value read from the warehouse, or its problem when dqmon cannot use it.
    public mutating func record(_ value: Double?, for metric: Metric) {
        if let value, let problem = MetricValues.problem(with: value, of: metric) {
            unusable[metric] = problem
            values[metric] = .some(nil)
        } else {
            values[metric] = .some(value)
        }
    }

    /// Epoch seconds from 0001-01-01T00:00:00Z up to, not including, 10000-01-01T00:00:00Z: the years a load time can
    /// have, to its last millisecond (`'9999-12-31 23:59:59.999'` is a time SQLite reads).
    static let timestampRange: ClosedRange<Double> = -62_135_596_800 ... Double(253_402_300_800).nextDown

    /// Why `value` cannot be used as `metric`'s value, or nil when it can.
    static func problem(with value: Double, of metric: Metric) -> String? {
        if case .maxTimestamp(let column) = metric {
            if value.isNaN { return "latest \(column) is NaN: not a load time; pick another column" }
            if value.isInfinite {
                return "latest \(column) is \(value > 0 ? "+" : "-")infinity: not a load time (a 'valid until' column?); pick another column"
            }
            if !timestampRange.contains(value) {
                return "latest \(column) is \(value) seconds from 1970, outside years 1-9999: not a load time; pick another column or fix the value"
            }
            return nil
        }
        if value.isFinite { return nil }
        let found = value.isNaN ? "NaN" : (value > 0 ? "+infinity" : "-infinity")
        if case .custom = metric {
            return "the sql: metric returned \(found): make the query return a finite number (filter out NaN and infinite values)"
        }
        return "\(metric) is \(found): the column holds \(value.isNaN ? "'NaN'" : "infinite") values; exclude them with a sql: metric or fix the data"
    }
}

/// What a grouped aggregate's statement returned, and the zone its zone-less timestamps are local to (the dataset's).
public struct GroupedRows: Sendable {
    public var rows: [[SQLValue]]
    public var timeZone: TimeZone

    public init(rows: [[SQLValue]], timeZone: TimeZone) {
        self.rows = rows
        self.timeZone = timeZone
    }
}

extension Metric {
    /// An aggregate whose own statement returns one row per group (kept whole in `MetricValues.groupedRows`).
    public var isGrouped: Bool {
        if case .aggregate(let aggregate) = self { return aggregate.base.isGrouped }
        return false
    }

    /// `sql:` metrics run as their own statement.
    public var isCustom: Bool {
        if case .custom = self { return true }
        return false
    }
}
