import Foundation

/// `dqmon backfill`: past volume per bucket from a timestamp column, in ONE grouped query, stored as metric
/// points so anomaly checks start with history.
///
/// Points are named like the windowed volume metric, `row_count_1d` / `row_count_1h`, and stamped at the END of
/// their bucket: the count of a bucket [t, t+1d) is what an `anomaly: { metric: row_count_1d, column: … }` check
/// running at t+1d measures. The current, incomplete bucket is left out. A dataset's `where:` narrows the counted
/// rows as it narrows every metric of a check run, so the backfilled history and the live points count the same rows.
public struct VolumeBackfill: Sendable {
    public let table: TableName
    public let column: String
    public let interval: Interval
    public let start: Date
    public let end: Date
    public let statement: SQLStatement

    public var metricName: String { "row_count_\(interval)" }

    /// - Parameters: `now` is the backfill's clock; `days` how far back; `timeZone` how zone-less timestamps are stored;
    ///   `filter` the dataset's `where:` (trusted SQL: the statement then runs as user SQL).
    public init(table: TableName, column: String, days: Int, interval: Interval, now: Date, dialect: any SQLDialect, timeZone: TimeZone,
                filter: String? = nil) {
        self.table = table
        self.column = column
        self.interval = interval
        let size = interval.seconds
        end = Date(timeIntervalSince1970: (now.timeIntervalSince1970 / size).rounded(.down) * size)
        start = end.addingTimeInterval(-Double(days) * 86_400)
        let offset = Double(timeZone.secondsFromGMT(for: now))
        let epoch = "(\(dialect.epochSeconds(of: dialect.quote(column))) - \(offset))"
        // A floor that is right whether the integer conversion truncates (SQLite, MySQL) or rounds (PostgreSQL).
        let ratio = "(\(epoch) / \(size))"
        let whole = dialect.integer(of: ratio)
        let bucket = "(\(whole) - CASE WHEN \(whole) > \(ratio) THEN 1 ELSE 0 END)"
        let rows = DatasetRows(dialect: dialect, table: table, filter: filter)
        statement = SQLStatement("""
            SELECT \(bucket) AS bucket, count(*) FROM \(rows.from) \
            WHERE \(epoch) >= ? AND \(epoch) < ? GROUP BY 1 ORDER BY 1
            """, arguments: [.real(start.timeIntervalSince1970), .real(end.timeIntervalSince1970)], isUserSQL: rows.isFiltered)
    }

    /// One point per bucket of the range, zero for buckets without rows.
    public func points(dataset: String, rows: [[SQLValue]]) -> [SeriesPoint] {
        var counts: [Int: Double] = [:]
        for row in rows where row.count >= 2 {
            // `Int(exactly:)`: a bucket the warehouse returns as NaN, infinite or beyond Int is no bucket of the range.
            if let bucket = row[0].double.flatMap({ Int(exactly: $0.rounded(.down)) }), let count = row[1].double { counts[bucket] = count }
        }
        let size = interval.seconds
        let first = Int((start.timeIntervalSince1970 / size).rounded())
        let last = Int((end.timeIntervalSince1970 / size).rounded()) - 1
        guard last >= first else { return [] }
        return (first...last).map { bucket in
            SeriesPoint(dataset: dataset, metric: metricName, value: counts[bucket] ?? 0,
                        measuredAt: Date(timeIntervalSince1970: Double(bucket + 1) * size))
        }
    }
}
