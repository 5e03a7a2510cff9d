import Foundation
import GRDB

extension HistoryStore {
    /// A metric series key: dataset and metric history name.
    public struct SeriesKey: Sendable, Hashable {
        public var dataset: String
        public var metric: String

        public init(dataset: String, metric: String) {
            self.dataset = dataset
            self.metric = metric
        }
    }

    /// The recorded points of several series since `since` (per series), oldest first, in ONE query.
    public func metricSeries(_ wanted: [SeriesKey: Date]) throws(HistoryError) -> [SeriesKey: [MetricPoint]] {
        guard let earliest = wanted.values.min() else { return [:] }
        let datasets = Array(Set(wanted.keys.map(\.dataset)))
        return try read { db in
            var series: [SeriesKey: [MetricPoint]] = [:]
            let marks = datasets.map { _ in "?" }.joined(separator: ", ")
            var arguments: [(any DatabaseValueConvertible)?] = [earliest.timeIntervalSince1970]
            arguments += datasets.map { $0 }
            let rows = try Row.fetchCursor(db, sql: """
                SELECT dataset, metric, measured_at, value, flagged FROM metric_points
                WHERE measured_at >= ? AND dataset IN (\(marks)) ORDER BY measured_at, id
                """, arguments: StatementArguments(arguments))
            while let row = try rows.next() {
                let key = SeriesKey(dataset: row.stored(0), metric: row.stored(1))
                let time = row.storedSeconds(2)
                guard let since = wanted[key], time >= since.timeIntervalSince1970 else { continue }
                series[key, default: []].append(MetricPoint(time: time, value: row.stored(3), flagged: row.stored(4)))
            }
            return series
        }
    }

    /// Stores points computed outside a run (e.g. `dqmon backfill`), with their `source`.
    public func insertMetricPoints(_ points: [SeriesPoint], source: String) throws(HistoryError) {
        try transaction { transaction in try transaction.insert(metrics: points, runID: nil, source: source) }
    }
}
