import Foundation
import GRDB

extension HistoryStore {
    /// The series of a segmented anomaly check (`group_by`): every metric of `dataset` whose name starts with one of
    /// `prefixes` (`SegmentKey.prefix`), each since its own date, oldest first, in ONE query per call.
    ///
    /// A segment's points are an ordinary metric series whose name carries the segment (`row_count_1d [country=DE]`),
    /// so the range `metric >= prefix AND metric < prefix + U+10FFFF` is served by the `(dataset, metric, measured_at)`
    /// index: no scan of other metrics' points.
    public func segmentSeries(_ wanted: [SeriesKey: Date]) throws(HistoryError) -> [SeriesKey: [MetricPoint]] {
        guard !wanted.isEmpty else { return [:] }
        let keys = wanted.keys.sorted { ($0.dataset, $0.metric) < ($1.dataset, $1.metric) }
        return try read { db in
            var series: [SeriesKey: [MetricPoint]] = [:]
            let clause = keys.map { _ in "(dataset = ? AND metric >= ? AND metric < ? AND measured_at >= ?)" }.joined(separator: " OR ")
            var arguments: [(any DatabaseValueConvertible)?] = []
            for key in keys {
                arguments += [key.dataset, key.metric, key.metric + "\u{10FFFF}", wanted[key]?.timeIntervalSince1970 ?? 0]
            }
            let rows = try Row.fetchCursor(db, sql: """
                SELECT dataset, metric, measured_at, value, flagged FROM metric_points
                WHERE \(clause) ORDER BY measured_at, id
                """, arguments: StatementArguments(arguments))
            while let row = try rows.next() {
                let key = SeriesKey(dataset: row[0], metric: row[1])
                series[key, default: []].append(MetricPoint(time: row[2], value: row[3], flagged: row[4]))
            }
            return series
        }
    }
}
