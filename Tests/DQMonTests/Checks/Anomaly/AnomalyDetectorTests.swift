@testable import DQMon
import Foundation
import Testing

/// The detector as a pure function: no database, deterministic series built in the test.
@Suite struct AnomalyDetectorTests {
    static let day = 86_400.0
    static let hour = 3_600.0
    /// 2026-11-02 00:00 UTC, a Monday.
    static let start = 1_793_577_600.0

    /// A deterministic wiggle in -1...1 so series are noisy but reproducible.
    static func noise(_ index: Int) -> Double {
        let x = sin(Double(index) * 12.9898) * 43_758.5453
        return (x - x.rounded(.down)) * 2 - 1
    }

    static func daily(_ count: Int, base: Double = 1_000, weekend: Double = 0, jitter: Double = 20) -> [MetricPoint] {
        (0..<count).map { index in
            let isWeekend = index % 7 >= 5
            return MetricPoint(time: start + Double(index) * day, value: base + (isWeekend ? weekend : 0) + jitter * noise(index))
        }
    }

    func judge(_ history: [MetricPoint], _ value: Double, at time: Double? = nil,
               _ settings: AnomalySettings = AnomalySettings(), excluded: [ExcludedInterval] = []) -> AnomalyVerdict {
        let time = time ?? (history.last!.time + (history.count > 1 ? history[1].time - history[0].time : Self.day))
        return AnomalyDetector.evaluate(history: history, point: MetricPoint(time: time, value: value), settings: settings, excluded: excluded)
    }

    @Test func skipsUntilMinHistoryAndSaysHowManyMorePoints() {
        let verdict = judge(Self.daily(10), 5_000)
        #expect(verdict.isSkipped)
        #expect(verdict.pointsNeeded == 4)
        #expect(!verdict.isAnomaly)
    }

    @Test func flagsASpikeAndADropButNotNormalNoise() {
        let history = Self.daily(20)
        #expect(!judge(history, 1_015).isAnomaly)
        let spike = judge(history, 1_400)
        #expect(spike.isAnomaly && spike.direction == .spike && spike.score > 3)
        let drop = judge(history, 600)
        #expect(drop.isAnomaly && drop.direction == .drop && drop.score < -3)
        #expect(spike.lower < 1_000 && spike.upper > 1_000 && spike.upper < 1_400)
        #expect(spike.trainingSize == 20)
    }

    /// A count's band never reaches below zero (a wide spread would otherwise say "expected -35 – 104 rows");
    /// a metric that has been negative keeps its band as fitted.
    @Test func theBandOfANonNegativeMetricStopsAtZero() {
        let history = Self.daily(30, base: 10, jitter: 9)
        let count = judge(history, 10)
        #expect(count.lower == 0)
        let signed = judge(history.map { MetricPoint(time: $0.time, value: $0.value - 10) }, 0)
        #expect(signed.lower < -9)
        #expect(count.score == signed.score)
    }

    @Test func directionLimitsWhichSideIsFlagged() {
        let history = Self.daily(20)
        let spikeOnly = AnomalySettings(direction: .spike)
        #expect(!judge(history, 600, spikeOnly).isAnomaly)
        #expect(judge(history, 1_400, spikeOnly).isAnomaly)
        #expect(!judge(history, 1_400, AnomalySettings(direction: .drop)).isAnomaly)
    }

    @Test func isRobustToOutliersInTraining() {
        var history = Self.daily(28)
        history[5].value = 1_000_000  // one wild point must not widen the band
        history[12].value = 0
        #expect(judge(history, 1_300).isAnomaly)
        #expect(abs(judge(history, 1_000).expected - 1_000) < 30)
    }

    @Test func minChangeFloorsSilenceTinyTables() {
        let tiny = (0..<20).map { MetricPoint(time: Self.start + Double($0) * Self.day, value: 10 + ($0 % 2 == 0 ? 0 : 1)) }
        #expect(judge(tiny, 14).isAnomaly)
        #expect(!judge(tiny, 14, AnomalySettings(minAbsoluteChange: 5)).isAnomaly)
        #expect(!judge(tiny, 14, AnomalySettings(minRelativeChange: 0.5)).isAnomaly)
        #expect(judge(tiny, 40, AnomalySettings(minAbsoluteChange: 5, minRelativeChange: 0.5)).isAnomaly)
    }

