/// Robust, seasonal anomaly detection on a metric's history: a pure function of (history, settings, point).
///
/// Method, in order:
/// 1. Timestamps are snapped to the metric's natural interval (given, or the median spacing of the history);
///    several points in one slot keep the last, gaps are simply missing slots.
/// 2. Training = the points of the last `training` window, minus flagged points and points inside
///    excluded intervals (open incidents, maintenance). Fewer than `minHistory` -> skipped.
/// 3. Seasonality (`auto`): among hour_of_day, day_of_week, hour_of_week and day_of_month, those whose two full
///    cycles fit in the training span are tried; a pattern is used when its bucket medians cut the robust spread
///    of the residuals (80th percentile of |residual|) by at least a third (corrected for the buckets' degrees of freedom).
/// 4. Baseline = median of the deseasonalized training values; the spread on each side is a quantile distance
///    of the residuals (so skewed metrics get an asymmetric band). The spread is measured on every point of the
///    window, flagged ones included: a burst that keeps recurring is how the metric behaves, and must widen the
///    band instead of paging every time (the 90% quantile still ignores rare outliers). If the median of the last `minHistory`
///    points (flagged ones included) sits outside the band, the metric has shifted level: the baseline moves there,
///    so one shift alerts for a few points and not forever.
/// 5. score = (value − expected) / spread; flagged when |score| > sensitivity on an allowed side and the change
///    clears the `min_change` floors.
public enum AnomalyDetector {
    /// The residual quantile whose distance from the median defines the spread. 0.95 rather than the quartile:
    /// it still ignores up to 5% of outliers (and at least 3), and it widens the band for heavy-tailed metrics
    /// (CPU, latency) whose normal bursts would otherwise page.
    static let spreadQuantile = 0.95
    /// Points left beyond the spread quantile at least, whatever the history length.
    static let minimumTailPoints = 3
    /// z of that quantile under a normal law, so that the spread is a standard deviation for Gaussian noise.
    static let spreadQuantileZ = 1.6449
    /// A pattern must cut the residual spread by at least this fraction to be used.
    static let seasonalGain = 1.0 / 3.0

    public static func evaluate(history: [MetricSample], point: MetricSample, settings: AnomalySettings,
                                excluded: [ExcludedInterval] = []) -> AnomalyVerdict {
        var workspace = Workspace()
        return evaluate(history: history, point: point, settings: settings, excluded: excluded, workspace: &workspace)
    }

    /// Reusable buffers, so that replays over long histories do not allocate per point.
    public struct Workspace: Sendable {
        var times: [Double] = []
        var values: [Double] = []
        /// Every point of the window (flagged ones too, not excluded intervals): the spread is measured on them.
        var allTimes: [Double] = []
        var allValues: [Double] = []
        var scratch: [Double] = []
        var recent: [MetricSample] = []
        public init() {}
    }

    public static func evaluate(history: [MetricSample], point: MetricSample, settings: AnomalySettings,
                                excluded: [ExcludedInterval], workspace: inout Workspace) -> AnomalyVerdict {
        let interval = settings.interval ?? inferInterval(history, scratch: &workspace.scratch)
        let slotTime = snap(point.time, interval)
        collectTraining(history: history, until: slotTime, settings: settings, interval: interval,
                        excluded: excluded, workspace: &workspace)
        var verdict = AnomalyVerdict(isAnomaly: false, pointsNeeded: 0, score: 0, expected: point.value, lower: point.value,
                                     upper: point.value, trainingStart: workspace.times.first, trainingEnd: workspace.times.last,
                                     trainingSize: workspace.times.count, seasonality: nil, bucket: nil, direction: .spike,
                                     interval: interval, levelShifted: false)
        guard workspace.times.count >= max(1, settings.minHistory) else {
            verdict.pointsNeeded = max(1, settings.minHistory) - workspace.times.count
            return verdict
        }
        var model = SeasonalModel.fit(times: workspace.times, values: workspace.values, at: slotTime, settings: settings,
                                      interval: interval, scratch: &workspace.scratch)
        model.fitSpread(values: workspace.allValues, times: workspace.allTimes, scratch: &workspace.scratch, keepLevel: true)
        judge(point.value, at: slotTime, model: model, settings: settings, workspace: &workspace, verdict: &verdict)
        return verdict
    }

    /// Schedules people use; a median spacing within 10% of one of them is taken to be it.
    static let naturalIntervals: [Double] = [60, 300, 600, 900, 1_800, 3_600, 7_200, 10_800, 21_600, 43_200, 86_400, 604_800]

