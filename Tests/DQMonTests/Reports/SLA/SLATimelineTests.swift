import DQMon
import DQMonTestSupport
import Foundation
import Testing

/// `dqmon sla` on a scripted 10-hour timeline, every figure computed by hand in the comments.
///
/// orders (tier 2; own sla: freshness 90%, availability 90%, pass rate 80%, mttd 30m, mttr 2h),
/// freshness warn 1h / fail 3h, volume min 5 rows (always passes). Times are hours after t0:
///
///     run   data latest  freshness         incident
///     0:30  0:00         pass (30m)
///     1:30  1:00         pass (30m)
///     2:30  1:00         warn (1h30)       A opens, onset 1:00 + 1h = 2:00 (TTD 30m)
///     3:30  1:00         warn (2h30)
///     4:00  3:45         pass (15m)        A resolves (TTR 1h30)
///     (no runs for 3h: more than 2 x the median interval of 1h -> unknown)
///     7:00  3:45         fail (3h15)       B opens (A resolved 3h ago > reopen_within), onset 3:45 + 3h = 6:45 (TTD 15m)
///     7:20                                 B acknowledged (TTA 20m)
///     8:00  7:30         pass (30m)        B resolves
///     9:00  column renamed: error          B reopens (1h after resolving, within 1h): a flap
///    10:00  9:50         pass (10m)        B resolves (TTR 10:00 - 7:00 = 3h)
@Suite struct SLATimelineTests {
    static let t0 = ISO8601.date(from: "2026-11-25T00:00:00Z")!
    func at(_ hours: Double) -> Date { Self.t0.addingTimeInterval(hours * 3_600) }

    func scriptedHistory() async throws -> ProjectFixture {
        let fixture = ProjectFixture()
        fixture.checks("orders.yml", """
            version: 1
            datasets:
              - name: orders
                tier: 2
                owner: team-orders
                sla: { freshness: 90%, availability: 90%, pass_rate: 80%, mttd: 30m, mttr: 2h }
                checks:
                  - freshness: { column: updated_at, warn_after: 1h, error_after: 3h }
                  - volume: { min_rows: 5 }
            """)
        let warehouse = try fixture.warehouse()
        try warehouse.table("orders", timestamps: (0..<5).map { _ in Self.t0 })
        let insert = { (hours: Double) in try warehouse.execute("INSERT INTO orders (updated_at) VALUES (?)", [WarehouseFixture.text(self.at(hours))]) }
        _ = try await fixture.run(now: at(0.5))
        try insert(1)
        for hours in [1.5, 2.5, 3.5] { _ = try await fixture.run(now: at(hours)) }
        try insert(3.75)
        _ = try await fixture.run(now: at(4))
        _ = try await fixture.run(now: at(7))
        let history = try HistoryStore(path: fixture.historyURL)
        let b = try history.incidents(IncidentFilter(status: .open))[0]
        try history.acknowledgeIncident(id: b.id, by: "alice", note: nil, at: at(7 + 20.0 / 60))
        try insert(7.5)
        _ = try await fixture.run(now: at(8))
        try warehouse.execute("ALTER TABLE orders RENAME COLUMN updated_at TO loaded_at")
        _ = try await fixture.run(now: at(9))
        try warehouse.execute("ALTER TABLE orders RENAME COLUMN loaded_at TO updated_at")
        try insert(9 + 50.0 / 60)
        _ = try await fixture.run(now: at(10))
        return fixture
    }

