import DQMon
import DQMonTestSupport
import Foundation
import GRDB
import Testing

/// The `anomaly` check end to end: config, metric points in history (flagged when anomalous), backfill, backtest.
@Suite struct AnomalyCheckTests {
    let now = ProjectFixture.now

    func eventsProject(_ check: String) throws -> ProjectFixture {
        ProjectFixture(dataset: "events", checks: "      - \(check)")
    }

    /// `perDay[i]` rows on day i (the last day ends at now), timestamps an hour into the day.
    func fillEvents(_ fixture: ProjectFixture, perDay: [Int]) throws {
        try fixture.warehouse().table("events", column: "created_at", timestamps: stamps(perDay))
    }

    func stamps(_ perDay: [Int]) -> [Date] {
        var stamps: [Date] = []
        for (index, count) in perDay.enumerated() {
            let day = now.addingTimeInterval(-Double(perDay.count - index) * 86_400 + 3_600)
            stamps += (0..<count).map { day.addingTimeInterval(Double($0)) }
        }
        return stamps
    }

    /// Loads one day at a time and runs at the end of each day, as a daily scheduler would see the table.
    func runDaily(_ fixture: ProjectFixture, perDay: [Int]) async throws -> [RunReport] {
        let warehouse = try fixture.warehouse()
        try warehouse.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, created_at TEXT)")
        var reports: [RunReport] = []
        for (index, count) in perDay.enumerated() {
            let dayEnd = now.addingTimeInterval(-Double(perDay.count - 1 - index) * 86_400)
            for second in 0..<count {
                try warehouse.execute("INSERT INTO events (created_at) VALUES (?)",
                                      [WarehouseFixture.text(dayEnd.addingTimeInterval(-82_800 + Double(second)))])
            }
            reports.append(try await fixture.run(now: dayEnd, all: true))
        }
        return reports
    }

    func flaggedPoints(_ fixture: ProjectFixture) throws -> [(metric: String, flagged: Bool, source: String)] {
        let queue = try DatabaseQueue(path: fixture.historyURL.path)
        return try queue.read { db in
            try Row.fetchAll(db, sql: "SELECT metric, flagged, source FROM metric_points ORDER BY measured_at").map { row in
                (metric: row[0] as String, flagged: row[1] as Bool, source: row[2] as String)
            }
        }
    }

    @Test func skippedUntilHistoryThenFlagsAndRecordsTheFlaggedPoint() async throws {
        let fixture = try eventsProject("anomaly: { metric: row_count_1d, column: created_at, min_history: 5 }")
        let normal = [100, 104, 98, 101, 99, 103, 97, 102]
        // Runs one day apart: each measures the last day's rows. Only the last day is a spike.
        let reports = try await runDaily(fixture, perDay: normal + [400])
        let statuses = reports.map { $0.results[0].status }
        #expect(reports[0].results[0].message.contains("needs 5 more"))
        #expect(Array(statuses.prefix(5)) == [.skipped, .skipped, .skipped, .skipped, .skipped])
        #expect(Array(statuses[5..<8]) == [.pass, .pass, .pass])
        #expect(statuses[8] == .fail)
        let points = try flaggedPoints(fixture)
        #expect(points.count == 9)
        #expect(points.last?.flagged == true)
        #expect(points.dropLast().allSatisfy { !$0.flagged && $0.metric == "row_count_1d" })
    }

    /// The band `dqmon history` draws comes from the numbers stored with each result, not from its `expected` text.
    @Test func historyDrawsTheBandFromTheStoredRange() async throws {
        let fixture = try eventsProject("anomaly: { metric: row_count_1d, column: created_at, min_history: 3 }")
        _ = try await runDaily(fixture, perDay: [100, 104, 98, 101, 500])
        let stored = try HistoryStore(path: fixture.historyURL).results(checkID: "events/anomaly", limit: 1)[0]
        let range = try #require(stored.expectedRange, "the anomaly result carries no stored range")
        #expect(range.lower < 101 && range.upper > 101 && range.upper < 500, "\(range)")
        // The stored text no longer matters to the chart: blank it, and the band is still drawn.
        let queue = try DatabaseQueue(path: fixture.historyURL.path)
        try await queue.write { db in try db.execute(sql: "UPDATE results SET expected = 'changed wording'") }
        let history = try dqmon(["history", "events/anomaly"], in: fixture)
        #expect(history.status == 0, "\(history.stderr)")
        #expect(history.stdout.contains("expected band"), "\(history.stdout)")
        #expect(history.stdout.contains("▲"), "the spike is drawn above its band: \(history.stdout)")
    }

    @Test func resultStatesRangeTrainingWindowSeasonalityAndScore() async throws {
        let fixture = try eventsProject("anomaly: { metric: row_count_1d, column: created_at, min_history: 3 }")
        _ = try await runDaily(fixture, perDay: [100, 104, 98, 101, 500])
        let result = try HistoryStore(path: fixture.historyURL).results(checkID: "events/anomaly", limit: 1)[0]
        #expect(result.status == .fail)
        #expect(result.message.contains("spike"))
        #expect(result.message.contains("trained on 4 points"))
        #expect(result.message.contains("no seasonality"))
        #expect(result.message.contains("score"))
        #expect(result.expected.contains("expected"))
    }

    @Test func backfillSeedsHistoryWithOneGroupedQuery() async throws {
        let fixture = try eventsProject("anomaly: { metric: row_count_1d, column: created_at }")
        try fillEvents(fixture, perDay: Array(repeating: 50, count: 20) + [300])
        // The library entry point 'dqmon backfill' calls: connect, one grouped query, close, store.
        let summary = try await VolumeBackfill.run(configuration: try fixture.load(), dataset: "events", column: "created_at",
                                                   days: 20, interval: Interval(parsing: "1d")!, now: now)
        let points = summary.points
        #expect(points.count == 20)
        #expect(points.map(\.value).dropLast().allSatisfy { $0 == 50 })
        #expect(points.last?.measuredAt == ISO8601.date(from: "2026-11-25T00:00:00Z"))
        // The check starts with 20 days of history: no skip, and today's 300 rows (in the last 24h) are a spike.
        let report = try await fixture.run(all: true)
        #expect(report.results[0].status == .fail)
        #expect(try flaggedPoints(fixture).filter { $0.source == "backfill" }.count == 20)
    }

    @Test func configErrorsNameTheKey() throws {
        let fixture = try eventsProject("anomaly: { metric: null_rte(user_id), direction: up, seasonality: weekly }")
        #expect(throws: ConfigErrors.self) { try fixture.load() }
        do {
            _ = try fixture.load()
        } catch let error as ConfigErrors {
            let messages = error.errors.map(\.message)
            #expect(messages.contains { $0.hasPrefix("unknown metric 'null_rte(user_id)'") })
            #expect(messages.contains("'direction' must be both, spike or drop, got 'up'"))
            #expect(messages.contains { $0.hasPrefix("'seasonality' must be one of auto, none, hour_of_day") })
        }
    }

    @Test func columnMetricsAndSQLMetricsAreMeasured() async throws {
        let fixture = try eventsProject("""
            anomaly: { name: nulls, metric: null_rate(user_id), min_history: 1 }
                  - anomaly: { name: custom, sql: "select count(*) * 2 from events", min_history: 1 }
            """)
        let warehouse = try fixture.warehouse()
        try warehouse.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, user_id INTEGER)")
        try warehouse.execute("INSERT INTO events (user_id) VALUES (1), (NULL), (3), (NULL)")
        let report = try await fixture.run(all: true)
        #expect(report.results.map(\.observed) == [0.5, 8])
        #expect(report.results.allSatisfy { $0.status == .skipped })
    }
}
