import DQMon
import DQMonTestSupport
import Foundation
import GRDB
import Testing

/// The running totals behind `dqmon sla`'s availability and pass rate must give exactly what grouping the
/// stored results by run instant gives, whatever order runs are recorded in, and survive `prune`.
@Suite struct DatasetRunTotalsTests {
    static let t0 = 1_800_000_000.0
    static let statuses: [CheckStatus] = [.pass, .pass, .pass, .warn, .fail, .error, .skipped]

    /// A run of `count` results for `dataset` at `t0 + hours`, statuses drawn from `generator`.
    func results(_ dataset: String, hours: Double, count: Int, generator: inout some RandomNumberGenerator) -> [CheckResult] {
        (0..<count).map { index in
            CheckResult(checkID: "\(dataset)/check\(index)", dataset: dataset, warehouse: "main", checkType: "volume",
                        status: Self.statuses.randomElement(using: &generator)!, observed: 1, observedText: "1", expected: "",
                        message: "", queryMilliseconds: 1, dataTimestamp: nil, evaluatedAt: Date(timeIntervalSince1970: Self.t0 + hours * 3_600))
        }
    }

    func record(_ results: [CheckResult], in history: HistoryStore) throws {
        let at = results[0].evaluatedAt
        try history.record(run: RunRecord(startedAt: at, finishedAt: at, evaluatedAt: at, configHash: "", host: "test", selection: "--all", exitCode: 0),
                           results: results, metrics: [])
    }

    /// The counts in `(from, to]` straight from `results`: what `dqmon sla` computed before the running totals.
    func grouped(_ dataset: String, from: Double, to: Double, db: Database) throws -> DatasetRunTotals.Counts {
        let row = try Row.fetchOne(db, sql: """
            SELECT count(*), coalesce(sum(available), 0), coalesce(sum(passes), 0), coalesce(sum(evaluated), 0) FROM (
                SELECT 1 - max(status = 'error') AS available, sum(status = 'pass') AS passes,
                       sum(status IN ('pass', 'warn', 'fail')) AS evaluated
                FROM results WHERE dataset = ? AND evaluated_at > ? AND evaluated_at <= ? GROUP BY evaluated_at)
            """, arguments: [dataset, from, to])!
        return DatasetRunTotals.Counts(runs: row[0], available: row[1], passes: row[2], evaluated: row[3])
    }

    func expectAllWindowsMatch(_ history: HistoryStore, datasets: [String], hours: ClosedRange<Int>) throws {
        try history.read { db in
            for dataset in datasets {
                for from in stride(from: hours.lowerBound, through: hours.upperBound, by: 3) {
                    for to in stride(from: from, through: hours.upperBound, by: 5) {
                        let (start, end) = (Self.t0 + Double(from) * 3_600, Self.t0 + Double(to) * 3_600)
                        let totals = try HistoryTransaction(db).runTotals(dataset: dataset, after: start, through: end)
                        #expect(totals == (try grouped(dataset, from: start, to: end, db: db)), "\(dataset) (\(from)h, \(to)h]")
                    }
                }
            }
        }
    }

    @Test func outOfOrderAndSameInstantRunsGiveTheGroupedCounts() throws {
        let directory = TemporaryDirectory()
        let history = try HistoryStore(path: directory.path("history.sqlite"))
        var generator = SeededRandom(seed: 42)
        // Hours 0..<40 in a shuffled order, and ten of them recorded twice (a second run at the same instant).
        var hours = Array(0..<40).map(Double.init) + [3, 7, 7, 12, 20, 21, 30, 33, 38, 39]
        hours.shuffle(using: &generator)
        for hour in hours {
            try record(results("orders", hours: hour, count: 3, generator: &generator)
                       + results("payments", hours: hour, count: 2, generator: &generator), in: history)
        }
        try expectAllWindowsMatch(history, datasets: ["orders", "payments", "missing"], hours: -2...42)
    }

    @Test func theMigrationBackfillMatchesTheIncrementalRows() throws {
        let directory = TemporaryDirectory()
        let history = try HistoryStore(path: directory.path("history.sqlite"))
        var generator = SeededRandom(seed: 7)
        for hour in [5.0, 1, 3, 3, 9, 2, 8, 8, 8, 0] { try record(results("orders", hours: hour, count: 4, generator: &generator), in: history) }
        let (incremental, rebuilt) = try history.write { db -> ([Row], [Row]) in
            let incremental = try Row.fetchAll(db, sql: "SELECT * FROM dataset_run_totals ORDER BY dataset, evaluated_at")
            try db.execute(sql: "DELETE FROM dataset_run_totals")
            try db.execute(sql: DatasetRunTotals.backfillSQL)
            return (incremental, try Row.fetchAll(db, sql: "SELECT * FROM dataset_run_totals ORDER BY dataset, evaluated_at"))
        }
        #expect(incremental.count == 7)
        #expect(incremental == rebuilt)
    }

