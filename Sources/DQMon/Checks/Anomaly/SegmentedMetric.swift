import Foundation

/// The grouped measurement of a segmented anomaly check: ONE statement with three levels, read-only, returning at
/// most `max_segments + 1` rows:
///
/// 1. `dqmon_g`: one row per segment (`GROUP BY CAST(col AS TEXT)…`) with the metric's *partial* aggregates and the
///    segment's rows;
/// 2. `dqmon_r`: each segment's rank by rows (`row_number() OVER (ORDER BY rows DESC, key…)`) and how many there are;
/// 3. the outer level groups the ranks `1…max_segments` one by one and every later rank into one bucket, `other`,
///    combining the partials (sums of counts, the greatest of maxima), so `other` is the metric over the rest's rows.
///
/// The rank is by **all** the segment's rows (the table's, narrowed by `where:`), not by the metric's window: on an
/// append-only table a segment's rows only grow, so the largest segments change when one overtakes another, not
/// back and forth from one day's volume to the next.
struct SegmentedMetric: DatasetAggregate {
    let target: AnomalyCheck.Target
    let segments: SegmentSpec

    var historyName: String { "\(target.historyName) by \(segments.columns.joined(separator: ", "))" }
    var columns: [String] {
        var names = target.metric.columns
        for column in segments.columns where !names.contains(column) { names.append(column) }
        return names
    }
    var isGrouped: Bool { true }

    func plan(over rows: DatasetRows) -> AggregatePlan {
        let dialect = rows.dialect
        let keys = segments.columns.map { dialect.text(of: dialect.quote($0)) }
        let keyNames = keys.indices.map { "dqmon_k\($0)" }
        let fold = Self.foldable(target.metric, over: rows) ?? FoldableAggregate(partials: []) { _, _ in "NULL" }
        var inner = SQLStatement("SELECT " + zip(keys, keyNames).map { "\($0) AS \($1)" }.joined(separator: ", "))
        for (index, part) in fold.partials.enumerated() {
            inner = inner + SQLStatement(", ") + part + SQLStatement(" AS m\(index)")
        }
        inner = inner + SQLStatement(", count(*) AS dqmon_rows FROM \(rows.from) GROUP BY \(keys.joined(separator: ", "))")
        let rankOrder = (["dqmon_g.dqmon_rows DESC"] + keyNames.map { "dqmon_g.\($0)" }).joined(separator: ", ")
        let ranked = SQLStatement("SELECT dqmon_g.*, row_number() OVER (ORDER BY \(rankOrder)) AS dqmon_rank, "
                                  + "count(*) OVER () AS dqmon_segments FROM (") + inner + SQLStatement(") AS dqmon_g")
        let limit = segments.maxSegments
        let partialNames = fold.partials.indices.map { "dqmon_r.m\($0)" }
        let outer = keyNames.map { "max(dqmon_r.\($0)) AS \($0)" }.joined(separator: ", ")
            + ", \(fold.value(partialNames, "dqmon_r.dqmon_rows")) AS dqmon_value, sum(dqmon_r.dqmon_rows) AS dqmon_rows, "
            + "max(dqmon_r.dqmon_segments) AS dqmon_segments, min(dqmon_r.dqmon_rank) AS dqmon_rank, count(*) AS dqmon_folded"
        var statement = SQLStatement("SELECT \(outer) FROM (") + ranked
            + SQLStatement(") AS dqmon_r GROUP BY CASE WHEN dqmon_r.dqmon_rank <= \(limit) THEN dqmon_r.dqmon_rank ELSE \(limit + 1) END "
                           + "ORDER BY min(dqmon_r.dqmon_rank)")
        statement.isUserSQL = statement.isUserSQL || rows.isFiltered
        return .statement(statement)
    }

    /// `metric` as partial aggregates per segment and the value of a bucket of segments from them, or nil for metrics
    /// that have no per-row form (`sql:` metrics, which `group_by` rejects when parsing).
    ///
    /// What `other` holds, per metric: counts (`row_count`, `row_count_<window>`) the rest's rows; `null_rate` the
    /// NULL share of the rest's rows; `mean` the mean over the rest's values (each segment's mean weighted by its
    /// non-NULL values); `freshness_lag_seconds` the lag of the newest row among them; `distinct_count` the SUM of
    /// the rest's distinct counts, i.e. distinct (segment, value) pairs: a distinct count does not fold, and counting
    /// the rest's distinct values would need a second scan.
    static func foldable(_ metric: Metric, over rows: DatasetRows) -> FoldableAggregate? {
        let dialect = rows.dialect
        let quoted = metric.column.map(dialect.quote) ?? ""
        switch metric {
        case .rowCount:
            return FoldableAggregate(partials: []) { _, rows in "sum(\(rows))" }
        case .windowedCount(let column, let window):
            let facts = rows.columns[column] ?? TimestampColumn(name: column)
            return FoldableAggregate(dialect.rowsSinceInScan(facts, cutoff: storedCutoff(window, rows: rows)))
        case .maxTimestamp(let column):
            return FoldableAggregate(dialect.latestTimestampInScan(rows.columns[column] ?? TimestampColumn(name: column), in: rows.from))
        case .nullRate:
            return FoldableAggregate(partials: [SQLStatement("count(\(quoted))")]) { names, rows in
                "(sum(\(rows)) - sum(\(names[0]))) * 1.0 / sum(\(rows))"
            }
        case .distinctCount:
            return FoldableAggregate(partials: [SQLStatement("count(DISTINCT \(quoted))")]) { names, _ in "sum(\(names[0]))" }
        case .mean:
            return FoldableAggregate(partials: [SQLStatement("avg(\(quoted))"), SQLStatement("count(\(quoted))")]) { names, _ in
                "CASE WHEN count(*) = 1 THEN max(\(names[0])) ELSE sum(\(names[0]) * \(names[1])) * 1.0 / NULLIF(sum(\(names[1])), 0) END"
            }
        case .hasRows, .custom, .aggregate:
            return nil
        }
    }