    /// The median positive spacing between consecutive history points, rounded to a natural interval when
    /// close to one (a daily job that runs a few minutes late is still daily); 0 when unknown.
    static func inferInterval(_ history: [MetricSample], scratch: inout [Double]) -> Double {
        scratch.removeAll(keepingCapacity: true)
        for index in history.indices.dropFirst() {
            let gap = history[index].time - history[index - 1].time
            if gap > 0 { scratch.append(gap) }
        }
        guard let median = RobustStatistics.median(&scratch) else { return 0 }
        return naturalIntervals.first { abs(median / $0 - 1) <= 0.1 } ?? median
    }

    static func snap(_ time: Double, _ interval: Double) -> Double {
        interval > 0 ? (time / interval).rounded() * interval : time
    }

    /// Fills `times`/`values` with the clean training points and `recent` with the last points of the window.
    static func collectTraining(history: [MetricSample], until slotTime: Double, settings: AnomalySettings, interval: Double,
                                excluded: [ExcludedInterval], workspace: inout Workspace) {
        workspace.times.removeAll(keepingCapacity: true)
        workspace.values.removeAll(keepingCapacity: true)
        workspace.recent.removeAll(keepingCapacity: true)
        workspace.allTimes.removeAll(keepingCapacity: true)
        workspace.allValues.removeAll(keepingCapacity: true)
        let start = slotTime - settings.training
        var lastSlot = -Double.infinity
        var lastWasTraining = false
        for sample in history {
            let slot = snap(sample.time, interval)
            guard slot >= start, slot < slotTime else { continue }
            if slot == lastSlot {  // a later measurement of the same slot replaces the earlier one
                if lastWasTraining {
                    workspace.times.removeLast()
                    workspace.values.removeLast()
                }
                workspace.recent.removeLast()
                if workspace.allTimes.last == slot {
                    workspace.allTimes.removeLast()
                    workspace.allValues.removeLast()
                }
            }
            lastSlot = slot
            workspace.recent.append(MetricSample(time: slot, value: sample.value, flagged: sample.flagged))
            let isExcluded = excluded.contains { $0.contains(sample.time) }
            if !isExcluded {
                workspace.allTimes.append(slot)
                workspace.allValues.append(sample.value)
            }
            lastWasTraining = !sample.flagged && !isExcluded
            if lastWasTraining {
                workspace.times.append(slot)
                workspace.values.append(sample.value)
            }
        }
        let keep = max(1, settings.minHistory)
        if workspace.recent.count > keep { workspace.recent.removeFirst(workspace.recent.count - keep) }
    }

    static func judge(_ value: Double, at slotTime: Double, model: SeasonalModel, settings: AnomalySettings,
                      workspace: inout Workspace, verdict: inout AnomalyVerdict) {
        var level = model.level
        // Level shift: the recent points' (deseasonalized) median lies outside the band around the training level.
        workspace.scratch.removeAll(keepingCapacity: true)
        for sample in workspace.recent { workspace.scratch.append(sample.value - model.offset(at: sample.time)) }
        if workspace.recent.count >= max(1, settings.minHistory), let recent = RobustStatistics.median(&workspace.scratch) {
            let spread = recent >= level ? model.spreadUp : model.spreadDown
            if abs(recent - level) > settings.sensitivity * spread {
                level = recent
                verdict.levelShifted = true
            }
        }
        let expected = level + model.offset(at: slotTime)
        let deviation = value - expected
        let spread = deviation >= 0 ? model.spreadUp : model.spreadDown
        let floor = max(settings.minAbsoluteChange, settings.minRelativeChange * abs(expected))
        verdict.expected = expected
        verdict.lower = expected - max(settings.sensitivity * model.spreadDown, floor)
        verdict.upper = expected + max(settings.sensitivity * model.spreadUp, floor)
        verdict.score = deviation == 0 ? 0 : max(-1e9, min(1e9, deviation / spread))
        verdict.direction = deviation >= 0 ? .spike : .drop
        verdict.seasonality = model.seasonality
        verdict.bucket = model.seasonality.map { $0.label($0.bucket(slotTime)) }
        let allowed = settings.direction == .both || settings.direction == verdict.direction
        verdict.isAnomaly = allowed && abs(verdict.score) > settings.sensitivity && abs(deviation) >= floor && abs(deviation) > 0
    }
}
