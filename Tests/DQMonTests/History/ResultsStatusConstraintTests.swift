@testable import DQMon
import DQMonTestSupport
import Foundation
import GRDB
import Testing

/// Migration `v8-results-status-comparisons` rewrites `results.status`'s CHECK from an `IN` list to comparisons (SQLite
/// built a temporary b-tree of the list for every inserted row). The constraint must accept exactly what it accepted,
/// an older history must keep every row, and the file must stay sound.
@Suite struct ResultsStatusConstraintTests {
    static let resultColumns = "run_id, check_id, dataset, warehouse, check_type, status, observed_text, expected, message, evaluated_at"

    static func insertResult(status: String, in db: Database) throws {
        try db.execute(sql: "INSERT INTO results (\(resultColumns)) VALUES (1, 'c', 'd', 'main', 'volume', ?, '', '', '', 1)",
                       arguments: [status])
    }

    static func resultsDefinition(_ db: Database) throws -> String {
        try String.fetchOne(db, sql: "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'results'") ?? ""
    }

    /// Seeded: the five statuses, their case and spacing variants, other words, numbers, non-ASCII and empty text are
    /// accepted by the comparisons exactly when the old IN list accepted them (both evaluated by SQLite on a TEXT
    /// value, as the column's affinity gives them).
    @Test func theComparisonsAcceptWhatTheListAccepted() throws {
        let seed: UInt64 = 812
        var generator = SeededRandom(seed: seed)
        let statuses = CheckStatus.allCases.map(\.rawValue)
        var candidates = statuses + statuses.map { $0.uppercased() } + statuses.map { " \($0)" }
            + ["", "open", "passed", "pass ", "ok", "1", "0", "NULL", "pass\u{301}", "érror", "skipped\n"]
        let alphabet = Array("pasworfilekdPSW é\u{301}'\"")
        for _ in 0..<500 {
            candidates.append(String((0..<Int.random(in: 0...8, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }))
            candidates.append(statuses.randomElement(using: &generator)!)
        }
        let queue = try DatabaseQueue()
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE t (status TEXT)")
            for candidate in candidates {
                try db.execute(sql: "DELETE FROM t")
                try db.execute(sql: "INSERT INTO t VALUES (?)", arguments: [candidate])
                let row = try Row.fetchOne(db, sql: """
                    SELECT status IN ('pass', 'warn', 'fail', 'error', 'skipped'),
                           status = 'pass' OR status = 'warn' OR status = 'fail' OR status = 'error' OR status = 'skipped' FROM t
                    """)!
                #expect((row[0] as Bool) == (row[1] as Bool), "\(candidate.debugDescription) (seed \(seed))")
                #expect((row[0] as Bool) == statuses.contains(candidate), "\(candidate.debugDescription) (seed \(seed))")
            }
        }
    }

    /// A new history has the comparisons; every status inserts, anything else is refused by the CHECK constraint.
    @Test func aNewHistoryChecksTheStatusByComparison() throws {
        let directory = TemporaryDirectory()
        let history = try HistoryStore(path: directory.path("history.sqlite"))
        try history.write { db in
            let definition = try Self.resultsDefinition(db)
            #expect(definition.contains(HistoryMigrations.statusComparisons), "\(definition)")
            #expect(!definition.contains(" IN ("), "\(definition)")
            try db.execute(sql: "INSERT INTO runs VALUES (1, 0, 0, 0, 'v', 'h', 'host', 'all', 0, 0, 0, 0, 0, 0)")
            for status in CheckStatus.allCases { try Self.insertResult(status: status.rawValue, in: db) }
            for bad in ["PASS", "bad", "", "pass "] {
                #expect(throws: DatabaseError.self, "\(bad.debugDescription)") { try Self.insertResult(status: bad, in: db) }
            }
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM results") == CheckStatus.allCases.count)
        }
        #expect(try history.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") } == ["ok"])
    }

    /// A history written before the migration (through v7) keeps its rows, indexes and constraint, and its file checks.
    @Test func anOlderHistoryMigratesInPlace() throws {
        let directory = TemporaryDirectory()
        let path = directory.path("history.sqlite")
        do {
            let queue = try DatabaseQueue(path: path.path)
            try HistoryMigrations.migrator.migrate(queue, upTo: "v7-incident-lineage")
            try queue.write { db in
                #expect(try Self.resultsDefinition(db).contains(HistoryMigrations.statusInList))
                try db.execute(sql: "INSERT INTO runs VALUES (1, 0, 0, 0, 'v', 'h', 'host', 'all', 0, 0, 0, 0, 0, 0)")
                for index in 0..<200 { try Self.insertResult(status: CheckStatus.allCases[index % 5].rawValue, in: db) }
            }
        }
        let before = try DatabaseQueue(path: path.path).read { db in try Row.fetchAll(db, sql: "SELECT * FROM results ORDER BY id") }
        let history = try HistoryStore(path: path)
        try history.write { db in
            #expect(try Self.resultsDefinition(db).contains(HistoryMigrations.statusComparisons))
            #expect(try Row.fetchAll(db, sql: "SELECT * FROM results ORDER BY id") == before)
            #expect(try String.fetchAll(db, sql: "PRAGMA integrity_check") == ["ok"])
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_schema WHERE tbl_name = 'results' AND type = 'index'") == 4)
            #expect(throws: DatabaseError.self) { try Self.insertResult(status: "bad", in: db) }
            try Self.insertResult(status: "warn", in: db)
        }
    }
}
