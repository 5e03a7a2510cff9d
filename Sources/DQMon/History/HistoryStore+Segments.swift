import Foundation
import GRDB

extension HistoryStore {
    /// The series of a segmented anomaly check (`group_by`): every metric of `dataset` whose name starts with one of
    /// `prefixes` (`SegmentKey.prefix`), each since its own date, oldest first, in ONE query per call.
    ///
    /// A segment's points are an ordinary metric series whose name carries the segment (`row_count_1d [country=DE]`).
    /// The query first walks the segment names with one `(dataset, metric, measured_at)` index seek each (a
    /// recursive `min(metric) > previous`), then reads each segment's points from `since` on by the same index: the
    /// cost is the points in the training window, not every point the segments ever recorded (a plain range
    /// `metric >= prefix AND metric < prefix + U+10FFFF` cannot use `measured_at` in the index and read them all).
    public func segmentSeries(_ wanted: [SeriesKey: Date]) throws(HistoryError) -> [SeriesKey: [MetricPoint]] {
        guard !wanted.isEmpty else { return [:] }
        let keys = wanted.keys.sorted { ($0.dataset, $0.metric) < ($1.dataset, $1.metric) }
        return try read { db in
            var series: [SeriesKey: [MetricPoint]] = [:]
            var ctes: [String] = [], selects: [String] = []
            var cteArguments: [(any DatabaseValueConvertible)?] = [], selectArguments: [(any DatabaseValueConvertible)?] = []
            for (index, key) in keys.enumerated() {
                let end = key.metric + "\u{10FFFF}"
                ctes.append("""
                    dqmon_k\(index)(metric) AS (
                      SELECT (SELECT min(metric) FROM metric_points WHERE dataset = ? AND metric >= ? AND metric < ?)
                      UNION ALL
                      SELECT (SELECT min(metric) FROM metric_points WHERE dataset = ? AND metric > dqmon_k\(index).metric AND metric < ?)
                      FROM dqmon_k\(index) WHERE dqmon_k\(index).metric IS NOT NULL)
                    """)
                cteArguments += [key.dataset, key.metric, end, key.dataset, end]
                selects.append("""
                    SELECT p.dataset AS dataset, p.metric AS metric, p.measured_at AS measured_at, p.value AS value, p.flagged AS flagged, p.id AS id
                    FROM dqmon_k\(index) CROSS JOIN metric_points AS p
                    WHERE p.dataset = ? AND p.metric = dqmon_k\(index).metric AND p.measured_at >= ?
                    """)
                selectArguments += [key.dataset, wanted[key]?.timeIntervalSince1970 ?? 0]
            }
            let rows = try Row.fetchCursor(db, sql: "WITH RECURSIVE " + ctes.joined(separator: ",\n") + "\n"
                                           + selects.joined(separator: "UNION ALL\n") + "ORDER BY measured_at, id",
                                           arguments: StatementArguments(cteArguments + selectArguments))
            while let row = try rows.next() {
                let key = SeriesKey(dataset: row.stored(0), metric: row.stored(1))
                series[key, default: []].append(MetricPoint(time: row.storedSeconds(2), value: row.stored(3), flagged: row.stored(4)))
            }
            return series
        }
    }
}
