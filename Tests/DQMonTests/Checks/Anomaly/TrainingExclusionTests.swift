import DQMon
import DQMonTestSupport
import Foundation
import GRDB
import Testing

/// README, anomaly method item 2 (issue 19): training leaves out the time the dataset's other checks were in an
/// incident. Proven through `dqmon check` and `dqmon backtest`: a three-day outage (no rows; the volume check's
/// incident) does not widen the row-count anomaly band afterwards.
@Suite struct TrainingExclusionTests {
    let now = ProjectFixture.now
    static let anomaly = "anomaly: { metric: row_count_1d, column: created_at, min_history: 3, training: 7d, direction: spike, seasonality: none }"
    static let volume = "volume: { window: 1d, column: created_at, min_rows: 50 }"
    /// Normal days, a three-day outage (0 rows), then two normal days.
    static let perDay = [100, 104, 98, 101, 99, 103, 97, 102, 0, 0, 0, 101, 100]

    /// Loads one day at a time and runs `dqmon check --all` at the end of each day, as a daily scheduler would.
    func runDaily(_ fixture: ProjectFixture) throws -> CommandLineRunner.Output {
        let warehouse = try fixture.warehouse()
        try warehouse.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, created_at TEXT)")
        var last: CommandLineRunner.Output?
        for (index, count) in Self.perDay.enumerated() {
            let dayEnd = now.addingTimeInterval(-Double(Self.perDay.count - 1 - index) * 86_400)
            for second in 0..<count {
                try warehouse.execute("INSERT INTO events (created_at) VALUES (?)",
                                      [WarehouseFixture.text(dayEnd.addingTimeInterval(-82_800 + Double(second)))])
            }
            last = try CommandLineRunner.run(["check", "--all", "--format", "json", "--now", ISO8601.string(from: dayEnd)],
                                             in: fixture.root)
        }
        return try #require(last)
    }

    func anomalyResult(_ fixture: ProjectFixture) throws -> (lower: Double, upper: Double, message: String) {
        let stored = try HistoryStore(path: fixture.historyURL).results(checkID: "events/anomaly", limit: 1)[0]
        let range = try #require(stored.expectedRange, "no stored range: \(stored.message)")
        return (range.lower, range.upper, stored.message)
    }

    @Test func aThreeDayOutageUnderAnIncidentDoesNotWidenTheBandAfterwards() throws {
        let withIncident = ProjectFixture(dataset: "events", checks: "      - \(Self.anomaly)\n      - \(Self.volume)")
        let withoutIncident = ProjectFixture(dataset: "events", checks: "      - \(Self.anomaly)")
        let last = try runDaily(withIncident)
        _ = try runDaily(withoutIncident)
        #expect(last.status == 0, "the volume incident resolved and the anomaly passes: \(last.stdout) \(last.stderr)")

        let excluded = try anomalyResult(withIncident)
        let included = try anomalyResult(withoutIncident)
        // Training is the 7 days before the last one: 3 normal days, the 3 outage days, 1 normal day after.
        #expect(excluded.message.contains("trained on 4 points"), "\(excluded.message)")
        #expect(included.message.contains("trained on 7 points"), "\(included.message)")
        #expect(excluded.lower > 50 && excluded.upper < 150, "the band after the outage stays around 100: \(excluded)")
        #expect((excluded.upper - excluded.lower) * 3 < included.upper - included.lower,
                "without the exclusion the outage widens the band: \(excluded) vs \(included)")

        // `dqmon backtest` replays with the same exclusions, and says which.
        let backtest = try CommandLineRunner.run(["backtest", "events/anomaly", "--since", "1d",
                                                  "--now", ISO8601.string(from: now)], in: withIncident.root)
        #expect(backtest.status == 0, "\(backtest.stderr)")
        let withoutBacktest = try CommandLineRunner.run(["backtest", "events/anomaly", "--since", "1d",
                                                         "--now", ISO8601.string(from: now)], in: withoutIncident.root)
        #expect(backtest.stdout.contains("training leaves out 1 interval(s): incident of events/volume"),
                "the backtest applies the exclusions: \(backtest.stdout)")
        #expect(!withoutBacktest.stdout.contains("leaves out"), "\(withoutBacktest.stdout)")
    }

    /// Maintenance windows (`alerts/*.yml`) leave their time out of training too: the same outage, without a volume
    /// check to open an incident, inside a window declared for a planned replay.
    @Test func aMaintenanceWindowLeavesItsTimeOutOfTraining() throws {
        let fixture = ProjectFixture(dataset: "events", checks: "      - \(Self.anomaly)")
        // The outage days are measured at now - 4d, - 3d and - 2d; the window opens an hour before the first.
        fixture.alerts("""
            version: 1
            receivers:
              local: { type: file, path: alerts.jsonl }
            routes:
              - receivers: [local]
            maintenance:
              - { datasets: [events], cron: "0 11 21 11 *", duration: 3d, reason: planned replay }
            """)
        _ = try runDaily(fixture)
        let result = try anomalyResult(fixture)
        #expect(result.message.contains("trained on 4 points"), "\(result.message)")
        #expect(result.lower > 50 && result.upper < 150, "the band after the window stays around 100: \(result)")
        let backtest = try CommandLineRunner.run(["backtest", "events/anomaly", "--since", "1d",
                                                  "--now", ISO8601.string(from: now)], in: fixture.root)
        #expect(backtest.stdout.contains("training leaves out 1 interval(s): maintenance window (planned replay)"),
                "\(backtest.stdout)\(backtest.stderr)")
    }

    /// The history read: an open incident covers up to now; a resolved one from just after its onset to just before
    /// its resolution (both passing measurements); incidents of anomaly checks and other datasets are left out.
    @Test func exclusionsAreTheDatasetsNonAnomalyIncidents() throws {
        let fixture = ProjectFixture(dataset: "events", checks: "      - \(Self.anomaly)\n      - \(Self.volume)")
        _ = try runDaily(fixture)
        let history = try HistoryStore(path: fixture.historyURL)
        let intervals = try history.trainingExclusions(datasets: ["events", "other"], since: now.addingTimeInterval(-30 * 86_400),
                                                       until: now)
        let events = try #require(intervals["events"])
        #expect(events.count == 1 && intervals["other"] == nil, "\(intervals)")
        let outageStart = now.addingTimeInterval(-5 * 86_400).timeIntervalSince1970  // the last normal day before
        let recovery = now.addingTimeInterval(-86_400).timeIntervalSince1970          // the first normal day after
        #expect(events[0].start > outageStart && events[0].start < outageStart + 1, "\(events[0])")
        #expect(events[0].end < recovery && events[0].end > recovery - 1, "\(events[0])")
        #expect(events[0].reason.contains("events/volume"), "\(events[0])")
        #expect(try history.trainingExclusions(datasets: ["events"], since: now, until: now)["events"] == nil,
                "an incident resolved before the window is not excluded")
    }
}
