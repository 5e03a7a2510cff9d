import DQMon
import DQMonTestSupport
import Foundation
import GRDB
import Testing

/// The metric statement dqmon sends to SQLite: exact for every timestamp form a column may hold (checked against
/// the per-row conversion, the slow right answer, over many seeded random tables), and served by the column's
/// index when it has one (checked with EXPLAIN QUERY PLAN).
@Suite struct SQLiteMetricQueryTests {
    let now = ProjectFixture.now

    /// Text and numbers a loader may write for one instant: ISO with or without a zone, `T` or space, fractions,
    /// date only, epoch seconds (integer or real) and milliseconds.
    static func forms(of instant: Double, random: inout SeededRandom, numeric: Bool) -> (any DatabaseValueConvertible)? {
        // ±14:59 is the widest offset SQLite reads: a row written so sorts 14 h 59 min from its instant.
        let offsets = [0, 19_800, -14 * 3_600, 14 * 3_600, -3_600 * 5, -(14 * 3_600 + 59 * 60), 14 * 3_600 + 59 * 60]
        let date = { (shift: Int) in Date(timeIntervalSince1970: instant + Double(shift)) }
        func iso(_ shift: Int, _ format: String) -> String {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(secondsFromGMT: shift)
            formatter.dateFormat = format
            return formatter.string(from: date(0))
        }
        let choice = Int.random(in: 0..<(numeric ? 12 : 9), using: &random)
        switch choice {
        case 0: return iso(0, "yyyy-MM-dd HH:mm:ss")
        case 1: return iso(0, "yyyy-MM-dd'T'HH:mm:ss")
        case 2: return iso(0, "yyyy-MM-dd HH:mm:ss.SSS")
        case 3: return iso(0, "yyyy-MM-dd'T'HH:mm:ss'Z'")
        case 4:
            let shift = offsets[Int.random(in: 0..<offsets.count, using: &random)]
            return iso(shift, "yyyy-MM-dd'T'HH:mm:ssxxx")
        case 5: return iso(0, "yyyy-MM-dd")
        case 6: return iso(0, "yyyy-MM-dd'T'HH:mm")
        case 7: return [nil, "n/a", "", "unknown"][Int.random(in: 0..<4, using: &random)] as String?
        case 8: return iso(0, "yyyy-MM-dd HH:mm:ss")
        case 9: return Int64(instant)
        case 10: return instant + 0.25
        default: return Int64(instant * 1000)
        }
    }

    static let declaredTypes = ["", "TEXT", "INTEGER", "REAL", "DATETIME", "TIMESTAMP", "NUMERIC", "VARCHAR(30)"]

    /// One random table: a declared type, an index or not, 0–60 rows of mixed forms around `now` (so the 1h and
    /// 1d windows have rows on both sides of their bound), inserted in random or in time order (so the newest rows
    /// by rowid sometimes bound the latest tightly), with a rowid or `WITHOUT ROWID`.
    func randomTable(_ fixture: WarehouseFixture, name: String, random: inout SeededRandom) throws -> (type: String, indexed: Bool) {
        let type = Self.declaredTypes[Int.random(in: 0..<Self.declaredTypes.count, using: &random)]
        let indexed = Bool.random(using: &random)
        let withoutRowID = Int.random(in: 0..<5, using: &random) == 0
        try fixture.execute("CREATE TABLE \(name) (id INTEGER PRIMARY KEY, ts \(type))\(withoutRowID ? " WITHOUT ROWID" : "")")
        if indexed { try fixture.execute("CREATE INDEX \(name)_ts ON \(name) (ts)") }
        // A TEXT column stores numbers as text, which no reader takes for epochs: numeric forms only elsewhere.
        let numeric = SQLiteAffinityProbe.isNumericCapable(type)
        var instants = (0..<Int.random(in: 0...(Bool.random(using: &random) ? 60 : 200), using: &random)).map { _ in
            now.timeIntervalSince1970 - Double(Int.random(in: -7_200...(3 * 86_400), using: &random))
        }
        if Bool.random(using: &random) { instants.sort() }
        let values = instants.map { Self.forms(of: $0, random: &random, numeric: numeric) }
        try fixture.queue.write { db in
            for (id, value) in values.enumerated() {
                try db.execute(sql: "INSERT INTO \(name) (id, ts) VALUES (?, ?)", arguments: [id + 1, value])
            }
        }
        return (type, indexed)
    }

