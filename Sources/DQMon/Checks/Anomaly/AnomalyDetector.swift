/// Robust, seasonal anomaly detection on a metric's history: a pure function of (history, settings, point).
///
/// Method, in order:
/// 1. Timestamps are snapped to the metric's natural interval (given, or the median spacing of the history);
///    several points in one slot keep the last, gaps are simply missing slots.
/// 2. Training = the points of the `training` window that ends at the start of the point's refit period
///    (`refitPeriod`: one interval for daily metrics, a few hours for hourly ones), minus flagged points and points
///    inside excluded intervals (open incidents, maintenance). Fewer than `minHistory` -> skipped. Every point of
///    one period is judged against the same model, so a replay fits it once per period (the `Workspace` caches it,
///    keyed by a fingerprint of that training data): the verdict is the same with or without the cache.
/// 3. Seasonality (`auto`): among hour_of_day, day_of_week, hour_of_week and day_of_month, those whose two full
///    cycles fit in the training span are tried; a pattern is used when its bucket medians cut the robust spread
///    of the residuals (80th percentile of |residual|) by at least a third (corrected for the buckets' degrees of freedom).
/// 4. Baseline = median of the deseasonalized training values; the spread on each side is a quantile distance
///    of the residuals (so skewed metrics get an asymmetric band). The spread is measured on every point of the
///    window, flagged ones included: a burst that keeps recurring is how the metric behaves, and must widen the
///    band instead of paging every time (the 97.5% quantile still ignores rare outliers). With few points the
///    quantile is taken no closer to the edge than the 4th value, which sits at a lower quantile; `tailDivisor`
///    corrects for that, so a short history gets as wide a band (in standard deviations) as a long one. A seasonal
///    model's residuals are measured out of sample (each point against its bucket's median without it), and the
///    spread of `count` points is widened by `smallSampleFactor` (a t quantile instead of a normal one): both matter
///    only for short windows, e.g. a daily metric's 28 points.
/// 5. Plausible levels: the training baseline; the median of the last `minHistory` points when it left the band
///    (a level shift); and, while a deviation is being alerted (one of the last `minHistory + 1` points is flagged),
///    the median of the last `onsetPoints` points (the level the metric is at right now). Flagged points count in
///    both medians. A point is judged against the nearest of these levels: it is flagged at the onset of a deviation
///    (when it is far from all of them), but once a few points sit at a new level the next ones at that level are
///    not flagged again, and a return to the trained baseline is never an anomaly. So a step change alerts once or
///    twice and then the model follows it (those points, unflagged, also enter training), while an isolated anomaly
///    stays flagged and out of training. A slow drift drags the last few points with it, so it is flagged when it
///    leaves the band. A seasonal bucket whose window points are mostly flagged takes their median (`SeasonalModel
///    .readmitFlaggedBuckets`): a new normal for that hour is learnt instead of alerting every day.
/// 6. score = (value − nearest level) / spread; flagged when |score| > sensitivity on an allowed side and the change
///    clears the `min_change` floors.
/// 7. Sustained shift: the point whose arrival moves the median of the last `minHistory` points beyond `sensitivity`
///    spreads of such medians (measured on consecutive blocks of training residuals, at least `minimumBlocks`) is
///    flagged, at that crossing only: a shift smaller than the point band but longer than the metric's wander.
/// 8. Stuck metric (direction `both` only): a value repeated for more consecutive points than any run of equal
///    values in the training window (and at least `minimumStuckRun`) is flagged once, when the run gets that long.
///    That includes the metric's usual value: disk writes that are usually 0 between bursts, but now stay 0 longer
///    than ever. A metric that should sit at 0 (a null rate) takes `direction: spike`, which has no stuck rule.
/// 9. Continuation: once a deviation's onset is flagged, up to `continuationPoints` more consecutive points are
///    flagged while each is still beyond `sensitivity` spreads of the trained baseline (same floors and direction
///    as step 6). The level rules of step 5 would otherwise stop alerting right after the onset; these few points
///    say "still anomalous" while a deviation lasts, and the cap (and `flagged` points staying out of training)
///    still lets a step change become the new normal. An isolated spike is followed by a normal point, so it is
///    flagged once.
/// 10. Sudden jump: a point far from the median of the `minHistory` points before it, in units of the metric's own
///    step-to-step noise (`SeasonalModel.fitJumpSpread`), by more than `jumpFactor × sensitivity`, is flagged when
///    none of those points was flagged (the onset of a jump only). The point band of step 4 is measured around one
///    level for the whole window, so an earlier level shift or a wide-swinging metric (a temperature with deep
///    daily dips) widens it until a sharp jump inside it goes unseen; the jump rule sees it.
///
/// History points whose time or value is not finite (stored by an older dqmon) are no measurement: they are left out
/// of training and of the recent points.
public enum AnomalyDetector {
    /// The residual quantile whose distance from the median defines the spread. 0.975 rather than the quartile:
    /// it still ignores up to 2.5% of outliers (and at least 3), and it widens the band for heavy-tailed metrics
    /// (CPU, latency) whose normal bursts would otherwise page.
    static let spreadQuantile = 0.975
    /// Points left beyond the spread quantile at least, whatever the history length: the point spread of 28 daily
    /// points is read at the 3rd largest (and smallest) residual. It was the 4th (3 beyond), about the 86th
    /// percentile, from which the band is extrapolated to ~3.6σ as if the tails were normal; a right-skewed metric
    /// (a nightly load's lag: an exponential delay) then paged on its own tail (issue 19, `scripts/bench-anomaly-dq`:
    /// daily freshness lag 10.0 -> 7.3 false alarms per 1,000 points, windows found 85% -> 90%; daily row counts
    /// 5.1 -> 3.0). 1 beyond went further (4.7) but lost level shifts (81%). Long windows are unchanged (2.5% of 120+
    /// points is more than 2), and so is NAB; the block spread of the sustained-shift rule keeps 3
    /// (`minimumBlockTailPoints`).
    static let minimumTailPoints = 2
    /// The same for the spread of block medians (`SeasonalModel.fitBlockSpread`): with 2 there, NAB lost a window
    /// (TravelTime_451, found by the sustained-shift rule) for no gain on the data-quality set.
    static let minimumBlockTailPoints = 3
    /// The divisor of that quantile distance: z of the 95% quantile under a normal law. With the 97.5% quantile the
    /// spread is 1.19 standard deviations of Gaussian noise, so the default sensitivity 3 is a 3.6σ point band: wide
    /// on purpose (NAB: each flagged normal point is a false alarm), since the onset, sustained-shift and stuck
    /// rules catch the changes a narrower band was needed for.
    static let spreadQuantileZ = 1.6449

