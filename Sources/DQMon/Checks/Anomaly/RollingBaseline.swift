/// The methods users compare us with (Elementary): flag a point more than `k` standard deviations from the mean of
/// the previous `window` seconds, optionally only of the points in the same seasonal bucket (hour of day for
/// sub-daily series, day of week for daily ones). Kept only to measure dqmon against them in the same run.
public enum RollingBaseline {
    /// One (isAnomaly, |z|) per sample; a point is judged once its bucket has `minHistory` earlier points in the
    /// window (before that it is never flagged). `seasonal` buckets by hour of day (UTC) when the series' median
    /// spacing is under a day, else by day of week; by day of week, the window is 7 times as long (14 weeks by
    /// default, as Elementary lengthens its training period for `day_of_week`), so that each weekday holds as many
    /// points as each hour does: with 14 days, a daily series' weekday never had 14 points and was never judged.
    public static func run(_ samples: [(time: Double, value: Double)], window: Double = 14 * 86_400, k: Double = 3,
                           minHistory: Int = 14, seasonal: Bool = false) -> [(isAnomaly: Bool, score: Double)] {
        let seasonality = seasonal ? Self.seasonality(of: samples) : nil
        let window = seasonality == .dayOfWeek ? window * 7 : window
        let bucketCount = seasonality?.bucketCount ?? 1
        var members = [[Int]](repeating: [], count: bucketCount)  // indices judged so far, per bucket
        var starts = [Int](repeating: 0, count: bucketCount)       // first member still inside the window
        var sums = [Double](repeating: 0, count: bucketCount)
        var squares = [Double](repeating: 0, count: bucketCount)
        var output: [(isAnomaly: Bool, score: Double)] = []
        output.reserveCapacity(samples.count)
        for index in samples.indices {
            let sample = samples[index]
            let bucket = seasonality?.bucket(sample.time) ?? 0
            while starts[bucket] < members[bucket].count, samples[members[bucket][starts[bucket]]].time < sample.time - window {
                let old = samples[members[bucket][starts[bucket]]].value
                sums[bucket] -= old
                squares[bucket] -= old * old
                starts[bucket] += 1
            }
            let count = members[bucket].count - starts[bucket]
            if count >= minHistory {
                let mean = sums[bucket] / Double(count)
                let deviation = max(0, squares[bucket] / Double(count) - mean * mean).squareRoot()
                let distance = abs(sample.value - mean)
                let z = deviation > 0 ? distance / deviation : (distance == 0 ? 0 : 1e9)
                output.append((z > k, z))
            } else {
                output.append((false, 0))
            }
            members[bucket].append(index)
            sums[bucket] += sample.value
            squares[bucket] += sample.value * sample.value
        }
        return output
    }

    /// Hour of day for series spaced under a day apart (median spacing), else day of week.
    static func seasonality(of samples: [(time: Double, value: Double)]) -> Seasonality {
        var scratch: [Double] = []
        let interval = AnomalyDetector.inferInterval(samples.map { MetricPoint(time: $0.time, value: $0.value) }, scratch: &scratch)
        return interval > 0 && interval < 86_400 ? .hourOfDay : .dayOfWeek
    }
}
