import DQMon
import DQMonTestSupport
import Foundation
import GRDB
import Testing

/// The run lock and crash safety: a second run waits then exits 3; a SIGKILLed run leaves no partial run.
///
/// No assertion reads a clock: "gave up" is shown by the order of events (the second run ends while the first
/// still holds the lock). The kill moments are random from a seed the failures print; reproduce one with
/// `DQMON_KILL_SEED=<seed> swift test --filter RunSafetyTests`.
@Suite(.serialized) struct RunSafetyTests {
    static var seed: UInt64 {
        ProcessInfo.processInfo.environment["DQMON_KILL_SEED"].flatMap { UInt64($0) } ?? 0x4B11_7E57
    }

    func project(tables: Int = 3) throws -> ProjectFixture {
        let fixture = ProjectFixture()
        let datasets = (0..<tables).map { "  - { name: t\($0), checks: [ volume: {}, freshness: { column: updated_at, warn_after: 1h } ] }" }
        fixture.checks("tables.yml", "version: 1\ndatasets:\n" + datasets.joined(separator: "\n") + "\n")
        let warehouse = try fixture.warehouse()
        for index in 0..<tables {
            try warehouse.table("t\(index)", timestamps: WarehouseFixture.spread(20, over: 3_600, endingAt: ProjectFixture.now))
        }
        return fixture
    }

    /// Starts a run that sleeps inside its write transaction, and waits until it is there (its marker file).
    func startRunHoldingCommit(_ fixture: ProjectFixture, seconds: Int) throws -> Process {
        let marker = fixture.directory.path("holding").path
        let process = try CommandLineRunner.start(
            ["check", "--now", "2026-11-25T12:00:00Z"], in: fixture.root,
            environment: ["DQMON_FAULT_HOLD_COMMIT": "\(seconds)", "DQMON_FAULT_MARKER": marker])
        _ = Poll.until(attempts: 1_500, every: .milliseconds(20)) {
            FileManager.default.fileExists(atPath: marker) || !process.isRunning
        }
        #expect(FileManager.default.fileExists(atPath: marker), "the run never reached its commit")
        return process
    }

    /// The holder keeps the lock far longer than the second run may wait, so the second run can only end by
    /// giving up: it must be done while the holder is still inside its transaction.
    @Test func secondRunGivesUpAfterLockTimeoutWithExitThree() throws {
        let fixture = try project()
        let holder = try startRunHoldingCommit(fixture, seconds: 600)
        defer {
            kill(holder.processIdentifier, SIGKILL)
            holder.waitUntilExit()
        }
        let second = try CommandLineRunner.run(["check", "--lock-timeout", "1s"], in: fixture.root)
        #expect(second.status == 3)
        #expect(second.stderr == "dqmon: error: another dqmon process holds the history lock .dqmon/history.sqlite.lock; gave up after 1s (raise --lock-timeout, or look for a stuck run: fuser .dqmon/history.sqlite.lock)\n")
        #expect(holder.isRunning, "the second run gave up while the lock was held, not after the holder let go")
    }

    @Test func secondRunWaitsForTheLockThenRuns() throws {
        let fixture = try project()
        let holder = try startRunHoldingCommit(fixture, seconds: 2)
        let second = try CommandLineRunner.run(["check", "--all", "--now", "2026-11-25T12:05:00Z", "--lock-timeout", "30s"], in: fixture.root)
        holder.waitUntilExit()
        #expect(holder.terminationStatus == 0)
        #expect(second.status == 0)
        let history = try HistoryStore(path: fixture.historyURL)
        #expect(try history.runCount() == 2)
    }

    @Test func killedRunInsideItsTransactionLeavesNoPartialRun() throws {
        let fixture = try project()
        #expect(try CommandLineRunner.run(["check", "--now", "2026-11-25T11:00:00Z"], in: fixture.root).status == 0)
        let victim = try startRunHoldingCommit(fixture, seconds: 30)
        kill(victim.processIdentifier, SIGKILL)
        victim.waitUntilExit()
        try assertConsistent(fixture, runs: 1)
        // The next run takes the lock (the kernel released it) and records normally.
        #expect(try CommandLineRunner.run(["check", "--now", "2026-11-25T12:00:00Z"], in: fixture.root).status == 0)
        try assertConsistent(fixture, runs: 2)
    }

    @Test func runsKilledAtRandomMomentsLeaveWholeRunsOnly() throws {
        let fixture = try project(tables: 150)
        var generator = SeededRandom(seed: Self.seed)
        var delays: [UInt32] = []
        for attempt in 0..<6 {
            let process = try CommandLineRunner.start(["check", "--all", "--now", "2026-11-25T12:0\(attempt):00Z"], in: fixture.root)
            delays.append(UInt32.random(in: 20_000...400_000, using: &generator))
            usleep(delays[attempt])
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try assertConsistent(fixture, runs: nil, "DQMON_KILL_SEED=\(Self.seed) (kills after \(delays) µs)")
    }

    /// Every stored run has exactly the results it counted, no result is orphaned, and SQLite's own check passes.
    /// `context` goes into every failure message (the seed of a randomized test).
    func assertConsistent(_ fixture: ProjectFixture, runs expectedRuns: Int?, _ context: String = "") throws {
        guard FileManager.default.fileExists(atPath: fixture.historyURL.path) else {
            #expect(expectedRuns == nil || expectedRuns == 0, "\(context)")
            return
        }
        let queue = try DatabaseQueue(path: fixture.historyURL.path)
        try queue.read { db in
            #expect(try String.fetchOne(db, sql: "PRAGMA integrity_check") == "ok", "\(context)")
            let mismatched = try Int.fetchOne(db, sql: """
                SELECT count(*) FROM runs WHERE check_count != (SELECT count(*) FROM results WHERE results.run_id = runs.id)
                """)
            #expect(mismatched == 0, "\(context)")
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM results WHERE run_id NOT IN (SELECT id FROM runs)") == 0, "\(context)")
            if let expectedRuns { #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM runs") == expectedRuns, "\(context)") }
        }
    }
}