    /// The divisor that turns a tail distance (median to the value `beyond` places from the edge of `count` sorted
    /// values) into a spread: `spreadQuantileZ` for long histories. With few points that value sits at a lower
    /// quantile (the 4th largest of 14 is near the 75th percentile, by Blom's plotting position), so the divisor
    /// shrinks in proportion and the band keeps its width in standard deviations: without it, a 14-point history
    /// got a 1.2σ band instead of 3.6σ, which made the first days of every new metric page on ordinary noise.
    static func tailDivisor(count: Int, beyond: Int) -> Double {
        guard count > 0 else { return spreadQuantileZ }
        let position = (Double(count - beyond) - 0.375) / (Double(count) + 0.25)
        let effective = RobustStatistics.normalQuantile(min(position, spreadQuantile))
        return spreadQuantileZ * max(effective, minimumTailZ) / RobustStatistics.normalQuantile(spreadQuantile)
    }

    /// How much wider a band measured on `count` points must be to flag a normal point no more often than one
    /// measured on many: a spread estimated from few points is itself uncertain, so the edge of a new point is a
    /// Student-t quantile with `count − 1` degrees of freedom, not a normal one (the textbook prediction interval).
    /// The ratio t/z is taken at the default band (3 spreads ≈ 3.6σ), by the Cornish–Fisher expansion of t:
    /// about 1.33 at 14 points, 1.15 at 28 (a daily metric's window), 1.006 at 672 (an hourly one), 1 beyond.
    /// On the daily data-quality set (`scripts/bench-anomaly-dq`, issue 19) it takes the false alarms of daily
    /// metrics from 9.5 to 6.5 per 1,000 points (freshness lags, right-skewed: 14.1 to 10.1); NAB is unchanged
    /// (95.2% of windows) since its windows hold thousands of points.
    static func smallSampleFactor(count: Int) -> Double {
        let z = 3 * RobustStatistics.normalQuantile(spreadQuantile) / spreadQuantileZ
        let nu = max(2, Double(count - 1))
        let z3 = z * z * z
        let t = z + (z3 + z) / (4 * nu) + (5 * z3 * z * z + 16 * z3 + 3 * z) / (96 * nu * nu)
        return t / z
    }

