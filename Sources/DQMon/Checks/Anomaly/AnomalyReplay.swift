/// Replays the detector over a series, point by point, as `dqmon check` would have seen it:
/// each point is judged on the points before it, and points it flags are left out of later training.
public enum AnomalyReplay {
    public struct Step: Sendable {
        public var sample: MetricSample
        public var verdict: AnomalyVerdict
    }

    /// - Parameter samples: the series in time order (out-of-order points are judged in the order given).
    public static func run(_ samples: [(time: Double, value: Double)], settings: AnomalySettings,
                           excluded: [ExcludedInterval] = []) -> [Step] {
        var history: [MetricSample] = []
        history.reserveCapacity(samples.count)
        var steps: [Step] = []
        steps.reserveCapacity(samples.count)
        var workspace = AnomalyDetector.Workspace()
        var settings = settings
        if settings.interval == nil {
            var scratch: [Double] = []
            settings.interval = AnomalyDetector.inferInterval(samples.map { MetricSample(time: $0.time, value: $0.value) }, scratch: &scratch)
        }
        var start = 0
        for sample in samples {
            while start < history.count, history[start].time < sample.time - settings.training - settings.interval! { start += 1 }
            let point = MetricSample(time: sample.time, value: sample.value)
            let verdict = AnomalyDetector.evaluate(history: history[start...], point: point, settings: settings,
                                                   excluded: excluded, workspace: &workspace)
            history.append(MetricSample(time: sample.time, value: sample.value, flagged: verdict.isAnomaly))
            steps.append(Step(sample: history[history.count - 1], verdict: verdict))
        }
        return steps
    }
}