    @Test func flaggedAndExcludedPointsAreLeftOutOfTraining() {
        var history = Self.daily(20)
        for index in 14..<20 { history[index].value = 5_000 }
        var flagged = history
        for index in 14..<20 { flagged[index].flagged = true }
        #expect(judge(flagged, 1_000).trainingSize == 14)
        let maintenance = ExcludedInterval(start: history[14].time, end: history[19].time, reason: "maintenance")
        #expect(judge(history, 1_000, excluded: [maintenance]).trainingSize == 14)
    }

    @Test func weeklySeasonalityIsUsedOnlyAfterTwoFullCycles() {
        let history = Self.daily(27, weekend: -600, jitter: 10)
        let saturday = history.last!.time + Self.day  // index 27 -> weekday 6 = Sunday? index 27 % 7 == 6
        let weekend = judge(history, 400, at: saturday)
        #expect(weekend.seasonality == .dayOfWeek)
        #expect(weekend.bucket == "Sunday")
        #expect(!weekend.isAnomaly)
        #expect(judge(history, 1_000, at: saturday).isAnomaly)  // a weekday volume on a Sunday is unusual
        let short = Array(history.prefix(13))
        #expect(judge(short, 400, at: short.last!.time + Self.day).seasonality == nil)
    }

    @Test func hourOfDaySeasonalityIsDetectedOnHourlyData() {
        let history = (0..<(24 * 10)).map { index in
            MetricPoint(time: Self.start + Double(index) * Self.hour,
                         value: 100 + 80 * sin(Double(index % 24) / 24 * 2 * .pi) + 3 * Self.noise(index))
        }
        let next = history.last!.time + Self.hour
        let verdict = judge(history, 100 + 80 * sin(0), at: next)
        #expect(verdict.seasonality == .hourOfDay || verdict.seasonality == .hourOfWeek)
        #expect(!verdict.isAnomaly)
        #expect(verdict.bucket?.contains("00:00 UTC") == true)
    }

    @Test func aLevelShiftAlertsForAWhileThenBecomesTheNewNormal() {
        var samples = Self.daily(40).map { (time: $0.time, value: $0.value) }
        for index in 20..<40 { samples[index].value += 2_000 }
        let steps = AnomalyReplay.run(samples, settings: AnomalySettings(seasonality: .none))
        #expect(steps[20].verdict.isAnomaly)
        #expect(steps[30..<40].allSatisfy { !$0.verdict.isAnomaly })
        #expect(steps[20..<40].filter(\.verdict.isAnomaly).count <= 10)
    }

    /// Continuation flags: a step change is flagged at its onset and on at most `continuationPoints` more points
    /// while it stays outside the trained band, then never again (it becomes the new normal); an isolated spike,
    /// followed by normal points, is flagged once.
    @Test func aStepGetsItsOnsetPlusAtMostThreeContinuationFlagsAndASpikeOnlyOne() {
        #expect(AnomalyDetector.continuationPoints == 3)
        var samples = Self.daily(60).map { (time: $0.time, value: $0.value) }
        for index in 30..<60 { samples[index].value += 2_000 }
        let settings = AnomalySettings(seasonality: .none)
        let steps = AnomalyReplay.run(samples, settings: settings)
        let flagged = steps.indices.filter { steps[$0].verdict.isAnomaly }
        #expect(flagged.first == 30, "flagged: \(flagged)")
        #expect(flagged == Array(30..<(30 + flagged.count)), "one run from the onset: \(flagged)")
        #expect(flagged.count >= 2 && flagged.count <= 1 + AnomalyDetector.continuationPoints, "flagged: \(flagged)")
        let continued = flagged.filter { steps[$0].verdict.continuation > 0 }
        #expect(!continued.isEmpty && continued.count <= AnomalyDetector.continuationPoints)
        for index in continued {  // judged against the trained baseline, not the level the metric moved to
            let verdict = steps[index].verdict
            #expect(verdict.direction == .spike && verdict.score > 3 && verdict.upper < samples[index].value)
            #expect(abs(verdict.expected - 1_000) < 50 && !verdict.levelShifted)
        }
        #expect(steps[(30 + 1 + AnomalyDetector.continuationPoints)...].allSatisfy { !$0.verdict.isAnomaly })
        // The same verdicts without the replay's workspace (continuation depends only on the history's flags).
        let history = steps.map(\.sample)
        for index in 29..<(31 + AnomalyDetector.continuationPoints) {
            let fresh = AnomalyDetector.evaluate(history: Array(history[..<index]),
                                                 point: MetricPoint(time: samples[index].time, value: samples[index].value),
                                                 settings: AnomalySettings(seasonality: .none, interval: Self.day))
            #expect(fresh == steps[index].verdict, "point \(index)")
        }

        var spiked = Self.daily(60).map { (time: $0.time, value: $0.value) }
        spiked[30].value += 2_000
        let spikeSteps = AnomalyReplay.run(spiked, settings: settings)
        #expect(spikeSteps.indices.filter { spikeSteps[$0].verdict.isAnomaly } == [30])
        #expect(spikeSteps[30].verdict.continuation == 0)
    }

