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
    /// The median of the window's values as measured (flagged ones included): a run of it is never "stuck".
    var typicalValue: Double?
    /// True when no point of the window is negative (counts, rates, lags): the band's lower edge is then shown no lower than 0.
    var nonNegative = false
    /// Spread of the medians of consecutive `blockSize`-point blocks of residuals, per side (0: too few blocks).
    var blockSpreadUp = 0.0
    var blockSpreadDown = 0.0
    var blockSize = 0

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
        } else {
            for value in values { scratch.append(value) }
        }
        if !keepLevel { level = RobustStatistics.median(&scratch) ?? level }
        // The tail quantile, but never closer to the edge than the 4th value: with a short history (28 daily
        // points) a couple of earlier anomalies must not stretch the band.
        let n = scratch.count
        let beyond = min(max(0, n - 1), max(Int((1 - AnomalyDetector.spreadQuantile) * Double(n)), AnomalyDetector.minimumTailPoints))
        let high = n > 0 ? RobustStatistics.select(&scratch, n - 1 - beyond) : level
        let low = n > 0 ? RobustStatistics.select(&scratch, beyond) : level
        let z = AnomalyDetector.spreadQuantileZ
        var up = (high - level) / z
        var down = (level - low) / z
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
        let n = medians.count
        let beyond = min(n - 1, max(Int((1 - AnomalyDetector.spreadQuantile) * Double(n)), AnomalyDetector.minimumTailPoints))
        let high = RobustStatistics.select(&medians, n - 1 - beyond)
        let low = RobustStatistics.select(&medians, beyond)
        let z = AnomalyDetector.spreadQuantileZ
        let tiny = 1e-9 * max(1, abs(level))
        blockSpreadUp = max(high / z, tiny)
        blockSpreadDown = max(-low / z, tiny)
        blockSize = size
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
