@testable import DQMon
import Foundation
import Testing

/// Issue 19: daily data-quality metrics (a row count with a weekly pattern, growth and noise) must not page on
/// ordinary days. Series are drawn from a seeded generator; the seed is in every failure message.
@Suite struct DailyAnomalyTests {
    /// A small deterministic generator (SplitMix64) so the series are the same on every machine.
    struct SeededRandom {
        var state: UInt64
        mutating func next() -> Double {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Double((z ^ (z >> 31)) >> 11) / Double(1 << 53)
        }
        /// Standard normal (Box–Muller).
        mutating func gaussian() -> Double {
            let u = max(next(), 1e-12)
            return (-2 * log(u)).squareRoot() * cos(2 * .pi * next())
        }
    }

    /// Two years of a daily row count: weekend at 60% of a weekday, 40% growth a year, 6% log-normal noise.
    static func rowCounts(seed: UInt64, days: Int = 730) -> [(time: Double, value: Double)] {
        var random = SeededRandom(state: seed)
        return (0..<days).map { index in
            let weekday = index % 7  // the series starts on a Monday
            let growth = exp(log(1.4) * Double(index) / 365)
            let value = 50_000 * growth * (weekday >= 5 ? 0.6 : 1) * exp(0.06 * random.gaussian())
            return (time: AnomalyDetectorTests.start + Double(index) * AnomalyDetectorTests.day + 6 * 3_600, value: value.rounded())
        }
    }

    /// Before issue 19, such series paged 28–47 times per 1,000 days (scripts/bench-anomaly-dq): the day-of-week
    /// model's band was measured on its own 4 points per weekday, and a 28-point spread was read as if it were exact.
    @Test(arguments: [UInt64(1), 2, 3, 4, 5, 6])
    func aNormalDailyRowCountRarelyPages(seed: UInt64) {
        let samples = Self.rowCounts(seed: seed)
        let steps = AnomalyReplay.run(samples, settings: AnomalySettings())
        let judged = steps.filter { !$0.verdict.isSkipped }
        let alarms = judged.filter(\.verdict.isAnomaly).count
        let perThousand = 1_000 * Double(alarms) / Double(judged.count)
        #expect(judged.count > 650, "seed \(seed)")
        #expect(perThousand <= 12, "seed \(seed): \(alarms) false alarms in \(judged.count) normal days (\(perThousand) per 1,000)")
        #expect(judged.contains { $0.verdict.seasonality == .dayOfWeek }, "seed \(seed): the weekly pattern is used")
    }

    /// The fix does not blind it: a partial drop to 60% on a weekday, a stall (0 rows) and a doubled load are flagged.
    @Test(arguments: [UInt64(11), 12, 13])
    func aPartialDropAStallAndADoubledLoadAreStillFlagged(seed: UInt64) {
        var samples = Self.rowCounts(seed: seed)
        let drop = 400, stall = 500, spike = 600  // all Tuesdays to Thursdays
        samples[drop].value *= 0.6
        samples[stall].value = 0
        samples[spike].value *= 2
        let steps = AnomalyReplay.run(samples, settings: AnomalySettings())
        for index in [drop, stall, spike] {
            #expect(steps[index].verdict.isAnomaly, "seed \(seed): day \(index) value \(samples[index].value) \(steps[index].verdict)")
        }
    }

    /// Each point's residual is taken against its bucket's median without it: in a bucket [1, 2, 3, 10] (median 2.5)
    /// the point 10 is measured against median(1, 2, 3) = 2, so its correction is −0.5. In a bucket of two, [5, 7]
    /// (median 6), each point is measured against the other (issue 19: hour of week with 2 weeks of history); a
    /// bucket of one keeps 0.
    @Test func seasonalResidualsAreMeasuredOutOfSample() {
        let corrections = SeasonalModel.leaveOneOutCorrections(values: [1, 2, 3, 10, 5, 7, 4], buckets: [0, 0, 0, 0, 1, 1, 2],
                                                               bucketCount: 3)
        #expect(corrections == [0.5, 0.5, -0.5, -0.5, 1, -1, 0], "\(corrections)")
    }

    /// The t/z widening: large for a young metric, about 15% for 28 daily points, nothing for long windows.
    @Test func theSmallSampleFactorFadesWithTheHistory() {
        #expect(abs(AnomalyDetector.smallSampleFactor(count: 14) - 1.33) < 0.02)
        #expect(abs(AnomalyDetector.smallSampleFactor(count: 28) - 1.14) < 0.02)
        #expect(abs(AnomalyDetector.smallSampleFactor(count: 672) - 1.005) < 0.003)
        #expect(AnomalyDetector.smallSampleFactor(count: 8_064) < 1.001)
        for count in 1..<2_000 {
            let factor = AnomalyDetector.smallSampleFactor(count: count)
            #expect(factor.isFinite && factor >= 1 && factor >= AnomalyDetector.smallSampleFactor(count: count + 1), "count \(count)")
        }
    }
}
