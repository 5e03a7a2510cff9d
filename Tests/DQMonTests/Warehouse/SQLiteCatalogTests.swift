import DQMon
import DQMonTestSupport
import Foundation
import GRDB
import Testing

/// The SQLite catalog (one query for all of a run's tables, two halves read at once from 200 tables) says, for every
/// table, its columns in order, which of them lead a usable index and whether it keeps a rowid, exactly as asking
/// SQLite's pragmas table by table does: checked over seeded random schemas with every kind of index a loader may create.
@Suite struct SQLiteCatalogTests {
    /// What the pragmas say of one table, asked one table and one column at a time (the slow, obvious way).
    struct Expected: Equatable {
        var columns: [CatalogColumn]
        var indexed: Set<String>
        var keepsRowID: Bool
    }

    static func expected(_ name: String, in db: Database) throws -> Expected? {
        let master = try Row.fetchOne(db, sql: "SELECT type, sql FROM sqlite_master WHERE lower(name) = lower(?) AND type IN ('table', 'view')",
                                      arguments: [name])
        guard let master else { return nil }
        let type: String = master["type"]
        let sql: String = master["sql"] ?? ""
        var columns: [CatalogColumn] = [], indexed: Set<String> = []
        for row in try Row.fetchAll(db, sql: "SELECT name, type, \"notnull\", cid FROM pragma_table_info(?) ORDER BY cid", arguments: [name]) {
            let column: String = row["name"]
            columns.append(CatalogColumn(name: column, declaredType: row["type"], isNullable: (row["notnull"] as Int) == 0,
                                         position: (row["cid"] as Int) + 1))
            let leads = try Bool.fetchOne(db, sql: """
                SELECT EXISTS (SELECT 1 FROM pragma_index_list(?1) AS l JOIN pragma_index_info(l.name) AS i
                WHERE i.seqno = 0 AND i.name = ?2 AND l.partial = 0)
                """, arguments: [name, column]) ?? false
            if leads { indexed.insert(column) }
        }
        let upper = sql.uppercased()
        let withoutRowID = upper.range(of: "WITHOUT").map { upper[$0.upperBound...].contains("ROWID") } ?? false  // LIKE '%WITHOUT%ROWID%'
        return Expected(columns: columns, indexed: indexed, keepsRowID: type == "table" && !withoutRowID)
    }

    /// A random table or view: a few columns, and indexes of every kind (one column, several, partial, on an
    /// expression, unique, descending, written in another case), or none.
    static func randomSchema(_ index: Int, random: inout SeededRandom) -> [String] {
        let name = ["t\(index)", "Mixed_T\(index)", "Ünï_t\(index)", "täble_T\(index)"][Int.random(in: 0..<4, using: &random)]
        let count = Int.random(in: 1...5, using: &random)
        let types = ["TEXT", "INTEGER", "timestamp", "REAL", "", "DATETIME NOT NULL DEFAULT '2026-01-01'", "numeric"]
        let columns = (0..<count).map { "c\($0)" }
        var body = columns.enumerated().map { "\"\($0.element)\" \(types[Int.random(in: 0..<types.count, using: &random)])" }
        let withoutRowID = Int.random(in: 0..<6, using: &random) == 0
        if withoutRowID { body[0] += " PRIMARY KEY" }
        var statements = ["CREATE TABLE \"\(name)\" (\(body.joined(separator: ", ")))" + (withoutRowID ? " WITHOUT ROWID" : "")]
        for number in 0..<Int.random(in: 0...3, using: &random) {
            let first = columns[Int.random(in: 0..<count, using: &random)]
            let second = columns[Int.random(in: 0..<count, using: &random)]
            let on: String
            switch Int.random(in: 0..<7, using: &random) {
            case 0: on = "(\"\(first)\")"
            case 1: on = "(\"\(first)\", \"\(second)\")"
            case 2: on = "(\"\(first)\") WHERE \"\(second)\" IS NOT NULL"  // partial: not usable for every query
            case 3: on = "(lower(\"\(first)\"))"                            // an expression leads: no column
            case 4: on = "(\"\(first)\" DESC)"
            case 5: on = "(\(first.uppercased()))"                           // the column written in another case
            default: on = "(\"\(second)\", \"\(first)\")"
            }
            let unique = Bool.random(using: &random) ? "UNIQUE " : ""
            statements.append("CREATE \(unique)INDEX \"i\(index)_\(number)\" ON \"\(name)\" \(on)")
        }
        if Int.random(in: 0..<8, using: &random) == 0 {
            statements.append("CREATE VIEW \"v\(index)\" AS SELECT * FROM \"\(name)\"")
        }
        return statements
    }