    /// The smallest z `tailDivisor` uses (a position below the 69th percentile, i.e. under 12 points, is treated as it).
    static let minimumTailZ = 0.5
    /// A pattern must cut the residual spread by at least this fraction to be used.
    static let seasonalGain = 1.0 / 3.0
    /// The last this many points define the level the metric is at now (their median): a point near it continues
    /// a deviation whose onset was already judged.
    static let onsetPoints = 3
    /// The model is refitted once per `training / refitsPerWindow` (at most a day, at least one interval).
    static let refitsPerWindow = 100.0
    /// A repeated value is a stuck metric only from this many points on.
    static let minimumStuckRun = 7
    /// Blocks of `minHistory` points the training window must hold before sustained shifts are judged.
    /// 40 blocks of 14 points: an hourly metric's sustained-shift rule starts after 23 days of history instead of 12.
    /// With 20 blocks, the tail of the block medians' spread was read from too few of them (the 4th largest of 20-40)
    /// and the rule paged on ordinary wander in an hourly metric's first month (issue 19: hourly row counts 8.4 -> 6.4
    /// false alarms per 1,000 points with this, no window lost; 60 blocks lost a NAB window).
    static let minimumBlocks = 40
    /// After a flagged point, at most this many more consecutive points are flagged as the deviation's
    /// continuation (while each is still outside the trained band): a few "still anomalous" points after the onset,
    /// not a page per point for a shift that lasts. 3 on NAB (measured before the jump rule and the small-history
    /// correction): F1 0.386 -> 0.439, false alarms 7.15 -> 7.83 per 1,000
    /// points, windows found unchanged (the extra flags fall mostly inside the anomaly windows). On the daily
    /// data-quality set (`scripts/bench-anomaly-dq`, issue 19) one continuation point instead of 3 on daily metrics
    /// gave 5.9 instead of 6.5 false alarms per 1,000 daily points, no window more or less: kept at 3 for now.
    static let continuationPoints = 3
    /// The jump rule's threshold in step-to-step spreads, as a multiple of `sensitivity` (5 at the default 3): it is
    /// an extra test on every point, so it must be stricter than the point band to add few false alarms. On NAB
    /// (`scripts/bench-anomaly`) it finds 3 more windows (a shift inside a shift, two temperature collapses).
    static let jumpFactor = 5.0 / 3.0

    public static func evaluate(history: [MetricPoint], point: MetricPoint, settings: AnomalySettings,
                                excluded: [ExcludedInterval] = []) -> AnomalyVerdict {
        var workspace = Workspace()
        return evaluate(history: history[...], point: point, settings: settings, excluded: excluded, workspace: &workspace)
    }

    public static func evaluate(history: [MetricPoint], point: MetricPoint, settings: AnomalySettings,
                                excluded: [ExcludedInterval], workspace: inout Workspace) -> AnomalyVerdict {
        evaluate(history: history[...], point: point, settings: settings, excluded: excluded, workspace: &workspace)
    }

    /// Reusable buffers and the last fitted model, so that replays over long histories neither allocate nor refit
    /// per point. Reusing a workspace does not change verdicts: the model is reused only when the refit period, the
    /// settings and a fingerprint of the training data (counts, sums, flags and ends of its points) are the same.
    public struct Workspace: Sendable {
        var times: [Double] = []
        var values: [Double] = []
        /// Every point of the window (flagged ones too, not excluded intervals): the spread is measured on them.
        var allTimes: [Double] = []
        var allValues: [Double] = []
        var scratch: [Double] = []
        var recent: [MetricPoint] = []
        var cached: (key: ModelKey, model: SeasonalModel)?
        /// The last fingerprint, reused by replays whose history only grows after the refit boundary (`appendOnly`).
        var lastKey: ModelKey?
        public init() {}
    }