    @Test func everyFigureMatchesTheHandComputation() async throws {
        let fixture = try await scriptedHistory()
        let history = try HistoryStore(path: fixture.historyURL)
        let incidents = try history.incidents(IncidentFilter()).sorted { $0.id < $1.id }
        #expect(incidents.count == 2)
        #expect(incidents[1].flapCount == 1)
        #expect(incidents.map(\.onsetAt) == [at(2), at(6.75)])

        let report = try SLABuilder(configuration: fixture.load(), window: Interval(seconds: 10 * 3_600), now: at(10)).build(history: history)
        let orders = try #require(report.datasets.first)

        // Freshness, covered from the first run (0:30) to 10:00 = 9h30 = 34,200 s:
        // fresh 0:30-2:00 and 8:00-9:00 = 2h30 (2:00-2:30 is backdated by the 2:30 warn);
        // stale 2:00-4:00 and 6:45-8:00 = 3h15 (6:45-7:00 backdated into the gap by the 7:00 fail);
        // unknown 4:00-6:45 (the gap) and 9:00-10:00 (the error) = 3h45.
        let freshness = try #require(orders.freshness)
        #expect(freshness.split == TimeSplit(fresh: 9_000, stale: 11_700, unknown: 13_500))
        #expect(freshness.ratio.value == 9_000.0 / 34_200)
        #expect(freshness.ratio.met == false)
        // budget left = 1 - bad / ((1 - 0.9) x covered) = 1 - 25,200 / 3,420
        #expect(abs(freshness.ratio.budgetLeft! - (1 - 25_200.0 / 3_420)) < 1e-9)
        // last hour 9:00-10:00 all unknown: (1/1) / 0.1; last 6h 4:00-10:00: 5h bad of 6h.
        #expect(abs(freshness.ratio.burnLastHour! - 10) < 1e-9)
        #expect(abs(freshness.ratio.burnLastSixHours! - (5.0 / 6) / 0.1) < 1e-9)

        // Availability: 9 runs, the 9:00 run had an error: 8/9, below 90%.
        #expect(orders.availability.good == 8)
        #expect(orders.availability.total == 9)
        #expect(orders.availability.met == false)
        #expect(abs(orders.availability.budgetLeft! - (1 - 1 / (0.1 * 9))) < 1e-9)
        // (9:00, 10:00]: the 10:00 run only -> 0; (4:00, 10:00]: 7:00, 8:00, 9:00, 10:00, one bad -> 0.25 / 0.1.
        #expect(orders.availability.burnLastHour == 0)
        #expect(abs(orders.availability.burnLastSixHours! - 2.5) < 1e-9)

        // Pass rate: 18 results, 1 error not evaluated -> 17; non-passing: 2 warn + 1 fail -> 14/17, above 80%.
        #expect(orders.passRate.good == 14)
        #expect(orders.passRate.total == 17)
        #expect(orders.passRate.met == true)
        #expect(abs(orders.passRate.budgetLeft! - (1 - 3 / (0.2 * 17))) < 1e-9)
        // (4:00, 10:00]: 7 evaluated, 1 fail -> (1/7) / 0.2.
        #expect(abs(orders.passRate.burnLastSixHours! - (1.0 / 7) / 0.2) < 1e-9)

        // MTTD over A (30m) and B (15m): mean 22m30s, p50 = 1st of 2 (nearest rank), p90 = 2nd.
        #expect(orders.mttd.count == 2)
        #expect(orders.mttd.mean == 1_350)
        #expect(orders.mttd.p50 == 900)
        #expect(orders.mttd.p90 == 1_800)
        #expect(orders.mttd.met == true)
        #expect(orders.mtta.values == [1_200])
        // MTTR over A (1h30) and B (3h, flapping included): mean 2h15m > 2h.
        #expect(orders.mttr.values == [5_400, 10_800])
        #expect(orders.mttr.mean == 8_100)
        #expect(orders.mttr.met == false)
        // Downtime = (30m + 1h30) + (15m + 3h) = 5h15m.
        #expect(orders.downtime == 18_900)

        // The tier row sums the same counts against tier 2's defaults (97%, 98%, 98%, 1h, 24h).
        let tier = try #require(report.tiers.first)
        #expect(tier.name == "tier 2")
        #expect(tier.availability.target == 0.98)
        #expect(tier.mttr.met == true)
        #expect(report.overall.passRate.good == 14)
    }

    @Test func percentilesAreNearestRank() {
        let stats = DurationStats(values: (1...10).map(Double.init).reversed())
        #expect(stats.p50 == 5)
        #expect(stats.p90 == 9)
        #expect(DurationStats(values: [7]).p90 == 7)
        #expect(DurationStats(values: []).mean == nil)
    }

    @Test func gapsLongerThanTwiceTheExpectedIntervalAreUnknown() {
        let points = [0.0, 3_600, 7_200, 18_000].map { FreshnessTimeline.Point(at: $0, status: .pass, dataTimestamp: $0) }
        // every: 1h -> the 3h gap 7,200-18,000 is unknown; the tail 18,000-19,800 (30m) is fresh.
        let timeline = FreshnessTimeline(prior: nil, points: points, windowStart: -1, now: 19_800, expectedInterval: 3_600,
                                         thresholds: FreshnessThresholds(warn: Interval(seconds: 3_600), fail: nil))
        #expect(timeline.measure(from: -1, to: 19_800) == TimeSplit(fresh: 9_000, stale: 0, unknown: 10_800))
        // A gap of exactly 2 x expected still holds.
        let exact = FreshnessTimeline(prior: nil, points: [points[0]], windowStart: -1, now: 7_200, expectedInterval: 3_600,
                                      thresholds: FreshnessThresholds(warn: nil, fail: nil))
        #expect(exact.measure(from: -1, to: 7_200) == TimeSplit(fresh: 7_200))
    }
}
