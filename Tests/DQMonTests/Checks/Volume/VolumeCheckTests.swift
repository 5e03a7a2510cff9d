import DQMon
import DQMonTestSupport
import Foundation
import Testing

/// Volume evaluation: thresholds, empty tables, and max_change against the previous successful run.
@Suite struct VolumeCheckTests {
    func evaluate(_ check: VolumeCheck, count: Double, previous: Double? = nil) -> CheckOutcome {
        let metrics = MetricValues(values: [check.metric: count])
        return check.evaluate(CheckInput(now: ProjectFixture.now, table: TableName(parsing: "orders"), metrics: metrics, previousObserved: previous))
    }

    @Test func passesWithinBounds() {
        let outcome = evaluate(VolumeCheck(minRows: 10, maxRows: 100), count: 50)
        #expect(outcome.status == .pass)
        #expect(outcome.message == "50 rows")
        #expect(outcome.expected == "≥ 10, ≤ 100")
        #expect(outcome.metricPoints == ["row_count": 50])
    }

    @Test func failsBelowMinRowsAndAboveMaxRows() {
        #expect(evaluate(VolumeCheck(minRows: 1_000), count: 120).message == "120 rows, below min_rows 1,000")
        #expect(evaluate(VolumeCheck(minRows: 1_000), count: 120).status == .fail)
        #expect(evaluate(VolumeCheck(maxRows: 100), count: 101).message == "101 rows, above max_rows 100")
    }

    @Test func emptyTableFailsByDefault() {
        let outcome = evaluate(VolumeCheck(), count: 0)
        #expect(outcome.status == .fail)
        #expect(outcome.message == "orders is empty (0 rows)")
        #expect(evaluate(VolumeCheck(minRows: 0), count: 0).status == .pass)
    }

    @Test func maxChangeWarnsAndFails() {
        let limits = VolumeCheck.ChangeLimit(warn: Percentage(fraction: 0.2), fail: Percentage(fraction: 0.5))
        let check = VolumeCheck(maxChange: limits)
        #expect(evaluate(check, count: 1_100, previous: 1_000).status == .pass)
        let warned = evaluate(check, count: 700, previous: 1_000)
        #expect(warned.status == .warn)
        #expect(warned.message == "row count dropped 30% since the last successful run (1,000 -> 700; max change 20%)")
        let failed = evaluate(check, count: 2_000, previous: 1_000)
        #expect(failed.status == .fail)
        #expect(failed.message == "row count grew 100% since the last successful run (1,000 -> 2,000; max change 50%)")
    }

    @Test func maxChangeNeedsABaseline() {
        let check = VolumeCheck(maxChange: .init(warn: nil, fail: Percentage(fraction: 0.5)))
        #expect(evaluate(check, count: 10, previous: nil).status == .pass)
        #expect(evaluate(check, count: 10, previous: 0).status == .pass)
    }

    @Test func windowedVolumeNamesItsMetric() {
        let check = VolumeCheck(minRows: 5, window: Interval(seconds: 86_400), column: "created_at")
        let outcome = evaluate(check, count: 3)
        #expect(outcome.status == .fail)
        #expect(outcome.message == "3 rows in 1d, below min_rows 5")
        #expect(outcome.metricPoints == ["row_count_1d": 3])
    }
}