    /// What the model of a refit period was fitted on (a fingerprint of it).
    struct ModelKey: Equatable, Sendable {
        var boundary: Double
        var interval: Double
        var settings: AnomalySettings
        var count: Int
        var allCount: Int
        var sum: Double
        var allSum: Double
        var flaggedSum: Double
        var firstClean: Double
        var lastClean: Double
        var first: Double
        var last: Double
    }

    /// - Parameter appendOnly: the caller (a replay of a series in time order) promises that since the previous call
    ///   with this workspace, `history` only gained points at its end, at or after the previous point, and lost
    ///   points only at its start, before the training window. The training data of one refit boundary then cannot
    ///   change, and its fingerprint (a pass over the whole window) is computed once per boundary, not per point.
    static func evaluate(history: ArraySlice<MetricPoint>, point: MetricPoint, settings: AnomalySettings,
                         excluded: [ExcludedInterval], workspace: inout Workspace, appendOnly: Bool = false) -> AnomalyVerdict {
        let interval = settings.interval ?? inferInterval(history, scratch: &workspace.scratch)
        let slotTime = snap(point.time, interval)
        let boundary = refitBoundary(slotTime, interval: interval, settings: settings)
        let key: ModelKey
        if appendOnly, let last = workspace.lastKey, last.boundary == boundary, last.interval == interval, last.settings == settings {
            key = last
        } else {
            key = fingerprint(history: history, boundary: boundary, settings: settings, interval: interval, excluded: excluded)
            workspace.lastKey = key
        }
        collectRecent(history: history, until: slotTime, from: boundary - settings.training, settings: settings,
                      interval: interval, workspace: &workspace)
        var verdict = AnomalyVerdict(isAnomaly: false, pointsNeeded: 0, score: 0, expected: point.value, lower: point.value,
                                     upper: point.value, trainingStart: key.count > 0 ? key.firstClean : nil,
                                     trainingEnd: key.count > 0 ? key.lastClean : nil, trainingSize: key.count, seasonality: nil,
                                     bucket: nil, direction: .spike, interval: interval, levelShifted: false)
        guard key.count >= max(1, settings.minHistory) else {
            verdict.pointsNeeded = max(1, settings.minHistory) - key.count
            return verdict
        }
        let model: SeasonalModel
        if let cached = workspace.cached, cached.key == key {
            model = cached.model
        } else {
            collectTraining(history: history, boundary: boundary, settings: settings, interval: interval, excluded: excluded,
                            workspace: &workspace)
            var fitted = SeasonalModel.fit(times: workspace.times, values: workspace.values, at: boundary, settings: settings,
                                           interval: interval, scratch: &workspace.scratch)
            fitted.readmitFlaggedBuckets(cleanTimes: workspace.times, allTimes: workspace.allTimes, allValues: workspace.allValues)
            fitted.fitSpread(values: workspace.allValues, times: workspace.allTimes, scratch: &workspace.scratch, keepLevel: true)
            fitted.longestRun = longestCompletedRun(workspace.allValues)
            fitted.fitJumpSpread(values: workspace.allValues, times: workspace.allTimes, size: max(1, settings.minHistory),
                                 scratch: &workspace.scratch)
            fitted.nonNegative = workspace.allValues.allSatisfy { $0 >= 0 }
            fitted.fitBlockSpread(values: workspace.allValues, times: workspace.allTimes, size: max(1, settings.minHistory),
                                  scratch: &workspace.scratch)
            workspace.cached = (key, fitted)
            model = fitted
        }
        judge(point.value, at: slotTime, model: model, settings: settings, workspace: &workspace, verdict: &verdict)
        judgeSustainedShift(point.value, at: slotTime, model: model, settings: settings, workspace: &workspace, verdict: &verdict)
        judgeStuck(point.value, history: history, until: slotTime, interval: interval, model: model, settings: settings,
                   verdict: &verdict)
        judgeContinuation(point.value, at: slotTime, model: model, settings: settings, workspace: workspace, verdict: &verdict)
        judgeJump(point.value, at: slotTime, model: model, settings: settings, workspace: &workspace, verdict: &verdict)
        // A row count's band after a wide incident may reach below zero; no such value can occur (display only:
        // the verdict is the score's).
        if model.nonNegative { verdict.lower = max(verdict.lower, 0) }
        return verdict
    }