    /// One recorded run whose results carry several instants per dataset (newer than, equal to and older than the
    /// stored rows, in any order): each instant is counted as its own run, as grouping the results gives.
    @Test func aRunWithSeveralInstantsPerDatasetGivesTheGroupedCounts() throws {
        let seed: UInt64 = 2026
        let directory = TemporaryDirectory()
        let history = try HistoryStore(path: directory.path("history.sqlite"))
        var generator = SeededRandom(seed: seed)
        for _ in 0..<25 {
            var run: [CheckResult] = []
            for dataset in ["orders", "payments", "users"] {
                for _ in 0..<Int.random(in: 1...3, using: &generator) {
                    run += results(dataset, hours: Double(Int.random(in: 0...30, using: &generator)), count: Int.random(in: 1...4, using: &generator),
                                   generator: &generator)
                }
            }
            run.shuffle(using: &generator)
            try record(run, in: history)
        }
        try expectAllWindowsMatch(history, datasets: ["orders", "payments", "users"], hours: -2...32)
        let rows = try history.read { db in try Row.fetchAll(db, sql: "SELECT * FROM dataset_run_totals ORDER BY dataset, evaluated_at") }
        let rebuilt = try history.write { db -> [Row] in
            try db.execute(sql: "DELETE FROM dataset_run_totals")
            try db.execute(sql: DatasetRunTotals.backfillSQL)
            return try Row.fetchAll(db, sql: "SELECT * FROM dataset_run_totals ORDER BY dataset, evaluated_at")
        }
        #expect(rows == rebuilt, "seed \(seed)")
    }

    @Test func pruneKeepsTheCountsOfLaterWindows() throws {
        let directory = TemporaryDirectory()
        let history = try HistoryStore(path: directory.path("history.sqlite"))
        var generator = SeededRandom(seed: 3)
        for hour in 0..<30 { try record(results("orders", hours: Double(hour), count: 3, generator: &generator), in: history) }
        try history.prune(before: Date(timeIntervalSince1970: Self.t0 + 10.5 * 3_600))
        try expectAllWindowsMatch(history, datasets: ["orders"], hours: 11...31)
        // A run recorded after the prune still extends the totals.
        try record(results("orders", hours: 31, count: 3, generator: &generator), in: history)
        try expectAllWindowsMatch(history, datasets: ["orders"], hours: 11...32)
    }

    /// A hand-edited or damaged `dataset_run_totals` (text, reals beyond 2^63, the 64-bit extremes) never stops dqmon:
    /// `dqmon check` (in order, out of order, at the same instant) records its run and `dqmon sla` answers. GRDB used
    /// to stop the process decoding such a value as `Int`, and the sums could overflow.
    @Test func hostileStoredTotalsNeverStopACheckOrTheSLA() throws {
        let values = ["'abc'", "'12abc'", "''", "1e300", "-1e300", "9223372036854775807", "-9223372036854775808", "2.5", "x'00ff'"]
        let seed: UInt64 = 31
        var random = SeededRandom(seed: seed)
        let fixture = try HistoryIntegrityTests.project()
        for round in 0..<6 {
            let assignments = ["available", "passes", "evaluated", "cum_runs", "cum_available", "cum_passes", "cum_evaluated"]
                .map { "\($0) = \(values.randomElement(using: &random)!)" }.joined(separator: ", ")
            let queue = try DatabaseQueue(path: fixture.historyURL.path)
            try queue.write { db in try db.execute(sql: "UPDATE dataset_run_totals SET \(assignments)") }
            try queue.close()
            // Later, earlier (out of order: every later row is updated) and at an instant already recorded.
            for at in ["2026-11-25T1\(4 + round % 5):00:00Z", "2026-11-25T0\(round % 9):30:00Z", HistoryIntegrityTests.nowText] {
                let run = try CommandLineRunner.run(["check", "--now", at], in: fixture.root)
                #expect([0, 1].contains(run.status), "seed \(seed), round \(round), \(assignments), --now \(at): exit \(run.status)\n\(run.stderr)")
            }
            let sla = try CommandLineRunner.run(["sla", "--now", "2026-11-26T00:00:00Z"], in: fixture.root)
            #expect(sla.status == 0, "seed \(seed), round \(round), \(assignments): exit \(sla.status)\n\(sla.stderr)")
        }
        let runs = try DatabaseQueue(path: fixture.historyURL.path).read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM runs") }
        #expect(runs == 1 + 6 * 3, "every run was recorded")
    }
}