    /// The demo's stuck bucket: an hourly metric with an hour-of-day pattern drops for three days, then recovers.
    /// The drop's onset is flagged; a few days after the recovery no hour may be flagged any more (it used to flag
    /// one hour every day: its bucket's expected value stayed at the drop level while its points stayed flagged).
    @Test func aRecoveryAfterAMultiDayDropDoesNotLeaveAStuckHourlyBucket() {
        let samples = (0..<(24 * 35)).map { index -> (time: Double, value: Double) in
            let day = index / 24
            var value = 1_000 + 600 * sin(2 * .pi * Double(index % 24) / 24) + 30 * Self.noise(index)
            if (21..<24).contains(day) { value *= 0.3 }
            return (Self.start + Double(index) * Self.hour, value)
        }
        let steps = AnomalyReplay.run(samples, settings: AnomalySettings())
        #expect(steps[(24 * 21)..<(24 * 21 + 3)].contains { $0.verdict.isAnomaly })  // the drop is caught at its onset
        let late = steps[(24 * 26)...].filter(\.verdict.isAnomaly)
        #expect(late.isEmpty, "flagged after recovery: \(late.map { Date(timeIntervalSince1970: $0.sample.time) })")
        #expect(steps[(24 * 26)...].allSatisfy { $0.verdict.seasonality == .hourOfDay || $0.verdict.seasonality == .hourOfWeek })
    }

    /// A seasonal bucket whose points are mostly flagged has a new normal: its offset follows them.
    @Test func aBucketFlaggedMostOfTheTimeIsReadmitted() {
        var history = (0..<(24 * 14)).map { index in
            MetricPoint(time: Self.start + Double(index) * Self.hour,
                         value: 1_000 + 600 * sin(2 * .pi * Double(index % 24) / 24) + 10 * Self.noise(index))
        }
        for index in history.indices where index % 24 == 16 && index >= 24 * 4 {  // 16:00 moved up by 500 ten days ago
            history[index].value += 500
            history[index].flagged = true
        }
        let next = Self.start + Double(24 * 14 + 16) * Self.hour
        let usual = 1_000 + 600 * sin(2 * Double.pi * 16 / 24) + 500
        #expect(!judge(history, usual, at: next).isAnomaly)
        // An isolated flagged point stays out of training.
        #expect(judge(history, usual - 500, at: next).isAnomaly)
    }

    @Test func aStuckMetricIsFlaggedOnceWhenTheRunOutlastsEveryEarlierOne() {
        var samples = (0..<300).map { (time: Self.start + Double($0) * Self.hour, value: 500 + Double(Int(50 * Self.noise($0)))) }
        for index in 200..<260 { samples[index].value = 512 }
        let steps = AnomalyReplay.run(samples, settings: AnomalySettings(seasonality: .none))
        let stuck = steps.indices.filter { steps[$0].verdict.stuckRun > 0 }
        #expect(stuck.count == 1)
        #expect(stuck.allSatisfy { (200..<260).contains($0) })
        let spikeOnly = AnomalyReplay.run(samples, settings: AnomalySettings(seasonality: .none, direction: .spike))
        #expect(spikeOnly.allSatisfy { $0.verdict.stuckRun == 0 })
    }