    /// Schedules people use; a median spacing within 10% of one of them is taken to be it.
    static let naturalIntervals: [Double] = [60, 300, 600, 900, 1_800, 3_600, 7_200, 10_800, 21_600, 43_200, 86_400, 604_800]

    /// The median positive spacing between consecutive history points, rounded to a natural interval when
    /// close to one (a daily job that runs a few minutes late is still daily); 0 when unknown.
    static func inferInterval(_ history: [MetricPoint], scratch: inout [Double]) -> Double {
        inferInterval(history[...], scratch: &scratch)
    }

    static func inferInterval(_ history: ArraySlice<MetricPoint>, scratch: inout [Double]) -> Double {
        scratch.removeAll(keepingCapacity: true)
        var previous: Double?
        for sample in history {
            if let previous, sample.time - previous > 0 { scratch.append(sample.time - previous) }
            previous = sample.time
        }
        guard let median = RobustStatistics.median(&scratch) else { return 0 }
        return naturalIntervals.first { abs(median / $0 - 1) <= 0.1 } ?? median
    }

    static func snap(_ time: Double, _ interval: Double) -> Double {
        interval > 0 ? (time / interval).rounded() * interval : time
    }

    /// The length of a refit period: `training / refitsPerWindow`, at most a day, in whole intervals (at least one).
    static func refitPeriod(interval: Double, settings: AnomalySettings) -> Double {
        guard interval > 0 else { return 0 }
        let wanted = min(86_400, settings.training / refitsPerWindow)
        return max(1, (wanted / interval).rounded(.down)) * interval
    }

    /// The start of the point's refit period: the model is trained on the points before it.
    static func refitBoundary(_ slotTime: Double, interval: Double, settings: AnomalySettings) -> Double {
        let period = refitPeriod(interval: interval, settings: settings)
        guard period > 0 else { return slotTime }
        return min(slotTime, (slotTime / period).rounded(.down) * period)
    }

    /// Summarizes the training data of the refit period ending at `boundary` (one pass, no allocation): equal
    /// fingerprints mean equal training data, so the cached model can be reused.
    static func fingerprint(history: ArraySlice<MetricPoint>, boundary: Double, settings: AnomalySettings, interval: Double,
                            excluded: [ExcludedInterval]) -> ModelKey {
        var key = ModelKey(boundary: boundary, interval: interval, settings: settings, count: 0, allCount: 0, sum: 0, allSum: 0,
                           flaggedSum: 0, firstClean: 0, lastClean: 0, first: 0, last: 0)
        let start = boundary - settings.training
        var lastSlot = -Double.infinity
        var lastClean = false
        var lastAll = false
        var lastValue = 0.0
        var lastFlagged = 0.0
        for sample in history where sample.value.isFinite && sample.time.isFinite {
            let slot = snap(sample.time, interval)
            guard slot >= start, slot < boundary else { continue }
            if slot == lastSlot {  // a later measurement of the same slot replaces the earlier one
                if lastClean {
                    key.count -= 1
                    key.sum -= lastValue
                }
                if lastAll {
                    key.allCount -= 1
                    key.allSum -= lastValue
                    key.flaggedSum -= lastFlagged
                }
            }
            lastSlot = slot
            lastValue = sample.value
            let isExcluded = !excluded.isEmpty && excluded.contains { $0.contains(sample.time) }
            lastAll = !isExcluded
            lastClean = !isExcluded && !sample.flagged
            if lastAll {
                if key.allCount == 0 { key.first = slot }
                key.last = slot
                key.allCount += 1
                key.allSum += sample.value
                lastFlagged = sample.flagged ? sample.value + 1 : 0
                key.flaggedSum += lastFlagged
            }
            if lastClean {
                if key.count == 0 { key.firstClean = slot }
                key.lastClean = slot
                key.count += 1
                key.sum += sample.value
            }
        }
        return key
    }

