/// The baseline fitted on clean training points: a level, optional seasonal offsets, and a spread per side.
struct SeasonalModel: Sendable {
    var seasonality: Seasonality?
    /// Per bucket: median of the bucket minus the overall median (0 for buckets with fewer than two points).
    var offsets: [Double]
    var level: Double
    var spreadUp: Double
    var spreadDown: Double
    /// The longest run of equal consecutive values in the training window (completed runs only).
    var longestRun = 0
    /// True when no point of the window is negative (counts, rates, lags): the band's lower edge is then shown no lower than 0.
    var nonNegative = false
    /// Spread of the medians of consecutive `blockSize`-point blocks of residuals, per side (0: too few blocks).
    var blockSpreadUp = 0.0
    var blockSpreadDown = 0.0
    var blockSize = 0
    /// Spread of a point's distance from the median of the `jumpSize` points before it, per side (0: too few points).
    var jumpSpreadUp = 0.0
    var jumpSpreadDown = 0.0
    var jumpSize = 0

    func offset(at time: Double) -> Double {
        guard let seasonality else { return 0 }
        return offsets[seasonality.bucket(time)]
    }

    static func fit(times: [Double], values: [Double], at time: Double, settings: AnomalySettings, interval: Double,
                    scratch: inout [Double]) -> SeasonalModel {
        scratch = values
        let median = RobustStatistics.median(&scratch) ?? 0
        var best = plain(values: values, median: median, scratch: &scratch)
        let span = time - (times.first ?? time)
        let candidates: [Seasonality]
        switch settings.seasonality {
        case .none: candidates = []
        case .fixed(let seasonality): candidates = [seasonality]
        case .auto: candidates = Seasonality.allCases
        }
        let required = settings.seasonality == .auto ? 1 - AnomalyDetector.seasonalGain : 1.0
        var threshold = residualSpread(values: values, offsets: nil, buckets: [], level: median, scratch: &scratch) * required
        var buckets: [Int] = []
        for seasonality in candidates where span >= 2 * seasonality.period && interval <= seasonality.resolution {
            seasonality.buckets(times, into: &buckets)
            guard var model = seasonal(seasonality, buckets: buckets, values: values, median: median, scratch: &scratch) else { continue }
            let score = residualSpread(values: values, offsets: model.offsets, buckets: buckets, level: median, scratch: &scratch)
                * (Double(values.count) / Double(max(1, values.count - model.usedBuckets))).squareRoot()
            if score <= threshold || settings.seasonality != .auto {
                model.fitSpread(values: values, times: times, scratch: &scratch)
                best = model
                threshold = score * required
            }
        }
        return best
    }

    var usedBuckets: Int { offsets.indices.filter { offsets[$0] != 0 }.count }

    static func plain(values: [Double], median: Double, scratch: inout [Double]) -> SeasonalModel {
        var model = SeasonalModel(seasonality: nil, offsets: [], level: median, spreadUp: 0, spreadDown: 0)
        model.fitSpread(values: values, times: [], scratch: &scratch)
        return model
    }