    /// Disk writes that are 0 between bursts (the NAB ec2_disk_write_bytes_c0d644 shape): 0 is the usual value, but a
    /// stretch of 0 longer than any before it is the machine going quiet, and is flagged once.
    @Test func aMetricUsuallyAtZeroIsFlaggedWhenItStaysThereLongerThanEver() {
        var samples = (0..<600).map { (time: Self.start + Double($0) * Self.hour, value: $0 % 20 < 3 ? 1_000 + 100 * Self.noise($0) : 0.0) }
        for index in 400..<500 { samples[index].value = 0 }
        let steps = AnomalyReplay.run(samples, settings: AnomalySettings(seasonality: .none))
        // Zero runs are 17 points long; the quiet stretch starts at 383 and reaches 18 points at 400.
        #expect(steps.indices.filter { steps[$0].verdict.stuckRun > 0 } == [400])
        // A metric that should sit at 0 (a null rate) takes `direction: spike`: no stuck rule.
        let spikeOnly = AnomalyReplay.run(samples, settings: AnomalySettings(seasonality: .none, direction: .spike))
        #expect(spikeOnly.allSatisfy { $0.verdict.stuckRun == 0 })
    }

    /// Every 5 minutes: 6 ± 0.3 for ten days, then a lasting shift to 14.5 ± 0.7 (alerted at its onset, then the new
    /// normal: the NAB rds_cpu_utilization_cc0c53 shape). The shift's points widen the point band around the old
    /// level, so a jump to 19 two days later is inside it; it is far beyond the metric's usual step, and is flagged.
    @Test func aSuddenJumpInsideAWideBandIsFlaggedAtItsOnset() {
        var samples = (0..<3_500).map { index in
            (time: Self.start + Double(index) * 300, value: index < 2_880 ? 6 + 0.3 * Self.noise(index) : 14.5 + 0.7 * Self.noise(index))
        }
        samples[3_400].value = 19
        let steps = AnomalyReplay.run(samples, settings: AnomalySettings(seasonality: .none))
        #expect(steps[2_880].verdict.isAnomaly && steps[2_880].verdict.jump == 0)  // the shift: the point band sees it
        let jump = steps[3_400].verdict
        #expect(jump.isAnomaly)
        #expect(jump.jump > 5)
        #expect(abs(jump.expected - 14.5) < 0.5)
        #expect(jump.upper < 19)
        // Onsets only, and nothing else in the new level's noise is a jump.
        #expect(steps.indices.filter { steps[$0].verdict.jump != 0 } == [3_400])
        // The point after the jump, back at 14.5, is not flagged.
        #expect(!steps[3_401].verdict.isAnomaly)
        let message = AnomalyCheck(target: .metric(.rowCount)).describe(jump, name: "cpu", value: 19)
        #expect(message.hasPrefix("cpu 19: sudden jump: "), "\(message)")
        #expect(message.contains("times the usual step-to-step change from the median of the previous 14 points"))
    }

    /// With 14 points the 3rd largest (the band's edge, so that 2 outliers cannot stretch it) sits near the 82nd
    /// percentile, not the 97.5th; `tailDivisor` corrects for that, so a short history's band is about as wide, in
    /// standard deviations, as a long one's. Without it the 14-point band was about a third as wide. On top of that,
    /// `smallSampleFactor` widens it as a t quantile would (issue 19): the ratio is measured net of that factor, as
    /// the mean over 8 draws (one draw's 3rd largest of 14 is itself noisy: 1.53 for the first).
    @Test func aShortHistoryGetsABandAsWideAsALongOne() {
        func gaussian(_ index: Int) -> Double { Self.noise(3 * index) + Self.noise(3 * index + 1) + Self.noise(3 * index + 2) }
        func history(_ count: Int, draw: Int) -> [MetricPoint] {
            (0..<count).map { MetricPoint(time: Self.start + Double($0) * Self.day, value: 1_000 + 20 * gaussian($0 + 1_000 * draw)) }
        }
        let settings = AnomalySettings(training: 2_000 * Self.day, seasonality: .none)
        let long = judge(history(1_000, draw: 0), 1_000, settings)
        let ratios = (0..<8).map { draw -> Double in
            let short = judge(history(14, draw: draw), 1_000, settings)
            return (short.upper - short.lower) / (long.upper - long.lower)
                / (AnomalyDetector.smallSampleFactor(count: 14) / AnomalyDetector.smallSampleFactor(count: 1_000))
        }
        let ratio = ratios.reduce(0, +) / Double(ratios.count)
        #expect(ratio > 0.7 && ratio < 1.4, "14-point band / 1,000-point band, net of the t widening = \(ratio) (draws \(ratios))")
        #expect(abs(AnomalyDetector.tailDivisor(count: 14, beyond: 3) - 0.555) < 0.01)
        #expect(abs(AnomalyDetector.tailDivisor(count: 10_000, beyond: 250) - AnomalyDetector.spreadQuantileZ) < 0.01)
        #expect(abs(RobustStatistics.normalQuantile(0.975) - 1.959964) < 1e-6)
        #expect(abs(RobustStatistics.normalQuantile(0.01) + 2.326348) < 1e-6)
    }

