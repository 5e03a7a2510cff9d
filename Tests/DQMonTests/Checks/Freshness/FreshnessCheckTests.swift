import DQMon
import DQMonTestSupport
import Foundation
import Testing

/// Freshness evaluation with a frozen clock: pass, warn, fail, and the no-rows case.
@Suite struct FreshnessCheckTests {
    let now = ProjectFixture.now
    let check = FreshnessCheck(column: "updated_at", warnAfter: Interval(seconds: 7_200), errorAfter: Interval(seconds: 21_600))

    func evaluate(latestAgo: TimeInterval?, rows: Double = 10) -> CheckOutcome {
        let latest: Double? = latestAgo.map { now.timeIntervalSince1970 - $0 }
        let metrics = MetricValues(values: [.rowCount: rows, .maxTimestamp(column: "updated_at"): latest])
        return check.evaluate(CheckInput(now: now, table: TableName(parsing: "orders"), metrics: metrics, previousObserved: nil))
    }

    @Test func passesWhenYoungerThanWarnAfter() {
        let outcome = evaluate(latestAgo: 600)
        #expect(outcome.status == .pass)
        #expect(outcome.observed == 600)
        #expect(outcome.message == "data is 10m old; latest updated_at = 2026-11-25T11:50:00Z")
        #expect(outcome.metricPoints == ["freshness_lag_seconds": 600])
        #expect(outcome.dataTimestamp == now.timeIntervalSince1970 - 600)
    }

    @Test func warnsPastWarnAfter() {
        let outcome = evaluate(latestAgo: 3 * 3_600)
        #expect(outcome.status == .warn)
        #expect(outcome.message == "data is 3h old (warn after 2h); latest updated_at = 2026-11-25T09:00:00Z")
        #expect(outcome.expected == "warn > 2h, fail > 6h")
    }

    @Test func failsPastErrorAfterWhichIsCheckedFirst() {
        let outcome = evaluate(latestAgo: 7 * 3_600 + 720)
        #expect(outcome.status == .fail)
        #expect(outcome.observedText == "7h12m")
        #expect(outcome.message == "data is 7h12m old (fail after 6h); latest updated_at = 2026-11-25T04:48:00Z")
    }

    @Test func exactlyAtThresholdIsStillFresh() {
        #expect(evaluate(latestAgo: 7_200).status == .pass)
        #expect(evaluate(latestAgo: 7_201).status == .warn)
    }

    @Test func emptyTableFailsWithNoRows() {
        let outcome = evaluate(latestAgo: nil, rows: 0)
        #expect(outcome.status == .fail)
        #expect(outcome.message == "no rows in orders")
    }

    @Test func unreadableTimestampsFail() {
        let outcome = evaluate(latestAgo: nil, rows: 5)
        #expect(outcome.status == .fail)
        #expect(outcome.message.hasPrefix("column 'updated_at' has no readable timestamp in 5 rows"))
    }
}