    /// The window's start in the column's stored time (zone-less values are local to the dataset's timezone), as
    /// `MetricQuery` computes it for the total.
    static func storedCutoff(_ window: Interval, rows: DatasetRows) -> Double {
        let cutoff = (rows.now ?? Date()).timeIntervalSince1970 - window.seconds
        guard MetricValues.timestampRange.contains(cutoff) else { return cutoff }
        return cutoff + Double(rows.timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: cutoff)))
    }
}

/// A metric as partial aggregates that fold: a bucket of segments (one segment, or `other`) gets its value from the
/// partials of its segments combined.
struct FoldableAggregate {
    /// Per-segment aggregates over the segment's rows.
    var partials: [SQLStatement]
    /// The value of a bucket, as an aggregate over its segments' partials (given by column name) and rows.
    var value: @Sendable (_ partials: [String], _ rows: String) -> String

    init(partials: [SQLStatement], value: @escaping @Sendable ([String], String) -> String) {
        self.partials = partials
        self.value = value
    }

    /// A dialect's scan aggregate (`count(…)` and `max(…)` forms, or the folds it states): counts fold by sum, maxima and minima by
    /// themselves, then the dialect's conversion. An aggregate of another form keeps each segment's own value and
    /// leaves `other` NULL (not measured, and the result says so) rather than fold it wrongly.
    init(_ scan: ScanAggregate) {
        let folds = scan.folds.map { $0.map(Optional.some) } ?? scan.aggregates.map { Self.fold(of: $0.sql) }
        let foldable = !folds.contains(nil)
        self.init(partials: scan.aggregates) { names, _ in
            let single = scan.convert(names.map { "max(\($0))" })
            guard foldable else { return "CASE WHEN count(*) = 1 THEN \(single) END" }
            return scan.convert(zip(folds, names).map { "\($0 ?? "max")(\($1))" })
        }
    }

    /// The aggregate that combines per-segment results of `sql`'s outermost aggregate, or nil when unknown.
    static func fold(of sql: String) -> String? {
        let head = sql.trimmingCharacters(in: .whitespaces).lowercased()
        if head.hasPrefix("count(") || head.hasPrefix("sum(") { return "sum" }
        if head.hasPrefix("max(") { return "max" }
        if head.hasPrefix("min(") { return "min" }
        return nil
    }
}

/// What the grouped statement returned: the judged segments' values (nil: NULL or unusable, with why), largest
/// first, the folded rest (`other`) when the table holds more than `max_segments`, and how many segments there are.
struct SegmentReadings: Sendable {
    struct Reading: Sendable {
        var segment: Segment
        var value: Double?
        var problem: String?
        /// Segments folded into this reading (1, or the rest's count for `other`).
        var folded = 1
    }

    var readings: [Reading] = []
    var other: Reading?
    var totalSegments = 0

    /// Reads the statement's rows (`key…, value, rows, segments, rank, folded`) for `target`, turning a freshness
    /// column's latest time into its lag at `now`. A value dqmon cannot use (NaN, infinite) becomes that reading's
    /// problem. The row ranked past `max_segments` is `other`.
    init(rows: [[SQLValue]], spec: SegmentSpec, target: AnomalyCheck.Target, now: Date, timeZone: TimeZone) {
        let width = spec.columns.count
        for row in rows where row.count >= width + 5 {
            let rank = row[width + 3].double ?? 0
            let folded = row[width + 4].double.flatMap { Int(exactly: $0.rounded()) } ?? 1
            let isOther = rank > Double(spec.maxSegments)
            let segment = isOther ? Segment.other(columns: spec.columns) : Segment(columns: spec.columns, values: row.prefix(width).map(Self.text))
            var reading = Reading(segment: segment, value: row[width].double, folded: folded)
            if let value = reading.value, let problem = MetricValues.problem(with: value, of: target.metric) {
                reading.value = nil
                reading.problem = problem
            } else if case .freshnessLag = target, let stored = reading.value {
                let utc = stored - Double(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: stored)))
                reading.value = now.timeIntervalSince1970 - (utc * 1000).rounded() / 1000
            }
            if isOther { other = reading } else { readings.append(reading) }
            totalSegments = max(totalSegments, row[width + 2].double.flatMap { Int(exactly: $0.rounded()) } ?? 0)
        }
        totalSegments = max(totalSegments, readings.count + (other?.folded ?? 0))
    }

    static func text(_ value: SQLValue) -> String? {
        switch value {
        case .null: return nil
        case .text(let text): return text
        default: return value.literal
        }
    }
}
