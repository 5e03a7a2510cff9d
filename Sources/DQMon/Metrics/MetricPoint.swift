import Foundation

/// One point of a metric's history: when it was measured, its value, and whether an anomaly check flagged it.
///
/// The one type for such a point everywhere: what the history stores (`metric_points`, by series), what an anomaly
/// check trains on, and what `dqmon backtest` reads from a CSV.
public struct MetricPoint: Sendable, Hashable {
    /// When it was measured, in UTC epoch seconds.
    public var time: Double
    public var value: Double
    /// Found anomalous: kept for display, left out of anomaly training.
    public var flagged: Bool

    public init(time: Double, value: Double, flagged: Bool = false) {
        self.time = time
        self.value = value
        self.flagged = flagged
    }

    public var measuredAt: Date { Date(timeIntervalSince1970: time) }
}

/// A metric point with the series it belongs to (a dataset and the metric's history name), as a run or
/// `dqmon backfill` records it.
public struct SeriesPoint: Sendable, Hashable {
    public var dataset: String
    public var metric: String
    public var point: MetricPoint

    public init(dataset: String, metric: String, point: MetricPoint) {
        self.dataset = dataset
        self.metric = metric
        self.point = point
    }

    public init(dataset: String, metric: String, value: Double, measuredAt: Date, flagged: Bool = false) {
        self.init(dataset: dataset, metric: metric, point: MetricPoint(time: measuredAt.timeIntervalSince1970, value: value, flagged: flagged))
    }

    /// The point's value.
    public var value: Double { point.value }
    /// When the point was measured.
    public var measuredAt: Date { point.measuredAt }
}
