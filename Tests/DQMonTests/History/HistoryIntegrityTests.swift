import DQMon
import DQMonTestSupport
import Foundation
import GRDB
import Testing

/// A damaged history, one written by a newer dqmon, and `dqmon history backup` (issue 18, section 5).
/// Everything through the real binary on real files.
struct HistoryIntegrityTests {
    static let now = ProjectFixture.now
    static let nowText = "2026-11-25T12:00:00Z"

    /// A project with a fresh orders table and a history of one real run plus `extraRuns` recorded runs of 20
    /// results each (so the file has many pages for random damage to land on).
    static func project(extraRuns: Int = 0) throws -> ProjectFixture {
        let fixture = ProjectFixture(dataset: "orders", checks: """
                  - freshness: { column: updated_at, warn_after: 2h, error_after: 6h }
                  - volume: { min_rows: 1 }
            """)
        try fixture.warehouse().table("orders", timestamps: [now.addingTimeInterval(-600)])
        let first = try CommandLineRunner.run(["check", "--now", nowText], in: fixture.root)
        #expect(first.status == 0, "\(first.stderr)")
        if extraRuns > 0 {
            let history = try HistoryStore(path: fixture.historyURL)
            for run in 0..<extraRuns {
                let at = now.addingTimeInterval(Double(-run - 1) * 3_600)
                let results = (0..<20).map { index in
                    CheckResult(checkID: "d\(index)/volume", dataset: "d\(index)", warehouse: "main", checkType: "volume", status: .pass,
                                observed: Double(run * index), observedText: "\(run * index) rows", expected: ">= 1 rows",
                                message: String(repeating: "padding ", count: 8), queryMilliseconds: 1, dataTimestamp: nil, evaluatedAt: at)
                }
                try history.record(run: RunRecord(startedAt: at, finishedAt: at, evaluatedAt: at, configHash: "x", host: "test",
                                                  selection: "all", exitCode: 0), results: results, metrics: [])
            }
        }
        return fixture
    }

