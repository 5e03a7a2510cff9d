/// Replays the detector over a series, point by point, as `dqmon check` would have seen it:
/// each point is judged on the points before it, and points it flags are left out of later training.
///
/// Cost per point depends on the training window, not on the length of the series: each point is handed only the
/// points from its training window's start on (the window that ends at its refit boundary, what `dqmon check` reads),
/// and, for a series in time order, the training data of one refit period is summarized once (the points appended
/// after the boundary cannot change it), so the model is fitted once per refit period.
public enum AnomalyReplay {
    public struct Step: Sendable {
        public var sample: MetricPoint
        public var verdict: AnomalyVerdict
    }

    /// - Parameter samples: the series in time order (out-of-order points are judged in the order given, on the
    ///   slower path that summarizes the training data for every point). Non-finite values are not expected here
    ///   (the CSV reader rejects them; `AnomalyBacktestReport` leaves them out).
    ///   `summarizeOncePerPeriod: false` (tests only) takes the slower path anyway, to show that both give the same verdicts.
    public static func run(_ samples: [(time: Double, value: Double)], settings: AnomalySettings,
                           excluded: [ExcludedInterval] = [], summarizeOncePerPeriod: Bool = true) -> [Step] {
        var history: [MetricPoint] = []
        history.reserveCapacity(samples.count)
        var steps: [Step] = []
        steps.reserveCapacity(samples.count)
        var workspace = AnomalyDetector.Workspace()
        var settings = settings
        if settings.interval == nil {
            var scratch: [Double] = []
            settings.interval = AnomalyDetector.inferInterval(samples.map { MetricPoint(time: $0.time, value: $0.value) }, scratch: &scratch)
        }
        let interval = settings.interval ?? 0
        let inTimeOrder = samples.indices.dropFirst().allSatisfy { samples[$0 - 1].time <= samples[$0].time }
        var start = 0
        for sample in samples {
            let slotTime = AnomalyDetector.snap(sample.time, interval)
            let windowStart = AnomalyDetector.refitBoundary(slotTime, interval: interval, settings: settings) - settings.training
            if inTimeOrder {
                while start < history.count, AnomalyDetector.snap(history[start].time, interval) < windowStart { start += 1 }
            }
            let point = MetricPoint(time: sample.time, value: sample.value)
            let verdict = AnomalyDetector.evaluate(history: history[start...], point: point, settings: settings,
                                                   excluded: excluded, workspace: &workspace,
                                                   appendOnly: inTimeOrder && summarizeOncePerPeriod)
            history.append(MetricPoint(time: sample.time, value: sample.value, flagged: verdict.isAnomaly))
            steps.append(Step(sample: history[history.count - 1], verdict: verdict))
        }
        return steps
    }
}