    @Test func oneQueryForAllTablesSaysWhatThePragmasSayTableByTable() async throws {
        let seed = UInt64(ProcessInfo.processInfo.environment["DQMON_TEST_SEED"] ?? "") ?? 20_261_130
        var random = SeededRandom(seed: seed)
        let directory = TemporaryDirectory()
        let fixture = try WarehouseFixture(at: directory.path("catalog.sqlite"))
        var names: [String] = []
        for index in 0..<260 {
            for statement in Self.randomSchema(index, random: &random) {
                do {
                    try fixture.execute(statement)
                } catch {
                    continue  // e.g. a UNIQUE index SQLite refuses: the schema simply lacks it
                }
            }
            let created = try await fixture.queue.read { db in
                try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name LIKE ?",
                                    arguments: ["%\(index)"])
            }
            names += created.filter { $0.hasSuffix("t\(index)") || $0.hasSuffix("T\(index)") || $0 == "v\(index)" }
        }
        // Asked as users write them: another case, some twice in two cases (the halves split distinct names), and a
        // table that does not exist.
        let once = names.map { Bool.random(using: &random) ? $0.uppercased() : $0 }
        let asked = once + once.prefix(30).map { $0 == $0.lowercased() ? $0.uppercased() : $0.lowercased() } + ["missing_table"]
        let expected = try await fixture.queue.read { db in try asked.map { try Self.expected($0, in: db) } }
        // All of them (two statements read at once), and a few (one statement).
        for count in [asked.count, 40] {
            let statements = SQLiteDialect().catalogQueries(for: asked.prefix(count).map { TableName(parsing: $0) }).count
            #expect(statements == (count >= SQLiteDialect.tablesWorthSplitting ? 2 : 1), "seed \(seed): \(count) tables")
            try await Self.check(asked: Array(asked.prefix(count)), expected: Array(expected.prefix(count)), in: fixture, seed: seed)
        }
    }

    /// The warehouse's catalog of `asked` is `expected`, table by table.
    static func check(asked: [String], expected: [Expected?], in fixture: WarehouseFixture, seed: UInt64) async throws {
        let tables = asked.map { TableName(parsing: $0) }
        try await withClosing(SQLiteWarehouse(name: "w", settings: SQLiteSettings(path: fixture.url)), close: { await $0.close() }) { warehouse in
            let catalog = try await warehouse.catalog(for: tables)
            for (table, expected) in zip(tables, expected) {
                let context = "seed \(seed), \(tables.count) tables: table \(table.table)"
                guard let expected else {
                    #expect(catalog.tables[table] == nil, "\(context) does not exist")
                    continue
                }
                #expect(catalog.tables[table] == expected.columns, "\(context): columns")
                #expect(catalog.indexedColumns[table] == expected.indexed, "\(context): columns leading an index")
                #expect(catalog.rowIDTables.contains(table) == expected.keepsRowID, "\(context): rowid")
            }
        }
    }

    /// `dqmon check --dry-run` prints the catalog statements a run sends: two halves from 200 tables, one below; and
    /// `dqmon check` on those tables reads every table's catalog (a missing one would be a check error).
    @Test func dryRunShowsTheCatalogHalvesTheRunReads() throws {
        for count in [SQLiteDialect.tablesWorthSplitting, SQLiteDialect.tablesWorthSplitting - 1] {
            let project = ProjectFixture()
            let warehouse = try project.warehouse()
            var datasets = "version: 1\ndatasets:\n"
            for index in 0..<count {
                try warehouse.execute("CREATE TABLE t\(index) (id INTEGER PRIMARY KEY, updated_at TEXT)")
                try warehouse.execute("INSERT INTO t\(index) (updated_at) VALUES ('2026-11-25 11:00:00')")
                datasets += "  - name: T\(index)\n    checks:\n      - freshness: { column: updated_at, error_after: 1d }\n"
            }
            project.checks("many.yml", datasets)
            let dryRun = try CommandLineRunner.run(["check", "--all", "--dry-run", "--now", "2026-11-25T12:00:00Z"], in: project.root)
            #expect(dryRun.status == 0, "\(dryRun.stderr)")
            let catalogs = dryRun.stdout.split(separator: "\n").filter { $0.contains("pragma_table_info") }
            #expect(catalogs.count == (count >= SQLiteDialect.tablesWorthSplitting ? 2 : 1), "\(count) tables: \(catalogs.count) catalog statements")
            let header = count >= SQLiteDialect.tablesWorthSplitting ? "catalog, 2 queries for \(count) dataset(s)" : "catalog, one query for \(count) dataset(s)"
            #expect(dryRun.stdout.contains(header), "\(count) tables: \(dryRun.stdout.prefix(300))")
            let run = try CommandLineRunner.run(["check", "--all", "--now", "2026-11-25T12:00:00Z", "--format", "json"], in: project.root)
            #expect(run.status == 0, "\(count) tables: \(run.stderr)")
            let passes = run.stdout.components(separatedBy: "\"status\" : \"pass\"").count - 1
            #expect(passes == count, "\(count) tables: every freshness check passes, \(passes) did")
        }
    }

    /// Numbered placeholders (`?N`, the catalog binds each table name once for both of its parts) are written in
    /// by position in `--dry-run`, plain `?` in order.
    @Test func dryRunWritesNumberedPlaceholdersByPosition() {
        let numbered = SQLStatement("SELECT ?2, ?1, '?1', \"?2\", ?2", arguments: [.text("a"), .integer(7)])
        #expect(numbered.inlined == "SELECT 7, 'a', '?1', \"?2\", 7")
        let plain = SQLStatement("SELECT ?, ?, '?'", arguments: [.real(1.5), .null])
        #expect(plain.inlined == "SELECT 1.5, NULL, '?'")
        let missing = SQLStatement("SELECT ?3, ?", arguments: [])
        #expect(missing.inlined == "SELECT ?3, ?")
    }
}
