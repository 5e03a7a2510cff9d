@testable import DQMon
import Foundation
import Testing

/// The comparison baselines of `dqmon backtest --method rolling-mean[-seasonal]` (and `scripts/bench-anomaly`).
@Suite struct RollingBaselineTests {
    /// Hourly, 20 days: 10 ± 1 every hour but 14:00 UTC, which is 100 ± 1.
    static func hourly() -> [(time: Double, value: Double)] {
        (0..<(24 * 20)).map { index in
            let jitter = AnomalyDetectorTests.noise(index)
            return (time: AnomalyDetectorTests.start + Double(index) * 3_600, value: (index % 24 == 14 ? 100 : 10) + jitter)
        }
    }

    @Test func thePlainMeanFlagsEveryDailyPeakAndTheSeasonalOneNone() {
        let samples = Self.hourly()
        let plain = RollingBaseline.run(samples)
        let seasonal = RollingBaseline.run(samples, seasonal: true)
        let peaks = samples.indices.filter { $0 % 24 == 14 && $0 >= 24 * 2 }
        #expect(peaks.allSatisfy { plain[$0].isAnomaly })
        #expect(!seasonal.contains { $0.isAnomaly })
        // A bucket is judged once it has 14 earlier points in the window: the first is 00:00 of day 15.
        #expect(seasonal.indices.first { seasonal[$0].score > 0 } == 24 * 14)
    }

    @Test func theSeasonalMeanFlagsAPeakThatDidNotHappen() {
        var samples = Self.hourly()
        samples[24 * 18 + 14].value = 10
        let seasonal = RollingBaseline.run(samples, seasonal: true)
        #expect(seasonal.indices.filter { seasonal[$0].isAnomaly } == [24 * 18 + 14])
        #expect(RollingBaseline.seasonality(of: samples) == .hourOfDay)
        let daily = (0..<30).map { (time: AnomalyDetectorTests.start + Double($0) * 86_400, value: 1.0) }
        #expect(RollingBaseline.seasonality(of: daily) == .dayOfWeek)
    }
}

/// Issue 19: the weekday baseline of a daily series judges once each weekday has 14 points (a 14-week window).
@Suite struct RollingBaselineDailyTests {
    @Test func theWeekdayMeanJudgesADailySeriesAfterFourteenWeeks() {
        let daily = (0..<(7 * 20)).map { index in
            (time: AnomalyDetectorTests.start + Double(index) * 86_400,
             value: (index % 7 >= 5 ? 500 : 1_000) + 10 * AnomalyDetectorTests.noise(index))
        }
        var spiked = daily
        spiked[7 * 18 + 2].value = 1_400
        let flags = RollingBaseline.run(spiked, seasonal: true)
        #expect(flags.indices.first { flags[$0].score > 0 } == 7 * 14, "the first judged point is day 98")
        #expect(flags.indices.filter { flags[$0].isAnomaly } == [7 * 18 + 2])
        #expect(!RollingBaseline.run(daily, seasonal: true).contains { $0.isAnomaly })
    }
}