    @Test func reusingTheWorkspaceGivesTheSameVerdictsAsAFreshOne() {
        var samples = (0..<(24 * 20)).map { (time: Self.start + Double($0) * Self.hour,
                                           value: 300 + 100 * sin(Double($0 % 24) / 24 * 2 * .pi) + 8 * Self.noise($0)) }
        samples[400].value += 300
        let steps = AnomalyReplay.run(samples, settings: AnomalySettings())
        var history: [MetricPoint] = []
        for (index, step) in steps.enumerated() {
            if index % 7 == 0 || index == 400 {
                let fresh = AnomalyDetector.evaluate(history: history, point: MetricPoint(time: step.sample.time, value: step.sample.value),
                                                     settings: AnomalySettings(interval: Self.hour))
                #expect(fresh == step.verdict, "point \(index)")
            }
            history.append(step.sample)
        }
        #expect(steps[400].verdict.isAnomaly)
    }

    @Test func irregularTimestampsAreBucketedToTheNaturalInterval() {
        var history = Self.daily(20)
        for index in history.indices { history[index].time += Double(index % 3) * 600 }  // minutes of jitter
        history.remove(at: 10)  // and a gap
        let verdict = judge(history, 1_010, at: Self.start + 20 * Self.day + 300)
        #expect(verdict.interval == Self.day)
        #expect(!verdict.isAnomaly)
        #expect(verdict.trainingSize == 19)
    }

    @Test func constantSeriesFlagsAnyChangeUnlessFloored() {
        let flat = (0..<20).map { MetricPoint(time: Self.start + Double($0) * Self.day, value: 500) }
        #expect(!judge(flat, 500).isAnomaly)
        #expect(judge(flat, 501).isAnomaly)
        #expect(!judge(flat, 501, AnomalySettings(minRelativeChange: 0.01)).isAnomaly)
    }

    @Test func csvTimestampsParseCommonSpellings() {
        #expect(AnomalyCSV.parseTimestamp("1970-01-02 00:00:00") == 86_400)
        #expect(AnomalyCSV.parseTimestamp("1970-01-02T01:00:00Z") == 90_000)
        #expect(AnomalyCSV.parseTimestamp("1970-01-02T01:00:00+01:00") == 86_400)
        #expect(AnomalyCSV.parseTimestamp("1970-01-02") == 86_400)
        #expect(AnomalyCSV.parseTimestamp("86400") == 86_400)
        #expect(AnomalyCSV.parseTimestamp("yesterday") == nil)
    }

    @Test func csvRoundTripWritesTheScorerColumns() throws {
        let text = "timestamp,value\n" + (0..<30).map { "1970-01-\(String(format: "%02d", $0 + 1)) 00:00:00,\($0 == 25 ? 900 : 100 + $0 % 3)" }.joined(separator: "\n")
        let series = try AnomalyCSV.read(text, timestampColumn: "timestamp", valueColumn: "value")
        let output = AnomalyCSV.write(series, steps: AnomalyReplay.run(series.samples, settings: AnomalySettings()))
        let lines = output.split(separator: "\n")
        #expect(lines[0] == "timestamp,is_anomaly,score,expected,lower,upper")
        #expect(lines.count == 31)
        #expect(lines[1] == "1970-01-01 00:00:00,0,,,,")
        #expect(lines[26].hasPrefix("1970-01-26 00:00:00,1,"))
        #expect(throws: AnomalyCSV.ReadError.self) { try AnomalyCSV.read(text, timestampColumn: "ts", valueColumn: "value") }
    }
}
