import Foundation

/// `anomaly` — flags a metric value that is unusual for its own history (see `AnomalyDetector` for the method).
///
/// Metrics: `row_count`, `row_count_<window>` (with `column`), `freshness_lag_seconds` (with `column`),
/// `null_rate(col)`, `distinct_count(col)`, `mean(col)`, or `sql: "select …"` returning one number.
/// The check records its metric point (flagged when anomalous, so it never trains later runs) and is
/// `skipped`, saying how many more points it needs, until `min_history` clean points exist.
public struct AnomalyCheck: CheckSpec {
    public static let typeName = "anomaly"
    public static let keys = ["metric", "sql", "column", "sensitivity", "training", "min_history", "seasonality", "direction", "min_change",
                              "group_by", "max_segments"]

    /// What is measured, and how the check's observed value derives from the dataset's metrics.
    public enum Target: Sendable, Hashable {
        case metric(Metric)
        case freshnessLag(column: String)

        var metric: Metric {
            switch self {
            case .metric(let metric): return metric
            case .freshnessLag(let column): return .maxTimestamp(column: column)
            }
        }

        var historyName: String {
            switch self {
            case .metric(let metric): return metric.historyName
            case .freshnessLag: return "freshness_lag_seconds"
            }
        }
    }

    public let target: Target
    public let settings: AnomalySettings
    /// `group_by:`: the metric per segment, each judged on its own history (`AnomalyCheck+Segments`); nil: the total.
    public let segments: SegmentSpec?

    public init(target: Target, settings: AnomalySettings = AnomalySettings(), segments: SegmentSpec? = nil) {
        self.target = target
        self.settings = settings
        self.segments = segments
    }

    public var metrics: [Metric] { [segmentedMetric ?? target.metric] }
    public var contextKeys: [any CheckContextKey.Type] { [MetricHistory.self] }

    public func evaluate(_ input: CheckInput) -> CheckOutcome {
        if let segments { return evaluateSegments(input, spec: segments) }
        guard let value = observedValue(input) else {
            return CheckOutcome(status: .error, observedText: "no value", expected: "",
                                message: "\(target.historyName) returned no value (NULL or an empty table); nothing to compare")
        }
        let name = target.historyName
        let point = MetricPoint(time: input.now.timeIntervalSince1970, value: value)
        let training = input.context[MetricHistory.self]
        let verdict = AnomalyDetector.evaluate(history: training?.series[name] ?? [], point: point, settings: settings,
                                               excluded: training?.excluded ?? [])
        var outcome = CheckOutcome(status: .pass, observed: value, observedText: Self.format(value), expected: "",
                                   message: "", metricPoints: [name: MetricReading(value)])
        if verdict.isSkipped {
            outcome.status = .skipped
            outcome.expected = "needs \(settings.minHistory) points of history"
            outcome.message = "not enough history for \(name): \(verdict.trainingSize) clean point(s) in the last \(Interval(seconds: settings.training)), needs \(verdict.pointsNeeded) more (dqmon backfill can seed row counts)"
            return outcome
        }
        outcome.expected = Self.describeRange(verdict)
        outcome.expectedRange = ExpectedRange(lower: verdict.lower, upper: verdict.upper)
        outcome.message = describe(verdict, name: name, value: value)
        if verdict.isAnomaly {
            outcome.status = .fail
            outcome.metricPoints[name]?.flagged = true
        }
        return outcome
    }

    func observedValue(_ input: CheckInput) -> Double? {
        switch target {
        case .metric(let metric): return input.metrics[metric]
        case .freshnessLag(let column):
            return input.metrics[.maxTimestamp(column: column)].map { input.now.timeIntervalSince1970 - $0 }
        }
    }

    /// A metric value for messages: a count with separators, one decimal from 100 on, 4 significant digits below;
    /// scientific from `Format.scientificFrom` on and `nan`/`inf`/`-inf` when not finite (never a 300-digit number).
    static func format(_ value: Double) -> String {
        guard value.isFinite, abs(value) < Format.scientificFrom else { return Format.count(value) }
        if value == value.rounded() { return Format.count(value) }
        return String(format: abs(value) >= 100 ? "%.1f" : "%.4g", value)
    }

    static func describeRange(_ verdict: AnomalyVerdict) -> String {
        "\(format(verdict.lower)) – \(format(verdict.upper)) (expected \(format(verdict.expected)))"
    }

    func describe(_ verdict: AnomalyVerdict, name: String, value: Double) -> String {
        let side = verdict.direction == .spike ? "above" : "below"
        var kind = verdict.isAnomaly ? (verdict.direction == .spike ? "spike" : "drop") : "within range"
        if verdict.stuckRun > 0 {
            kind = "stuck: the same value \(verdict.stuckRun) times in a row, longer than any run in training"
        } else if verdict.sustainedShift != 0 {
            kind = "sustained \(verdict.sustainedShift > 0 ? "rise" : "fall"): the median of the last \(settings.minHistory) points is "
                + "\(String(format: "%.1f", abs(verdict.sustainedShift))) spreads of such medians from the level"
        } else if verdict.jump != 0 {
            kind = "sudden \(verdict.jump > 0 ? "jump" : "fall"): \(String(format: "%.1f", abs(verdict.jump))) times the usual "
                + "step-to-step change from the median of the previous \(settings.minHistory) points"
        } else if verdict.continuation > 0 {
            kind = "\(kind) continues: the \(verdict.continuation == 1 ? "previous point was" : "previous \(verdict.continuation) points were") "
                + "flagged and this one is still outside the trained range"
        }
        let window = [verdict.trainingStart, verdict.trainingEnd].compactMap { $0 }
            .map { Format.timestamp(Date(timeIntervalSince1970: $0)) }.joined(separator: " → ")
        let season = verdict.seasonality.map { "seasonality \($0.rawValue), bucket \(verdict.bucket ?? "-")" } ?? "no seasonality"
        let shift = verdict.levelShifted ? "; level shift accepted as the new baseline" : ""
        return "\(name) \(Self.format(value)): \(kind), score \(String(format: "%.1f", abs(verdict.score))) \(side) expected "
            + "\(Self.format(verdict.expected)) (range \(Self.describeRange(verdict)); trained on \(verdict.trainingSize) points, \(window); \(season)\(shift))"
    }
}
