import Foundation

/// `dqmon backtest CHECK_ID`: the check's settings replayed over its stored history, per sensitivity:
/// which points would have alerted, and how often (alerts per week), so users tune before enabling.
public struct AnomalyBacktestReport: Sendable {
    public struct Run: Sendable {
        public var sensitivity: Double
        public var alerts: [AnomalyReplay.Step]
        public var judged: Int
        public var alertsPerWeek: Double
    }

    public let checkID: String
    public let metric: String
    public let runs: [Run]
    public let pointCount: Int
    public let from: Date
    public let to: Date
    /// The intervals training left out (incidents of the dataset's other checks), as `dqmon check` leaves them out.
    public let excluded: [ExcludedInterval]

    /// Points before `from` only train; points in [from, to] are judged; points inside `excluded` never train.
    public init(checkID: String, metric: String, samples: [MetricPoint], settings: AnomalySettings, sensitivities: [Double],
                from: Date, to: Date, excluded: [ExcludedInterval] = []) {
        self.checkID = checkID
        self.metric = metric
        self.from = from
        self.to = to
        self.excluded = excluded
        // A non-finite value (stored by an older dqmon) is no measurement: left out, as the detector leaves it out.
        let series = samples.filter { $0.time <= to.timeIntervalSince1970 && $0.time.isFinite && $0.value.isFinite }
            .map { (time: $0.time, value: $0.value) }
        pointCount = series.count
        let weeks = max(1.0 / 7, to.timeIntervalSince(from) / 604_800)
        runs = (sensitivities.isEmpty ? [settings.sensitivity] : sensitivities).map { sensitivity in
            var settings = settings
            settings.sensitivity = sensitivity
            let steps = AnomalyReplay.run(series, settings: settings, excluded: excluded).filter { $0.sample.time >= from.timeIntervalSince1970 }
            let alerts = steps.filter(\.verdict.isAnomaly)
            return Run(sensitivity: sensitivity, alerts: alerts, judged: steps.filter { !$0.verdict.isSkipped }.count,
                       alertsPerWeek: Double(alerts.count) / weeks)
        }
    }

    public func render() -> String {
        guard pointCount > 0 else {
            return "\(checkID): no recorded points of \(metric) yet (run 'dqmon check', or seed volume with 'dqmon backfill')"
        }
        var lines = ["\(checkID): \(metric), \(pointCount) points, replayed \(Format.timestamp(from)) → \(Format.timestamp(to))"]
        if !excluded.isEmpty {
            let shown = excluded.suffix(5).map { interval in
                "\(interval.reason) \(Format.timestamp(Date(timeIntervalSince1970: interval.start))) → "
                    + Format.timestamp(Date(timeIntervalSince1970: interval.end))
            }
            lines.append("training leaves out \(excluded.count) interval(s)\(excluded.count > 5 ? " (last 5 shown)" : ""): "
                         + shown.joined(separator: "; "))
        }
        for run in runs {
            lines.append("")
            lines.append("sensitivity \(Self.number(run.sensitivity)): \(run.alerts.count) alert(s) in \(run.judged) judged points, \(String(format: "%.1f", run.alertsPerWeek)) per week")
            var table = TextTable(headers: ["MEASURED AT", "VALUE", "EXPECTED RANGE", "SCORE", "SEASONAL BUCKET"])
            for step in run.alerts.suffix(50) {
                let verdict = step.verdict
                table.append([Format.timestamp(Date(timeIntervalSince1970: step.sample.time)), AnomalyCheck.format(step.sample.value),
                              AnomalyCheck.describeRange(verdict), String(format: "%.1f", verdict.score), verdict.bucket ?? "-"])
            }
            if !run.alerts.isEmpty { lines.append(table.render()) }
            if run.alerts.count > 50 { lines.append("(last 50 of \(run.alerts.count) shown)") }
        }
        return lines.joined(separator: "\n")
    }

    static func number(_ value: Double) -> String {
        guard value.isFinite, abs(value) < Format.scientificFrom else { return Format.count(value) }
        return value == value.rounded() ? String(Int64(value)) : String(value)
    }
}