    /// Bucket medians as offsets from the overall median; nil when fewer than half the buckets have two points.
    /// Values are laid out bucket by bucket in `scratch` (a counting sort) so no per-bucket arrays are allocated.
    static func seasonal(_ seasonality: Seasonality, buckets: [Int], values: [Double], median: Double,
                         scratch: inout [Double]) -> SeasonalModel? {
        let count = seasonality.bucketCount
        var starts = [Int](repeating: 0, count: count + 1)
        for bucket in buckets { starts[bucket + 1] += 1 }
        for bucket in 0..<count { starts[bucket + 1] += starts[bucket] }
        var next = starts
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: repeatElement(0, count: values.count))
        for index in values.indices {
            let bucket = buckets[index]
            scratch[next[bucket]] = values[index]
            next[bucket] += 1
        }
        var offsets = [Double](repeating: 0, count: count)
        var filled = 0
        var nonEmpty = 0
        var segment: [Double] = []
        for bucket in 0..<count {
            let size = starts[bucket + 1] - starts[bucket]
            if size > 0 { nonEmpty += 1 }
            guard size >= 2 else { continue }
            segment.removeAll(keepingCapacity: true)
            segment.append(contentsOf: scratch[starts[bucket]..<starts[bucket + 1]])
            offsets[bucket] = (RobustStatistics.median(&segment) ?? median) - median
            filled += 1
        }
        guard filled * 2 >= nonEmpty, filled >= 2 else { return nil }
        return SeasonalModel(seasonality: seasonality, offsets: offsets, level: median, spreadUp: 0, spreadDown: 0)
    }

    /// The 80th percentile of absolute residuals: how well the model explains the training data. Not the median:
    /// a weekend that differs is 2 days in 7, a minority the median would not see.
    static func residualSpread(values: [Double], offsets: [Double]?, buckets: [Int], level: Double, scratch: inout [Double]) -> Double {
        scratch.removeAll(keepingCapacity: true)
        for index in values.indices {
            let offset = offsets.map { $0[buckets[index]] } ?? 0
            scratch.append(abs(values[index] - offset - level))
        }
        return RobustStatistics.quantile(&scratch, 0.8) ?? 0
    }

    /// Sets the level (median of deseasonalized values) and the spread on each side of it.
    mutating func fitSpread(values: [Double], times: [Double], scratch: inout [Double], keepLevel: Bool = false) {
        scratch.removeAll(keepingCapacity: true)
        if let seasonality, !times.isEmpty {
            var buckets: [Int] = []
            seasonality.buckets(times, into: &buckets)
            for index in values.indices { scratch.append(values[index] - offsets[buckets[index]]) }
            if !keepLevel { level = RobustStatistics.median(&scratch) ?? level }
            // The spread is measured out of sample: each point minus its bucket's median without it.
            let corrections = Self.leaveOneOutCorrections(values: values, buckets: buckets, bucketCount: seasonality.bucketCount)
            for index in values.indices { scratch[index] = values[index] - offsets[buckets[index]] - corrections[index] }
        } else {
            for value in values { scratch.append(value) }
            if !keepLevel { level = RobustStatistics.median(&scratch) ?? level }
        }
        var (up, down) = Self.tailSpread(&scratch, center: level)
        if up <= 0 || down <= 0 {
            // Mostly-constant metrics: fall back to the mean absolute deviation, then to a tiny relative floor.
            var total = 0.0
            for value in scratch { total += abs(value - level) }
            let meanDeviation = scratch.isEmpty ? 0 : total / Double(scratch.count) * 1.2533
            let fallback = max(up, down, meanDeviation)
            if up <= 0 { up = fallback }
            if down <= 0 { down = fallback }
        }
        let tiny = 1e-9 * max(1, abs(level))
        spreadUp = max(up, tiny)
        spreadDown = max(down, tiny)
    }

    /// Measures how far the median of `size` consecutive points normally strays from the level: the medians of
    /// consecutive blocks of residuals (flagged points included), their `spreadQuantile` distances ÷ its z, as for points.
    /// Needs at least `minimumBlocks` blocks; it captures the metric's own autocorrelation, so that a sustained
    /// shift smaller than the point band is seen without paging on the slow wander a metric always has.
    mutating func fitBlockSpread(values: [Double], times: [Double], size: Int, scratch: inout [Double]) {
        blockSize = 0
        guard size >= 2, values.count / size >= AnomalyDetector.minimumBlocks else { return }
        var buckets: [Int] = []
        if let seasonality { seasonality.buckets(times, into: &buckets) }
        var medians: [Double] = []
        var block: [Double] = []
        for index in values.indices {
            block.append(values[index] - (seasonality == nil ? 0 : offsets[buckets[index]]) - level)
            if block.count == size {
                medians.append(RobustStatistics.median(&block) ?? 0)
                block.removeAll(keepingCapacity: true)
            }
        }
        let (up, down) = Self.tailSpread(&medians, center: 0, minimumTail: AnomalyDetector.minimumBlockTailPoints)
        let tiny = 1e-9 * max(1, abs(level))
        blockSpreadUp = max(up, tiny)
        blockSpreadDown = max(down, tiny)
        blockSize = size
    }

    /// Measures how far a point normally lands from the median of the `size` points before it (deseasonalized, flagged
    /// points included), per side, as for the point spread. That is the metric's own step-to-step noise, which a level
    /// shift or a slow wander inside the window does not inflate (unlike the point spread around one level). Needs at
    /// least `4 × size` points (an hourly metric with 28 days of training has 672; a daily one never gets there).
    mutating func fitJumpSpread(values: [Double], times: [Double], size: Int, scratch: inout [Double]) {
        jumpSize = 0
        // (A non-finite value, e.g. PostgreSQL's NaN average, would break the sorted window: no jump rule then.)
        guard size >= 2, values.count >= size * 4, values.allSatisfy(\.isFinite) else { return }
        var buckets: [Int] = []
        if let seasonality { seasonality.buckets(times, into: &buckets) }
        var deseasonalized = values
        if seasonality != nil {
            for index in values.indices { deseasonalized[index] -= offsets[buckets[index]] }
        }
        // A sorted copy of the `size` points before each point, updated by one removal and one insertion per step
        // (this runs once per refit over the whole window: a median by selection per point cost twice as much).
        var residuals: [Double] = []
        residuals.reserveCapacity(values.count - size)
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: deseasonalized[0..<size])
        scratch.sort()
        for index in size..<values.count {
            let median = size % 2 == 1 ? scratch[size / 2] : (scratch[size / 2 - 1] + scratch[size / 2]) / 2
            residuals.append(deseasonalized[index] - median)
            scratch.remove(at: Self.insertionIndex(of: deseasonalized[index - size], in: scratch))
            scratch.insert(deseasonalized[index], at: Self.insertionIndex(of: deseasonalized[index], in: scratch))
        }
        let (up, down) = Self.tailSpread(&residuals, center: 0)
        let tiny = 1e-9 * max(1, abs(level))
        jumpSpreadUp = max(up, tiny)
        jumpSpreadDown = max(down, tiny)
        jumpSize = size
    }

    /// Per point, how much its bucket's median moves when the point is left out (the median of the bucket's other
    /// points minus the bucket's median; 0 in a bucket of one point). A bucket of two points counts too: its point is
    /// measured against the other one. Left out (as it was), hour of week over 14-20 days of an hourly metric, with
    /// 2 points per bucket, measured each point against the mean of itself and one other, a band √2 too narrow at
    /// least (issue 19: hourly row counts 10.3 -> 8.5 false alarms per 1,000 points, windows found 69% -> 72%). The spread is measured on residuals
    /// against those out-of-sample medians. In-sample residuals shrink toward each bucket's own median: with 28 daily
    /// points and a day-of-week pattern, each bucket median is fitted on the 4 points it is then measured against, so
    /// the band came out narrower than the error on the next day (issue 19: generated daily row counts paged 33.9
    /// times per 1,000 points, 8.4 with this). With 28 points per bucket (hour of day over 28 days) it changes little.
    static func leaveOneOutCorrections(values: [Double], buckets: [Int], bucketCount: Int) -> [Double] {
        var members = [[Double]](repeating: [], count: bucketCount)
        for index in values.indices { members[buckets[index]].append(values[index]) }
        for bucket in members.indices { members[bucket].sort() }
        func median(_ count: Int, _ value: (Int) -> Double) -> Double {
            count % 2 == 1 ? value(count / 2) : (value(count / 2 - 1) + value(count / 2)) / 2
        }
        var result = [Double](repeating: 0, count: values.count)
        for index in values.indices {
            let sorted = members[buckets[index]]
            guard sorted.count >= 2, values[index].isFinite else { continue }
            // The median of `sorted` without one copy of this value (at `removed`).
            let removed = min(sorted.count - 1, insertionIndex(of: values[index], in: sorted))
            let without = median(sorted.count - 1) { sorted[$0 < removed ? $0 : $0 + 1] }
            result[index] = without - median(sorted.count) { sorted[$0] }
        }
        return result
    }

    /// The first index of `sorted` whose value is not less than `value` (binary search).
    static func insertionIndex(of value: Double, in sorted: [Double]) -> Int {
        var low = 0
        var high = sorted.count
        while low < high {
            let middle = (low + high) / 2
            if sorted[middle] < value { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// The spread on each side of `center`: the distance to the `spreadQuantile` value of `values` (and its mirror),
    /// but never closer to the edge than the `minimumTail + 1`th value, so that with a short history (28 daily
    /// points) a couple of earlier anomalies do not stretch the band; divided by `AnomalyDetector.tailDivisor`, which
    /// corrects for where that value sits with few points. Reorders `values`; (0, 0) when empty.
    static func tailSpread(_ values: inout [Double], center: Double,
                           minimumTail: Int = AnomalyDetector.minimumTailPoints) -> (up: Double, down: Double) {
        let n = values.count
        guard n > 0 else { return (0, 0) }
        let beyond = min(n - 1, max(Int((1 - AnomalyDetector.spreadQuantile) * Double(n)), minimumTail))
        let high = RobustStatistics.select(&values, n - 1 - beyond)
        let low = RobustStatistics.select(&values, beyond)
        let divisor = AnomalyDetector.tailDivisor(count: n, beyond: beyond) / AnomalyDetector.smallSampleFactor(count: n)
        return ((high - center) / divisor, (center - low) / divisor)
    }

    /// Flagged points stay out of training, except in a seasonal bucket where they are the majority of the window's
    /// points: that hour (or day) has a new normal, and its offset becomes the median of all its points. Otherwise
    /// a bucket whose points were flagged would keep its old expected value, and be flagged every cycle, forever.
    mutating func readmitFlaggedBuckets(cleanTimes: [Double], allTimes: [Double], allValues: [Double]) {
        guard let seasonality else { return }
        var buckets: [Int] = []
        var clean = [Int](repeating: 0, count: seasonality.bucketCount)
        seasonality.buckets(cleanTimes, into: &buckets)
        for bucket in buckets { clean[bucket] += 1 }
        var all = [Int](repeating: 0, count: seasonality.bucketCount)
        seasonality.buckets(allTimes, into: &buckets)
        for bucket in buckets { all[bucket] += 1 }
        var segment: [Double] = []
        for bucket in 0..<seasonality.bucketCount where all[bucket] >= 2 && clean[bucket] * 2 < all[bucket] {
            segment.removeAll(keepingCapacity: true)
            for index in allValues.indices where buckets[index] == bucket { segment.append(allValues[index]) }
            offsets[bucket] = (RobustStatistics.median(&segment) ?? level) - level
        }
    }
}
