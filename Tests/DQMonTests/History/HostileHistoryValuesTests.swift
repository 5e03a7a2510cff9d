@testable import DQMon
import DQMonTestSupport
import Foundation
import GRDB
import Testing

/// A value of the wrong type anywhere in the history file never stops dqmon. SQLite columns accept any value, and
/// `PRAGMA quick_check` does not look at types, so hand edits, restores and damage can leave text, blobs, reals beyond
/// 2^63 or NULLs where dqmon wrote something else; GRDB's row subscripts used to stop the process (`try!`, SIGILL) on
/// them. Every command that reads the history runs over a history seeded by real runs (the demo: incidents, alerts to
/// a file receiver, SLA totals, samples, schema snapshots, anomaly metrics) plus follow-ups, notes and a silence,
/// with hostile values written into every table's columns (sampled with a seeded generator).
@Suite(.serialized) struct HostileHistoryValuesTests {
    static let now = "2026-11-25T12:30:00Z"

    /// SQL expressions of the hostile values: text, empty text, blobs (one not UTF-8), reals beyond the 64-bit range
    /// and infinity, the 64-bit extremes, a fraction, NULL (refused by NOT NULL columns: then skipped) and 100 KB of
    /// text.
    static let hostileValues = [
        "'abc'", "''", "'12abc'", "x'00ff'", "x'ff00fe'", "1e300", "-1e300", "9e999", "-9.2e18", "9223372036854775807",
        "-9223372036854775808", "2.5", "NULL", "replace(hex(zeroblob(50000)), '0', 'ab')",
    ]

    /// Every command that reads the history (from `dqmon --help`), some of them writing to it.
    static func commands(backupPath: String) -> [[String]] {
        [
            ["check", "--all"], ["check"], ["check", "--all", "--format", "json"],
            ["incidents", "--status", "all"], ["incidents", "show", "4"], ["incidents", "show", "6"],
            ["incidents", "ack", "4"], ["incidents", "note", "5", "looked at it"], ["incidents", "resolve", "5", "--cause", "data"],
            ["incidents", "followup", "6", "add", "add a test"], ["incidents", "followup", "6", "done", "2"], ["incidents", "review"],
            ["sla"], ["sla", "--format", "json"], ["report", "--output", "report.html"],
            ["alerts"], ["alerts", "flush"], ["silence", "list"],
            ["history", "orders/freshness"], ["history", "events/anomaly/hourly_events", "--format", "json"], ["history", "orders", "--schema"],
            ["history", "backup", backupPath], ["lineage", "orders"],
            ["backtest", "events/anomaly/hourly_events"], ["backfill", "events", "--column", "occurred_at", "--days", "3"],
            ["doctor"], ["prune"],
        ]
    }

    struct Outcome {
        let signalled: Bool
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// Runs the built dqmon and tells a death by signal apart from an exit code (CommandLineRunner's status of a
    /// SIGILL is 4, the same as dqmon's "alerts left pending").
    static func run(_ arguments: [String], in directory: URL, environment: [String: String]) throws -> Outcome {
        let process = Process()
        process.executableURL = CommandLineRunner.binary
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let scratch = TemporaryDirectory(prefix: "dqmon-hostile-run")
        let out = scratch.write("out", ""), err = scratch.write("err", "")
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
        process.waitUntilExit()
        return Outcome(signalled: process.terminationReason == .uncaughtSignal, status: process.terminationStatus,
                       stdout: (try? String(contentsOf: out, encoding: .utf8)) ?? "", stderr: (try? String(contentsOf: err, encoding: .utf8)) ?? "")
    }

    /// The seeded project and its history's bytes (checkpointed), made once for the suite; each test restores them.
    struct Seeded: @unchecked Sendable {
        let project: DemoStoryProject
        let pristine: Data

        var fixture: ProjectFixture { project.fixture }

        /// Puts the seeded history back (and drops its WAL, shared memory and integrity stamp).
        func restore() throws {
            let history = fixture.historyURL
            for suffix in ["", "-wal", "-shm", ".verified"] { try? FileManager.default.removeItem(atPath: history.path + suffix) }
            try pristine.write(to: history)
        }
    }

    static let seeded = Result<Seeded, any Error> {
        let project = try seededProject()
        let history = project.fixture.historyURL
        let queue = try DatabaseQueue(path: history.path)
        try queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        try queue.close()
        return Seeded(project: project, pristine: try Data(contentsOf: history))
    }