    static func integrityCheck(_ url: URL) -> String {
        guard let queue = try? DatabaseQueue(path: url.path) else { return "cannot open" }
        return (try? queue.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check").joined(separator: "; ") }) ?? "unreadable"
    }

    /// 4 KiB of random bytes at a random offset (seeded), many times: `dqmon check` either refuses with the one-line
    /// message (exit 3) or leaves a file that passes `PRAGMA integrity_check`. Never a trap, never silent damage.
    @Test func randomDamageIsRefusedOrHarmless() throws {
        let pristine = try Self.project(extraRuns: 120)
        let original = try Data(contentsOf: pristine.historyURL)
        let wal = (try? Data(contentsOf: URL(fileURLWithPath: pristine.historyURL.path + "-wal"))) ?? Data()
        #expect(wal.isEmpty, "the history's WAL should be checkpointed before the damage")
        let seed: UInt64 = 1_818
        var random = SeededRandom(seed: seed)
        var refused = 0
        let pageAligned = [0, 4_096, original.count / 2 / 4_096 * 4_096]
        for attempt in 0..<14 {
            let offset = attempt < pageAligned.count ? pageAligned[attempt] : Int.random(in: 0..<(original.count - 4_096), using: &random)
            var damaged = original
            damaged.replaceSubrange(offset..<(offset + 4_096), with: (0..<4_096).map { _ in UInt8.random(in: 0...255, using: &random) })
            try damaged.write(to: pristine.historyURL)
            let run = try CommandLineRunner.run(["check", "--all", "--now", "2026-11-25T13:00:00Z"], in: pristine.root)
            let context = "seed \(seed), attempt \(attempt), offset \(offset): exit \(run.status)\n\(run.stderr)"
            #expect([0, 1, 3].contains(run.status), "\(context)")
            if run.status == 3 {
                refused += 1
                #expect(run.stderr.split(separator: "\n").count == 1, "\(context)")
                #expect(run.stderr.hasPrefix("dqmon: error: history .dqmon/history.sqlite: is corrupt ("), "\(context)")
                #expect(run.stderr.contains("restore a copy made with 'dqmon history backup PATH', or move it aside (mv .dqmon/history.sqlite .dqmon/history.sqlite.corrupt)"), "\(context)")
            } else {
                #expect(Self.integrityCheck(pristine.historyURL) == "ok", "\(context)")
            }
        }
        #expect(refused >= 10, "seed \(seed): only \(refused) of 14 damaged files were refused")
    }

    /// The message a damaged file gets from every command, not only `check`: no "(is the folder writable?)".
    @Test func aDamagedHeaderIsNamedAsCorruptionEverywhere() throws {
        let fixture = try Self.project()
        var data = try Data(contentsOf: fixture.historyURL)
        data.replaceSubrange(0..<16, with: Data(repeating: 0x41, count: 16))
        try data.write(to: fixture.historyURL)
        for command in [["check"], ["history", "orders/freshness"], ["incidents"], ["prune"], ["sla"], ["alerts"]] {
            let output = try CommandLineRunner.run(command + ["--now", Self.nowText], in: fixture.root)
            #expect(output.status == 3, "\(command): \(output.stderr)")
            #expect(output.stderr.contains("history .dqmon/history.sqlite: is corrupt (not an SQLite file: its header is damaged)"), "\(command): \(output.stderr)")
            #expect(!output.stderr.contains("writable"))
        }
    }

    /// A history that names a migration this dqmon does not know is refused, and left as it was.
    @Test func aNewerDqmonsHistoryIsRefused() throws {
        let fixture = try Self.project()
        let queue = try DatabaseQueue(path: fixture.historyURL.path)
        try queue.write { db in try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v9-from-the-future')") }
        try queue.close()
        let before = try Data(contentsOf: fixture.historyURL)
        for command in [["check", "--all"], ["incidents"], ["prune"]] {
            let output = try CommandLineRunner.run(command + ["--now", "2026-11-25T13:00:00Z"], in: fixture.root)
            #expect(output.status == 3, "\(command): \(output.stderr)")
            #expect(output.stderr == "dqmon: error: history .dqmon/history.sqlite: written by a newer dqmon; upgrade dqmon (this history has migration 'v9-from-the-future', which dqmon \(DQMonVersion.current) does not know)\n")
        }
        #expect(try Data(contentsOf: fixture.historyURL) == before)
    }

    @Test func backupCopiesTheHistoryAndRefusesToOverwrite() throws {
        let fixture = try Self.project(extraRuns: 5)
        let elsewhere = TemporaryDirectory(prefix: "dqmon-backups")
        let target = elsewhere.path("copy.sqlite").path
        let made = try CommandLineRunner.run(["history", "backup", target], in: fixture.root)
        #expect(made.status == 0, "\(made.stderr)")
        #expect(made.stdout.hasPrefix("backed up .dqmon/history.sqlite to \(target): 6 runs, 102 results, "), "\(made.stdout)")
        #expect(Self.integrityCheck(URL(fileURLWithPath: target)) == "ok")
        let again = try CommandLineRunner.run(["history", "backup", target], in: fixture.root)
        #expect(again.status == 3)
        #expect(again.stderr == "dqmon: error: history .dqmon/history.sqlite: not backed up: \(target) already exists (pass --force to replace it)\n")
        #expect(try CommandLineRunner.run(["history", "backup", target, "--force"], in: fixture.root).status == 0)
        let missing = try CommandLineRunner.run(["history", "backup", elsewhere.path("no/such/folder/x.sqlite").path], in: fixture.root)
        #expect(missing.status == 3)
        #expect(missing.stderr.contains("does not exist (create it, or give another PATH)"))
        // The copy is a working history: a project pointed at it reads the runs back.
        try FileManager.default.removeItem(at: fixture.historyURL)
        try FileManager.default.copyItem(atPath: target, toPath: fixture.historyURL.path)
        #expect(try HistoryStore(path: fixture.historyURL).runCount() == 6)
    }

    /// While a run holds the lock (inside its write transaction), a backup finishes at once with the committed runs.
    /// "At once" is an order of events, not a stopwatch: the run holds its transaction far longer than the backup
    /// may take (`timeout`), so a backup that waited for the lock could not be done while the run still holds it.
    @Test func backupRunsWhileAnotherProcessHoldsTheRunLock() throws {
        let fixture = try Self.project(extraRuns: 3)
        let marker = fixture.directory.path("holding").path
        let holder = try CommandLineRunner.start(
            ["check", "--all", "--now", "2026-11-25T13:00:00Z"], in: fixture.root,
            environment: ["DQMON_FAULT_HOLD_COMMIT": "600", "DQMON_FAULT_MARKER": marker])
        defer {
            kill(holder.processIdentifier, SIGKILL)
            holder.waitUntilExit()
        }
        _ = Poll.until(attempts: 1_500, every: .milliseconds(20)) {
            FileManager.default.fileExists(atPath: marker) || !holder.isRunning
        }
        #expect(FileManager.default.fileExists(atPath: marker), "the run never reached its commit")
        let target = fixture.directory.path("during.sqlite").path
        let backup = try CommandLineRunner.run(["history", "backup", target], in: fixture.root, timeout: 120)
        #expect(backup.status == 0, "\(backup.stderr)")
        #expect(holder.isRunning, "the backup waited for the run: the run should still hold the lock")
        #expect(backup.stdout.contains(": 4 runs, "), "only committed runs: \(backup.stdout)")
    }
}
