import Foundation

/// Builds the single `SELECT` that computes every metric of one dataset in one scan.
public struct MetricQuery: Sendable {
    public let table: TableName
    public let metrics: [Metric]
    public let statement: SQLStatement

    /// - Parameters:
    ///   - now: the run's evaluation time; windows end there.
    ///   - timeZone: how zone-less timestamps are stored (UTC unless the dataset sets `timezone:`).
    ///   - columnTypes: declared types by column name, from the catalog, when known (not in `--dry-run`).
    public init(table: TableName, metrics: [Metric], dialect: any SQLDialect, now: Date, timeZone: TimeZone,
                columnTypes: [String: String] = [:]) {
        var unique: [Metric] = []
        for metric in metrics where !unique.contains(metric) && !metric.isCustom { unique.append(metric) }
        self.table = table
        self.metrics = unique
        var expressions: [String] = []
        var arguments: [SQLValue] = []
        for metric in unique {
            switch metric {
            case .rowCount:
                expressions.append("count(*)")
            case .maxTimestamp(let column):
                expressions.append("max(\(dialect.epochSeconds(of: dialect.quote(column), declaredType: columnTypes[column])))")
            case .windowedCount(let column, let window):
                let cutoff = now.timeIntervalSince1970 - window.seconds
                let storedCutoff = cutoff + Double(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: cutoff)))
                expressions.append("count(CASE WHEN \(dialect.epochSeconds(of: dialect.quote(column), declaredType: columnTypes[column])) >= ? THEN 1 END)")
                arguments.append(.real(storedCutoff))
            case .nullRate(let column):
                expressions.append("(count(*) - count(\(dialect.quote(column)))) * 1.0 / CASE WHEN count(*) = 0 THEN 1 ELSE count(*) END")
            case .distinctCount(let column):
                expressions.append("count(DISTINCT \(dialect.quote(column)))")
            case .mean(let column):
                expressions.append("avg(\(dialect.quote(column)))")
            case .custom:
                continue
            }
        }
        if expressions.isEmpty { expressions.append("count(*)") }  // only `sql:` metrics: keep one row
        let sql = "SELECT " + expressions.joined(separator: ", ") + " FROM " + dialect.qualifiedName(table)
        statement = SQLStatement(sql, arguments: arguments)
    }

    /// Maps the returned row back to metrics, converting zone-less timestamps to UTC.
    public func values(from row: [SQLValue], timeZone: TimeZone) -> MetricValues {
        var result = MetricValues()
        for (index, metric) in metrics.enumerated() {
            var value = index < row.count ? row[index].double : nil
            if case .maxTimestamp = metric, let stored = value {
                // julianday() arithmetic carries ~10 µs of float noise: timestamps are kept to the millisecond.
                let utc = stored - Double(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: stored)))
                value = (utc * 1000).rounded() / 1000
            }
            result.values[metric] = .some(value)
        }
        return result
    }
}