    /// Fills `times`/`values` with the clean training points before `boundary`, and `allTimes`/`allValues` with
    /// every point there outside excluded intervals (flagged ones too).
    static func collectTraining(history: ArraySlice<MetricPoint>, boundary: Double, settings: AnomalySettings,
                                interval: Double, excluded: [ExcludedInterval], workspace: inout Workspace) {
        workspace.times.removeAll(keepingCapacity: true)
        workspace.values.removeAll(keepingCapacity: true)
        workspace.allTimes.removeAll(keepingCapacity: true)
        workspace.allValues.removeAll(keepingCapacity: true)
        let start = boundary - settings.training
        var lastSlot = -Double.infinity
        var lastWasTraining = false
        var lastWasAll = false
        for sample in history where sample.value.isFinite && sample.time.isFinite {
            let slot = snap(sample.time, interval)
            guard slot >= start, slot < boundary else { continue }
            if slot == lastSlot {  // a later measurement of the same slot replaces the earlier one
                if lastWasTraining {
                    workspace.times.removeLast()
                    workspace.values.removeLast()
                }
                if lastWasAll {
                    workspace.allTimes.removeLast()
                    workspace.allValues.removeLast()
                }
            }
            lastSlot = slot
            let isExcluded = !excluded.isEmpty && excluded.contains { $0.contains(sample.time) }
            lastWasAll = !isExcluded
            if lastWasAll {
                workspace.allTimes.append(slot)
                workspace.allValues.append(sample.value)
            }
            lastWasTraining = !sample.flagged && !isExcluded
            if lastWasTraining {
                workspace.times.append(slot)
                workspace.values.append(sample.value)
            }
        }
    }

    /// Fills `recent` with the last points before `slotTime` (at most `minHistory + 1`, one per slot, oldest first).
    static func collectRecent(history: ArraySlice<MetricPoint>, until slotTime: Double, from start: Double,
                              settings: AnomalySettings, interval: Double, workspace: inout Workspace) {
        workspace.recent.removeAll(keepingCapacity: true)
        let keep = max(1, settings.minHistory + 1, onsetPoints)
        var lastSlot = Double.infinity
        for sample in history.reversed() where sample.value.isFinite && sample.time.isFinite {
            let slot = snap(sample.time, interval)
            guard slot < slotTime else { continue }
            if slot >= lastSlot { continue }  // an earlier measurement of a slot already taken, or out of order
            guard slot >= start else { break }
            lastSlot = slot
            workspace.recent.append(MetricPoint(time: slot, value: sample.value, flagged: sample.flagged))
            if workspace.recent.count == keep { break }
        }
        workspace.recent.reverse()
    }

    /// The longest run of equal consecutive values that ended inside `values` (the run still going on at the end
    /// is left out: it may be the stuck stretch being judged); 0 when the values never change.
    static func longestCompletedRun(_ values: [Double]) -> Int {
        var longest = 0
        var run = 1
        for index in values.indices.dropFirst() {
            if values[index] == values[index - 1] {
                run += 1
            } else {
                longest = max(longest, run)
                run = 1
            }
        }
        return longest
    }