    /// The demo project (copied from the repository) after `dqmon demo --days 3`, with follow-ups, a note, an
    /// acknowledgement, a cause and a silence, so that every table of the history has rows.
    static func seededProject() throws -> DemoStoryProject {
        let project = try DemoStoryProject(days: 3)
        try project.demo()
        let at = "2026-11-25T12:10:00Z"
        for command in [["incidents", "followup", "6", "add", "fix the loader"], ["incidents", "followup", "6", "add", "alert earlier"],
                        ["incidents", "followup", "6", "done", "1"], ["incidents", "note", "4", "on it"],
                        ["incidents", "resolve", "6", "--cause", "upstream", "--rca", "https://wiki.example/rca/6"],
                        ["silence", "add", "--match", "dataset=customers", "--for", "2h", "--reason", "backfill"]] {
            let output = try CommandLineRunner.run(command + ["--now", at], in: project.fixture.root, environment: project.fixture.environment)
            #expect(output.status == 0, "\(command): \(output.stderr)")
        }
        return project
    }

    /// Each table with its columns, read from the file itself (so a new table or column is covered without a change here).
    static func schema(_ url: URL) throws -> [(table: String, columns: [String])] {
        let queue = try DatabaseQueue(path: url.path)
        defer { try? queue.close() }
        return try queue.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").map { table in
                (table, try String.fetchAll(db, sql: "SELECT name FROM pragma_table_info(?) ORDER BY cid", arguments: [table]))
            }
        }
    }

    /// Writes `value` into `column` of every row of `table`, or when a constraint refuses that (a key, NOT NULL, a
    /// CHECK), of its last row only; returns what was written, or nil when even that was refused.
    static func write(_ value: String, table: String, column: String, in db: Database) -> String? {
        let target = "\"\(table)\".\"\(column)\""
        if (try? db.execute(sql: "UPDATE \"\(table)\" SET \"\(column)\" = \(value)")) != nil { return "\(target) = \(value.prefix(40)) (all rows)" }
        if (try? db.execute(sql: "UPDATE \"\(table)\" SET \"\(column)\" = \(value) WHERE rowid = (SELECT max(rowid) FROM \"\(table)\")")) != nil,
           db.changesCount > 0 {
            return "\(target) = \(value.prefix(40)) (last row)"
        }
        return nil
    }

    static func runCount(_ url: URL) -> Int {
        guard let queue = try? DatabaseQueue(path: url.path) else { return -1 }
        defer { try? queue.close() }
        return (try? queue.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM runs") ?? 0 }) ?? -1
    }

    /// Rounds of: the seeded history restored, hostile values written into 25 (table, column) pairs (the columns in a
    /// seeded random order, so the rounds visit every column once, each with a random value), then every command.
    /// No command dies by a signal or prints a Swift runtime error; each exits with one of dqmon's codes
    /// (0-4); a failure (exit 3) is one line; `dqmon check --all` still records its run (an unrelated damaged row must
    /// not stop the checks), except when the damage names migrations (then its one line names the history file).
    @Test func wrongTypedValuesNeverStopACommand() throws {
        let seeded = try Self.seeded.get()
        let fixture = seeded.fixture
        let history = fixture.historyURL
        try seeded.restore()
        let schema = try Self.schema(history)
        #expect(schema.count >= 14, "\(schema.map(\.table))")
        let seed: UInt64 = ProcessInfo.processInfo.environment["DQMON_HOSTILE_SEED"].flatMap(UInt64.init) ?? 20_261_130
        var random = SeededRandom(seed: seed)
        let pairs = schema.flatMap { table in table.columns.map { (table.table, $0) } }.shuffled(using: &random)
        let scratch = TemporaryDirectory(prefix: "dqmon-hostile-backups")
        let perRound = 25
        let rounds = (pairs.count + perRound - 1) / perRound
        for round in 0..<rounds {
            try seeded.restore()
            let queue = try DatabaseQueue(path: history.path)
            let written: [String] = try queue.writeWithoutTransaction { db in
                // The next `perRound` columns of the shuffled list, each with a random hostile value.
                let written = (0..<perRound).compactMap { index in
                    let pair = pairs[(round * perRound + index) % pairs.count]
                    return Self.write(Self.hostileValues.randomElement(using: &random)!, table: pair.0, column: pair.1, in: db)
                }
                try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
                return written
            }
            try queue.close()
            let context = "seed \(seed), round \(round), wrote: \(written.joined(separator: "; "))"
            let migrationsDamaged = written.contains { $0.hasPrefix("\"grdb_migrations\"") }
            for command in Self.commands(backupPath: scratch.path("backup-\(round)-\(UUID().uuidString).sqlite").path) {
                let runsBefore = command.prefix(2) == ["check", "--all"] ? Self.runCount(history) : 0
                let outcome = try Self.run(command + ["--now", Self.now], in: fixture.root, environment: fixture.environment)
                let what = "\(context); dqmon \(command.joined(separator: " ")): exit \(outcome.status)\(outcome.signalled ? " (signal)" : "")\n\(outcome.stderr.suffix(1_500))"
                #expect(!outcome.signalled && (0...4).contains(outcome.status), "\(what)")
                #expect(!outcome.stderr.contains("Fatal error") && !outcome.stderr.contains("Stack dump") && !outcome.stderr.contains("stack trace"), "\(what)")
                if outcome.status == 3 {
                    let lines = outcome.stderr.split(separator: "\n").filter { $0.hasPrefix("dqmon: error:") }
                    #expect(lines.count == 1, "\(what)")
                }
                if command.prefix(2) == ["check", "--all"] {
                    if migrationsDamaged && outcome.status == 3 {
                        #expect(outcome.stderr.contains("history .dqmon/history.sqlite"), "\(what)")
                    } else {
                        #expect(outcome.status != 3, "\(what)")
                        #expect(Self.runCount(history) == runsBefore + 1, "the run was recorded: \(what)")
                    }
                }
            }
        }
    }

    /// `dqmon doctor` names a wrong-typed value as one line: the history file, table.column, the row, what dqmon reads
    /// instead, and the fix; it still exits 0 (commands keep working). A table without rowid is named by its key.
    @Test func doctorNamesAWrongTypedValue() throws {
        let seeded = try Self.seeded.get()
        let fixture = seeded.fixture
        try seeded.restore()
        let clean = try Self.run(["doctor", "--now", Self.now], in: fixture.root, environment: fixture.environment)
        #expect(clean.status == 0, "\(clean.stdout)\(clean.stderr)")
        #expect(!clean.stdout.contains("history values"), "\(clean.stdout)")
        let queue = try DatabaseQueue(path: fixture.historyURL.path)
        try queue.write { db in try db.execute(sql: "UPDATE incidents SET detected_at = 'abc' WHERE id = 4") }
        try queue.close()
        let damaged = try Self.run(["doctor", "--now", Self.now], in: fixture.root, environment: fixture.environment)
        #expect(damaged.status == 0, "\(damaged.stdout)\(damaged.stderr)")
        #expect(damaged.stdout.contains("""
            ! history values: .dqmon/history.sqlite: incidents.detected_at holds 'abc' where a number belongs (row 4); dqmon reads it as 0.0; \
            fix: restore a copy made with 'dqmon history backup PATH', or correct or delete that row with the sqlite3 shell \
            (sqlite3 .dqmon/history.sqlite "DELETE FROM incidents WHERE rowid = 4")
            """), "\(damaged.stdout)")
        let listed = try Self.run(["incidents", "--status", "all", "--now", Self.now], in: fixture.root, environment: fixture.environment)
        #expect(listed.status == 0 && listed.stdout.contains("#4"), "\(listed.stderr)")
        let again = try DatabaseQueue(path: fixture.historyURL.path)
        try again.write { db in
            try db.execute(sql: "UPDATE incidents SET detected_at = 1764000000 WHERE id = 4")
            try db.execute(sql: "UPDATE dataset_run_totals SET cum_runs = x'00ff' WHERE dataset = 'orders'")
        }
        try again.close()
        let keyed = try Self.run(["doctor", "--now", Self.now], in: fixture.root, environment: fixture.environment)
        #expect(keyed.stdout.contains("! history values: .dqmon/history.sqlite: dataset_run_totals.cum_runs holds a blob of 2 bytes where an integer belongs (\"dataset\" = 'orders' AND \"evaluated_at\" = "), "\(keyed.stdout)")
        // A key holding line breaks and control characters still gives one line.
        let odd = try DatabaseQueue(path: fixture.historyURL.path)
        try odd.write { db in
            try db.execute(sql: "UPDATE dataset_run_totals SET dataset = 'ord' || char(10) || 'ers' || char(13) || char(8232) || char(127) WHERE dataset = 'orders'")
        }
        try odd.close()
        let oddKey = try Self.run(["doctor", "--now", Self.now], in: fixture.root, environment: fixture.environment)
        let line = oddKey.stdout.split(separator: "\n", omittingEmptySubsequences: false).first { $0.contains("! history values:") }
        #expect(line?.contains("(\"dataset\" = 'ord?ers???' AND \"evaluated_at\" = ") == true, "\(oddKey.stdout)")
        #expect(line?.hasSuffix("\")") == true, "the fix ends the same line: \(oddKey.stdout)")
    }

    /// SQLite's conversions, as the history reads values: text gives its leading number, reals saturate, NULL is 0.
    @Test func storedValuesReadAsSQLiteConverts() throws {
        let queue = try DatabaseQueue()
        let row = try #require(try queue.read { db in
            try Row.fetchOne(db, sql: "SELECT 'abc', ' 12abc', '-3.5e2x', x'3432', 1e300, -1e300, 9e999, NULL, 2.9, '99999999999999999999', 7")
        })
        #expect((0..<row.count).map { row.stored($0) as Int } == [0, 12, -350, 42, Int.max, Int.min, Int.max, 0, 2, Int.max, 7])
    }
}