    @Test func everyTimestampFormGivesThePerRowAnswer() async throws {
        let seed = UInt64(ProcessInfo.processInfo.environment["DQMON_TEST_SEED"] ?? "") ?? 20_261_129
        var random = SeededRandom(seed: seed)
        let directory = TemporaryDirectory()
        let fixture = try WarehouseFixture(at: directory.path("forms.sqlite"))
        var tables: [(String, String, Bool)] = []
        for index in 0..<120 {
            let (type, indexed) = try randomTable(fixture, name: "t\(index)", random: &random)
            tables.append(("t\(index)", type, indexed))
        }
        try await withClosing(SQLiteWarehouse(name: "w", settings: SQLiteSettings(path: fixture.url)), close: { await $0.close() }) { warehouse in
            let names = tables.map { TableName(parsing: $0.0) }
            let catalog = try await warehouse.catalog(for: names)
            let dialect = SQLiteDialect()
            let metrics: [Metric] = [.maxTimestamp(column: "ts"), .windowedCount(column: "ts", window: Interval(seconds: 3_600)),
                                     .windowedCount(column: "ts", window: Interval(seconds: 86_400)), .hasRows]
            for (name, type, indexed) in tables {
                let table = TableName(parsing: name)
                #expect(catalog.indexedColumns[table]?.subtracting(["id"]) == (indexed ? ["ts"] : []), "seed \(seed): \(name) index")
                let query = MetricQuery(table: table, metrics: metrics, dialect: dialect, now: now, timeZone: .gmt,
                                        columns: catalog.timestampColumns(of: table))
                let values = query.values(from: try await warehouse.queryRow(try #require(query.statement)), timeZone: .gmt)
                let perRow = dialect.epochSeconds(of: "ts")
                let reference = try await warehouse.queryRow(SQLStatement(
                    "SELECT max(\(perRow)), count(CASE WHEN \(perRow) >= ? THEN 1 END), count(CASE WHEN \(perRow) >= ? THEN 1 END), count(*) > 0 FROM \(name)",
                    arguments: [.real(now.timeIntervalSince1970 - 3_600), .real(now.timeIntervalSince1970 - 86_400)]))
                let context = "seed \(seed): table \(name) (type '\(type)', indexed \(indexed))"
                let latest = values[.maxTimestamp(column: "ts")], expectedLatest = reference[0].double
                #expect((latest == nil) == (expectedLatest == nil), "\(context): latest \(String(describing: latest)) vs \(String(describing: expectedLatest))")
                if let latest, let expectedLatest { #expect(abs(latest - expectedLatest) < 0.002, "\(context): latest") }
                #expect(values[.windowedCount(column: "ts", window: Interval(seconds: 3_600))] == reference[1].double, "\(context): 1h count")
                #expect(values[.windowedCount(column: "ts", window: Interval(seconds: 86_400))] == reference[2].double, "\(context): 1d count")
                #expect(values[.hasRows] == reference[3].double, "\(context): has rows")
            }
        }
    }

    /// A 20,000-row table with indexes on both timestamp columns: freshness is two index probes and a windowed
    /// count index range searches; nothing scans the table. Without an index, the metrics share one scan.
    @Test func indexedColumnsAreSearchedNotScanned() async throws {
        let directory = TemporaryDirectory()
        let fixture = try WarehouseFixture(at: directory.path("plan.sqlite"))
        try fixture.execute("CREATE TABLE big (id INTEGER PRIMARY KEY, amount REAL, created_at TEXT, updated_at TEXT, loaded_at INTEGER, note TEXT)")
        try fixture.execute("""
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000) \
            INSERT INTO big (amount, created_at, updated_at, loaded_at, note) \
            SELECT i * 1.5, datetime(1764072000 - i * 60, 'unixepoch'), datetime(1764072000 - i * 60 + 30, 'unixepoch'), 1764072000 - i * 60, 'x' FROM n
            """)
        try fixture.execute("CREATE INDEX big_created ON big (created_at)")
        try fixture.execute("CREATE INDEX big_updated ON big (updated_at)")
        try fixture.execute("CREATE INDEX big_loaded ON big (loaded_at)")
        try fixture.execute("ANALYZE")
        try await withClosing(SQLiteWarehouse(name: "w", settings: SQLiteSettings(path: fixture.url)), close: { await $0.close() }) { warehouse in
            let table = TableName(parsing: "big")
            let catalog = try await warehouse.catalog(for: [table])
            func plan(_ metrics: [Metric]) async throws -> [String] {
                let query = MetricQuery(table: table, metrics: metrics, dialect: SQLiteDialect(), now: now, timeZone: .gmt,
                                        columns: catalog.timestampColumns(of: table))
                let statement = try #require(query.statement)
                let rows = try await warehouse.queryRows(SQLStatement("EXPLAIN QUERY PLAN " + statement.sql, arguments: statement.arguments))
                return rows.compactMap { row in row.last.flatMap { if case .text(let detail) = $0 { detail } else { nil } } }
            }
            let freshness = try await plan(FreshnessCheck(column: "updated_at", warnAfter: nil, errorAfter: Interval(seconds: 86_400)).metrics)
            // The greatest text, every text (if it is no timestamp), the 15-hour band, and the 5 narrow ranges of
            // `outOfBandText` (a MULTI-INDEX OR: each an index range, empty in this table).
            #expect(freshness.filter { $0.contains("SEARCH big USING COVERING INDEX big_updated") }.count == 3 + 5, "\(freshness)")
            #expect(freshness.contains { $0.contains("MULTI-INDEX OR") }, "\(freshness)")
            #expect(!freshness.contains { $0.hasPrefix("SCAN big") && !$0.contains("COVERING INDEX") }, "a full scan: \(freshness)")
            let window = try await plan([.windowedCount(column: "created_at", window: Interval(seconds: 3_600))])
            #expect(window.allSatisfy { !$0.hasPrefix("SCAN big") }, "a scan: \(window)")
            #expect(window.filter { $0.contains("SEARCH big USING COVERING INDEX big_created") }.count == 1 + 5,
                    "a TEXT column holds no numbers: one text range and the 5 narrow ones below it \(window)")
            let epochs = try await plan([.maxTimestamp(column: "loaded_at"), .windowedCount(column: "loaded_at", window: Interval(seconds: 86_400))])
            #expect(epochs.allSatisfy { !$0.hasPrefix("SCAN big") }, "a scan: \(epochs)")
            let unindexed = try await plan([.rowCount, .nullRate(column: "amount")])
            #expect(unindexed.filter { $0.hasPrefix("SCAN big") }.count == 1, "one shared scan: \(unindexed)")
            // An unindexed timestamp adds an aggregate to the shared scan, and no read of its own.
            let latest = MetricQuery(table: table, metrics: [.rowCount, .maxTimestamp(column: "note")], dialect: SQLiteDialect(),
                                     now: now, timeZone: .gmt, columns: catalog.timestampColumns(of: table))
            #expect(try #require(latest.statement).sql.contains(#"dqmon_latest_julianday("note")"#))
            #expect(try await plan([.rowCount, .maxTimestamp(column: "note")]).filter { $0.hasPrefix("SCAN big") }.count == 1)
        }
    }

    /// A table with a rowid, a WITHOUT ROWID table and a view, whole or filtered (`where:`), read the latest text in
    /// the one scan by the same aggregate, with no read of their own.
    @Test func everyKindOfTableReadsTheLatestInItsOneScan() async throws {
        let directory = TemporaryDirectory()
        let fixture = try WarehouseFixture(at: directory.path("kinds.sqlite"))
        try fixture.execute("CREATE TABLE plain (id INTEGER PRIMARY KEY, ts TEXT)")
        try fixture.execute("CREATE TABLE keyed (id INTEGER PRIMARY KEY, ts TEXT) without   rowid")
        try fixture.execute("CREATE VIEW recent AS SELECT * FROM plain")
        try fixture.execute("INSERT INTO plain (ts) VALUES ('2026-11-25 10:00:00'), ('2026-11-20 10:00:00')")
        try fixture.execute("INSERT INTO keyed (id, ts) VALUES (1, '2026-11-25 10:00:00'), (2, '2026-11-20 10:00:00')")
        try await withClosing(SQLiteWarehouse(name: "w", settings: SQLiteSettings(path: fixture.url)), close: { await $0.close() }) { warehouse in
            let names = ["plain", "keyed", "recent"].map { TableName(parsing: $0) }
            let catalog = try await warehouse.catalog(for: names)
            #expect(catalog.rowIDTables == [TableName(parsing: "plain")])
            for table in names {
                for filter in [nil, "id > 0"] {
                    let query = MetricQuery(table: table, metrics: [.maxTimestamp(column: "ts")], dialect: SQLiteDialect(), now: now,
                                            timeZone: .gmt, columns: catalog.timestampColumns(of: table), filter: filter)
                    let statement = try #require(query.statement)
                    #expect(statement.sql.contains(#"dqmon_latest_julianday("ts")"#) && !statement.sql.contains("rowid"), "\(table) \(String(describing: filter))")
                    let latest = query.values(from: try await warehouse.queryRow(statement), timeZone: .gmt)[.maxTimestamp(column: "ts")]
                    #expect(latest == 1_795_600_800, "\(table) \(String(describing: filter))")
                }
            }
        }
    }

    /// `--dry-run` shows the statement a run sends: per-metric subqueries, the raw column under `max()`.
    @Test func dryRunShowsProbesAndNoCountForFreshnessAlone() throws {
        let project = ProjectFixture()
        project.checks("big.yml", """
            version: 1
            datasets:
              - name: big
                checks:
                  - freshness: { column: "it's", error_after: 1d }
            """)
        let output = try CommandLineRunner.run(["check", "--all", "--dry-run", "--now", "2026-11-25T12:00:00Z"], in: project.root)
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout.contains(#"SELECT "it's" FROM "big" WHERE "it's" <= 100000000000 ORDER BY "it's" DESC LIMIT 1"#), "\(output.stdout)")
        #expect(output.stdout.contains(#"EXISTS (SELECT 1 FROM "big")"#))
        #expect(!output.stdout.contains("count(*) FROM \"big\"") && !output.stdout.contains("?"), "\(output.stdout)")
    }
}

/// Which declared types can hold numbers (SQLite stores numbers given to a TEXT-affinity column as text).
enum SQLiteAffinityProbe {
    static func isNumericCapable(_ type: String) -> Bool {
        let upper = type.uppercased()
        return upper.contains("INT") || !(upper.contains("CHAR") || upper.contains("CLOB") || upper.contains("TEXT"))
    }
}

/// A dialect whose catalog keeps an exact row count (as Snowflake's does) answers `row_count` from it: the
/// statement then reads no row of the table for it. SQLite and PostgreSQL have no such answer.
@Suite struct CatalogAnswerTests {
    struct ExactCountDialect: SQLDialect {
        var base = SQLiteDialect()
        var typeNormalizer: any TypeNormalizer { base.typeNormalizer }
        func epochSeconds(of quotedColumn: String) -> String { base.epochSeconds(of: quotedColumn) }
        func catalogQuery(for tables: [TableName]) -> SQLStatement { base.catalogQuery(for: tables) }
        func catalogAnswer(for metric: Metric, table: TableName) -> SQLStatement? {
            metric == .rowCount ? SQLStatement("SELECT row_count FROM catalog_tables WHERE name = ?", arguments: [.text(table.table)]) : nil
        }
    }

    @Test func anExactCatalogAnswerReplacesTheCount() throws {
        let now = ProjectFixture.now
        let query = MetricQuery(table: TableName(parsing: "orders"), metrics: [.rowCount, .hasRows], dialect: ExactCountDialect(),
                                now: now, timeZone: .gmt)
        let statement = try #require(query.statement)
        #expect(statement.sql == "SELECT (SELECT row_count FROM catalog_tables WHERE name = ?)")
        #expect(statement.arguments == [.text("orders")])
        // A dataset's where: is not the table the catalog describes: the count is then read from the rows.
        let filtered = MetricQuery(table: TableName(parsing: "orders"), metrics: [.rowCount], dialect: ExactCountDialect(),
                                   now: now, timeZone: .gmt, filter: "status = 'paid'")
        #expect(try #require(filtered.statement).sql.contains("count(*)") && !(filtered.statement?.sql.contains("catalog_tables") ?? true))
        // No built-in dialect has an exact catalog: none answers any metric from it (estimates such as
        // pg_class.reltuples or InnoDB's table_rows are never used).
        let metrics: [Metric] = [.rowCount, .hasRows, .maxTimestamp(column: "ts"), .windowedCount(column: "ts", window: Interval(seconds: 3_600)),
                                 .nullRate(column: "ts"), .distinctCount(column: "ts"), .mean(column: "ts")]
        let dialects: [any SQLDialect] = [SQLiteDialect(), PostgresDialect(), MySQLDialect(defaultSchema: "shop")]
        for dialect in dialects {
            for metric in metrics {
                #expect(dialect.catalogAnswer(for: metric, table: TableName(parsing: "orders")) == nil, "\(type(of: dialect)) \(metric)")
            }
        }
    }
}