    static func judge(_ value: Double, at slotTime: Double, model: SeasonalModel, settings: AnomalySettings,
                      workspace: inout Workspace, verdict: inout AnomalyVerdict) {
        let offset = model.offset(at: slotTime)
        let floor = { (expected: Double) in max(settings.minAbsoluteChange, settings.minRelativeChange * abs(expected)) }
        // The plausible levels (deseasonalized): training baseline, long-window shift, the last few points.
        var levels = [model.level]
        var shiftIndex = Int.max
        let needed = max(1, settings.minHistory)
        if workspace.recent.count >= needed {
            workspace.scratch.removeAll(keepingCapacity: true)
            for sample in workspace.recent.suffix(needed) { workspace.scratch.append(sample.value - model.offset(at: sample.time)) }
            if let recent = RobustStatistics.median(&workspace.scratch) {
                let spread = recent >= model.level ? model.spreadUp : model.spreadDown
                if abs(recent - model.level) > settings.sensitivity * spread {
                    shiftIndex = levels.count
                    levels.append(recent)
                }
            }
        }
        // The level of the last few points counts only while a deviation is being alerted (a recent point was
        // flagged): so its onset is flagged, its continuation is not, and a slow drift is still flagged once it
        // leaves the band (a drift moves the last few points with it).
        if onsetPoints > 0, workspace.recent.count >= onsetPoints, workspace.recent.contains(where: \.flagged) {
            workspace.scratch.removeAll(keepingCapacity: true)
            for sample in workspace.recent.suffix(onsetPoints) { workspace.scratch.append(sample.value - model.offset(at: sample.time)) }
            if let current = RobustStatistics.median(&workspace.scratch) { levels.append(current) }
        }
        // The nearest level in robust standard deviations (floors count: a change under them is no change).
        var best = 0
        var bestScore = Double.infinity
        for (index, level) in levels.enumerated() {
            let expected = level + offset
            let deviation = value - expected
            let spread = deviation >= 0 ? model.spreadUp : model.spreadDown
            var score = deviation == 0 ? 0 : abs(deviation) / spread
            if abs(deviation) < floor(expected) { score = min(score, settings.sensitivity) }
            if score < bestScore {
                best = index
                bestScore = score
            }
        }
        let expected = levels[best] + offset
        let deviation = value - expected
        let spread = deviation >= 0 ? model.spreadUp : model.spreadDown
        let minimum = floor(expected)
        verdict.levelShifted = best > 0 || shiftIndex != .max
        verdict.expected = expected
        verdict.lower = expected - max(settings.sensitivity * model.spreadDown, minimum)
        verdict.upper = expected + max(settings.sensitivity * model.spreadUp, minimum)
        verdict.score = deviation == 0 ? 0 : max(-1e9, min(1e9, deviation / spread))
        verdict.direction = deviation >= 0 ? .spike : .drop
        verdict.seasonality = model.seasonality
        verdict.bucket = model.seasonality.map { $0.label($0.bucket(slotTime)) }
        let allowed = settings.direction == .both || settings.direction == verdict.direction
        verdict.isAnomaly = allowed && abs(verdict.score) > settings.sensitivity && abs(deviation) >= minimum && abs(deviation) > 0
    }

    /// Flags the point whose arrival moves the median of the last `minHistory` points (this one included) beyond
    /// `sensitivity` block spreads from the level, when the median before it was not: the onset of a sustained
    /// shift too small for the point band. Once past, the shift is not flagged again (the level rules follow it).
    static func judgeSustainedShift(_ value: Double, at slotTime: Double, model: SeasonalModel, settings: AnomalySettings,
                                    workspace: inout Workspace, verdict: inout AnomalyVerdict) {
        let size = model.blockSize
        guard size >= 2, !verdict.isAnomaly, workspace.recent.count >= size else { return }
        func median(_ samples: ArraySlice<MetricPoint>, plus extra: Double?) -> Double {
            workspace.scratch.removeAll(keepingCapacity: true)
            for sample in samples { workspace.scratch.append(sample.value - model.offset(at: sample.time) - model.level) }
            if let extra { workspace.scratch.append(extra) }
            return RobustStatistics.median(&workspace.scratch) ?? 0
        }
        let before = median(workspace.recent.suffix(size), plus: nil)
        let now = median(workspace.recent.suffix(size - 1), plus: value - model.offset(at: slotTime) - model.level)
        func beyond(_ shift: Double) -> Bool {
            shift >= 0 ? shift > settings.sensitivity * model.blockSpreadUp : -shift > settings.sensitivity * model.blockSpreadDown
        }
        guard beyond(now), !beyond(before) || (now >= 0) != (before >= 0) else { return }
        let direction: AnomalySettings.Direction = now >= 0 ? .spike : .drop
        let expected = model.level + model.offset(at: slotTime)
        let floor = max(settings.minAbsoluteChange, settings.minRelativeChange * abs(expected))
        guard settings.direction == .both || settings.direction == direction, abs(now) >= floor, abs(now) > 0 else { return }
        verdict.isAnomaly = true
        verdict.sustainedShift = now / (now >= 0 ? model.blockSpreadUp : model.blockSpreadDown)
    }

    /// Flags the point at which a repeated value becomes longer than every run of equal values in training.
    static func judgeStuck(_ value: Double, history: ArraySlice<MetricPoint>, until slotTime: Double, interval: Double,
                           model: SeasonalModel, settings: AnomalySettings, verdict: inout AnomalyVerdict) {
        guard settings.direction == .both, model.longestRun > 0, !verdict.isAnomaly else { return }
        let threshold = max(model.longestRun + 1, minimumStuckRun)
        var run = 1
        var lastSlot = slotTime
        for sample in history.reversed() {
            let slot = snap(sample.time, interval)
            if slot >= lastSlot { continue }  // later points, or a replaced measurement of the same slot
            guard sample.value == value else { break }
            run += 1
            lastSlot = slot
            if run > threshold { return }  // already flagged when the run reached the threshold
        }
        if run == threshold {
            verdict.isAnomaly = true
            verdict.stuckRun = run
        }
    }

    /// Flags a point that follows 1...`continuationPoints` consecutive flagged points (in `recent`, one per slot)
    /// while it is still beyond `sensitivity` spreads of the trained baseline, on an allowed side and past the
    /// `min_change` floors. The verdict then describes the point against that baseline (not the level it moved to).
    static func judgeContinuation(_ value: Double, at slotTime: Double, model: SeasonalModel, settings: AnomalySettings,
                                  workspace: Workspace, verdict: inout AnomalyVerdict) {
        guard continuationPoints > 0, !verdict.isAnomaly else { return }
        var chain = 0
        for sample in workspace.recent.reversed() {
            guard sample.flagged else { break }
            chain += 1
        }
        guard chain > 0, chain <= continuationPoints else { return }
        let expected = model.level + model.offset(at: slotTime)
        let deviation = value - expected
        let spread = deviation >= 0 ? model.spreadUp : model.spreadDown
        let direction: AnomalySettings.Direction = deviation >= 0 ? .spike : .drop
        let floor = max(settings.minAbsoluteChange, settings.minRelativeChange * abs(expected))
        guard settings.direction == .both || settings.direction == direction, abs(deviation) >= floor, abs(deviation) > 0,
              abs(deviation) > settings.sensitivity * spread else { return }
        verdict.isAnomaly = true
        verdict.continuation = chain
        verdict.levelShifted = false
        verdict.expected = expected
        verdict.lower = expected - max(settings.sensitivity * model.spreadDown, floor)
        verdict.upper = expected + max(settings.sensitivity * model.spreadUp, floor)
        verdict.score = max(-1e9, min(1e9, deviation / spread))
        verdict.direction = direction
    }

    /// Flags a point more than `jumpFactor × sensitivity` step-to-step spreads from the median of the `jumpSize`
    /// points before it (on an allowed side, past the `min_change` floors), when none of them was flagged. The verdict
    /// then describes the point against that recent median and the jump spread.
    static func judgeJump(_ value: Double, at slotTime: Double, model: SeasonalModel, settings: AnomalySettings,
                          workspace: inout Workspace, verdict: inout AnomalyVerdict) {
        let size = model.jumpSize
        guard size >= 2, !verdict.isAnomaly, workspace.recent.count >= size else { return }
        let before = workspace.recent.suffix(size)
        guard !before.contains(where: \.flagged) else { return }
        workspace.scratch.removeAll(keepingCapacity: true)
        for sample in before { workspace.scratch.append(sample.value - model.offset(at: sample.time)) }
        guard let recent = RobustStatistics.median(&workspace.scratch) else { return }
        let expected = recent + model.offset(at: slotTime)
        let deviation = value - expected
        let spread = deviation >= 0 ? model.jumpSpreadUp : model.jumpSpreadDown
        let direction: AnomalySettings.Direction = deviation >= 0 ? .spike : .drop
        let floor = max(settings.minAbsoluteChange, settings.minRelativeChange * abs(expected))
        let threshold = jumpFactor * settings.sensitivity
        guard settings.direction == .both || settings.direction == direction, abs(deviation) >= floor, abs(deviation) > 0,
              abs(deviation) > threshold * spread else { return }
        verdict.isAnomaly = true
        verdict.jump = max(-1e9, min(1e9, deviation / spread))
        verdict.levelShifted = false
        verdict.expected = expected
        verdict.lower = expected - max(threshold * model.jumpSpreadDown, floor)
        verdict.upper = expected + max(threshold * model.jumpSpreadUp, floor)
        verdict.score = verdict.jump
        verdict.direction = direction
    }
}
