import DQMon
import DQMonTestSupport
import Foundation
import GRDB
import Testing

/// `timestamp_format:` on SQLite: when the declaration holds, the raw statement (`max(col)`, `col >= bound`) gives
/// the exact per-row answer for every declared form (seeded property test against the truth computed in integer
/// milliseconds, and against the exact statement); when the rows contradict it, the run measures the column exactly
/// and prints one warning naming the dataset and column; a bad value is a config error at its file:line:column.
@Suite struct SQLiteTimestampFormatTests {
    /// Half a millisecond past the fixture's noon: no row (written to the millisecond) sits on a window's bound, where
    /// the exact form's `julianday()` float arithmetic (±40 µs) would decide; `onTheBoundRowsCount` covers that case.
    let now = ProjectFixture.now.addingTimeInterval(0.0005)
    static let windows = [3_600.0, 86_400.0, 90.0]

    /// `YYYY-MM-DD HH:MM:SS` of an epoch millisecond, with its fraction written 0–3 digits long when it allows.
    static func utcText(milliseconds: Int64, random: inout SeededRandom) -> String {
        let seconds = milliseconds >= 0 ? milliseconds / 1000 : (milliseconds - 999) / 1000
        var time = time_t(Int(seconds))
        var parts = tm()
        gmtime_r(&time, &parts)
        let pad = { (value: Int32, width: Int) in String(repeating: "0", count: max(0, width - String(value).count)) + String(value) }
        var text = "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2)) "
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2))"
        let fraction = Int32(milliseconds - seconds * 1000)
        if fraction != 0 || Bool.random(using: &random) {
            var digits = pad(fraction, 3)
            if Bool.random(using: &random) { while digits.count > 1, digits.hasSuffix("0") { digits.removeLast() } }
            if fraction != 0 || Bool.random(using: &random) { text += "." + digits }
        }
        return text
    }

    /// One table whose `ts` holds only `format` (and NULLs), 0–150 rows around `now`, maybe indexed, maybe WITHOUT
    /// ROWID, in random or time order; returns the instants in milliseconds (the truth).
    func randomTable(_ fixture: WarehouseFixture, name: String, format: TimestampFormat, random: inout SeededRandom) throws -> (instants: [Int64], indexed: Bool) {
        let type = format == .utcText ? ["TEXT", "", "DATETIME"][Int.random(in: 0..<3, using: &random)]
                                      : ["INTEGER", "", "REAL", "NUMERIC"][Int.random(in: 0..<4, using: &random)]
        let indexed = Bool.random(using: &random)
        let withoutRowID = Int.random(in: 0..<5, using: &random) == 0
        try fixture.execute("CREATE TABLE \(name) (id INTEGER PRIMARY KEY, ts \(type))\(withoutRowID ? " WITHOUT ROWID" : "")")
        if indexed { try fixture.execute("CREATE INDEX \(name)_ts ON \(name) (ts)") }
        let nowMilliseconds = Int64((ProjectFixture.now.timeIntervalSince1970 * 1000).rounded())
        var instants = (0..<Int.random(in: 0...150, using: &random)).map { _ in
            // Whole seconds, or any millisecond; some exactly 1h, 1d or 90 s before noon (a bound, to the ms).
            switch Int.random(in: 0..<4, using: &random) {
            case 0: return nowMilliseconds - Int64(Self.windows[Int.random(in: 0..<3, using: &random)] * 1000)
            case 1: return nowMilliseconds - Int64.random(in: -3_600...(2 * 86_400), using: &random) * 1000
            default: return nowMilliseconds - Int64.random(in: -3_600_000...(2 * 86_400_000), using: &random)
            }
        }
        if Bool.random(using: &random) { instants.sort() }
        var truth: [Int64] = []
        try fixture.queue.write { db in
            for (id, instant) in instants.enumerated() {
                let value: (any DatabaseValueConvertible)?
                if Int.random(in: 0..<10, using: &random) == 0 {
                    value = nil
                } else {
                    truth.append(instant)
                    switch format {
                    case .utcText: value = Self.utcText(milliseconds: instant, random: &random)
                    case .epochSeconds: value = instant % 1000 == 0 && Bool.random(using: &random) ? instant / 1000 as Int64 : Double(instant) / 1000
                    case .epochMillis: value = instant
                    }
                }
                try db.execute(sql: "INSERT INTO \(name) (id, ts) VALUES (?, ?)", arguments: [id + 1, value])
            }
        }
        return (truth, indexed)
    }

    @Test(arguments: TimestampFormat.allCases)
    func aTrueDeclarationGivesTheExactAnswer(format: TimestampFormat) async throws {
        let seed = UInt64(ProcessInfo.processInfo.environment["DQMON_TEST_SEED"] ?? "") ?? 20_261_129
        var random = SeededRandom(seed: seed &+ UInt64(TimestampFormat.allCases.firstIndex(of: format) ?? 0))
        let directory = TemporaryDirectory()
        let fixture = try WarehouseFixture(at: directory.path("declared.sqlite"))
        var tables: [(name: String, instants: [Int64], indexed: Bool)] = []
        for index in 0..<40 {
            let (instants, indexed) = try randomTable(fixture, name: "t\(index)", format: format, random: &random)
            tables.append(("t\(index)", instants, indexed))
        }
        let metrics: [Metric] = [.maxTimestamp(column: "ts"), .hasRows] + Self.windows.map { .windowedCount(column: "ts", window: Interval(seconds: $0)) }
        let formats = TimestampFormats(byColumn: ["ts": format])
        try await withClosing(SQLiteWarehouse(name: "w", settings: SQLiteSettings(path: fixture.url)), close: { await $0.close() }) { warehouse in
            let catalog = try await warehouse.catalog(for: tables.map { TableName(parsing: $0.name) })
            for table in tables {
                for filter in [nil, "id > 0"] {
                    let context = "seed \(seed) (DQMON_TEST_SEED): \(format.rawValue) table \(table.name), indexed \(table.indexed), where \(filter ?? "-")"
                    let name = TableName(parsing: table.name)
                    func measure(_ formats: TimestampFormats) async throws -> (MetricQuery, [SQLValue]) {
                        let query = MetricQuery(table: name, metrics: metrics, dialect: SQLiteDialect(), now: now, timeZone: .gmt,
                                                columns: catalog.timestampColumns(of: name), filter: filter, formats: formats)
                        return (query, try await warehouse.queryRow(try #require(query.statement)))
                    }
                    let (declared, row) = try await measure(formats)
                    #expect(declared.declaredColumns.map(\.name) == ["ts"], "\(context)")
                    #expect(declared.declarationViolations(in: row).isEmpty, "\(context): \(declared.declarationViolations(in: row))")
                    let raw = declared.values(from: row, timeZone: .gmt)
                    let (exactQuery, exactRow) = try await measure(TimestampFormats())
                    let exact = exactQuery.values(from: exactRow, timeZone: .gmt)
                    let truthLatest = table.instants.max().map { Double($0) / 1000 }
                    #expect(raw[.maxTimestamp(column: "ts")] == truthLatest, "\(context): latest \(String(describing: raw[.maxTimestamp(column: "ts")]))")
                    #expect(raw[.maxTimestamp(column: "ts")] == exact[.maxTimestamp(column: "ts")], "\(context): latest vs exact")
                    for window in Self.windows {
                        let metric = Metric.windowedCount(column: "ts", window: Interval(seconds: window))
                        let cutoff = Int64(((now.timeIntervalSince1970 - window) * 1000).rounded(.up))
                        let truth = Double(table.instants.filter { $0 >= cutoff }.count)
                        #expect(raw[metric] == truth, "\(context): \(window) s window \(String(describing: raw[metric])) vs \(truth)")
                        #expect(raw[metric] == exact[metric], "\(context): \(window) s window vs exact")
                    }
                    #expect(raw[.hasRows] == exact[.hasRows], "\(context): has rows")
                }
            }
        }
    }

    /// A row exactly on a whole-second bound is in the window (`>=`), declared or not (the exact form compared
    /// `(julianday(col) - 2440587.5) * 86400.0 >= cutoff`, whose float error left such a row out).
    @Test func onTheBoundRowsCount() async throws {
        let directory = TemporaryDirectory()
        let fixture = try WarehouseFixture(at: directory.path("bound.sqlite"))
        try fixture.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, text_ts TEXT, seconds INTEGER, millis INTEGER)")
        try fixture.execute("""
            INSERT INTO t (text_ts, seconds, millis) VALUES ('2026-11-25 11:00:00', 1795604400, 1795604400000),
              ('2026-11-25 10:59:59.999', 1795604399, 1795604399999), ('2026-11-25 11:00:00.000', 1795604400, 1795604400000)
            """)
        try await withClosing(SQLiteWarehouse(name: "w", settings: SQLiteSettings(path: fixture.url)), close: { await $0.close() }) { warehouse in
            let table = TableName(parsing: "t")
            let catalog = try await warehouse.catalog(for: [table])
            for (column, format) in [("text_ts", TimestampFormat.utcText), ("seconds", .epochSeconds), ("millis", .epochMillis)] {
                for formats in [TimestampFormats(all: format), TimestampFormats()] {
                    let metric = Metric.windowedCount(column: column, window: Interval(seconds: 3_600))
                    let query = MetricQuery(table: table, metrics: [metric], dialect: SQLiteDialect(), now: ProjectFixture.now, timeZone: .gmt,
                                            columns: catalog.timestampColumns(of: table), formats: formats)
                    let values = query.values(from: try await warehouse.queryRow(try #require(query.statement)), timeZone: .gmt)
                    #expect(values[metric] == 2, "\(column), declared: \(!formats.isEmpty)")
                }
            }
        }
    }

    /// On an indexed column the declared statement is index searches only: `max(col)` and `col >= bound`.
    @Test func declaredIndexedColumnsAreSearched() async throws {
        let directory = TemporaryDirectory()
        let fixture = try WarehouseFixture(at: directory.path("plan.sqlite"))
        try fixture.execute("CREATE TABLE big (id INTEGER PRIMARY KEY, created_at TEXT)")
        try fixture.execute("""
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000) \
            INSERT INTO big (created_at) SELECT datetime(1764072000 - i * 60, 'unixepoch') FROM n
            """)
        try fixture.execute("CREATE INDEX big_created ON big (created_at)")
        try await withClosing(SQLiteWarehouse(name: "w", settings: SQLiteSettings(path: fixture.url)), close: { await $0.close() }) { warehouse in
            let table = TableName(parsing: "big")
            let catalog = try await warehouse.catalog(for: [table])
            let query = MetricQuery(table: table, metrics: [.maxTimestamp(column: "created_at"), .windowedCount(column: "created_at", window: Interval(seconds: 3_600))],
                                    dialect: SQLiteDialect(), now: ProjectFixture.now, timeZone: .gmt,
                                    columns: catalog.timestampColumns(of: table), formats: TimestampFormats(all: .utcText))
            let statement = try #require(query.statement)
            #expect(statement.sql.contains(#"(SELECT max("created_at") FROM "big")"#) && !statement.sql.contains(#"julianday("created_at")"#), "\(statement.sql)")
            let plan = try await warehouse.queryRows(SQLStatement("EXPLAIN QUERY PLAN " + statement.sql, arguments: statement.arguments))
                .compactMap { row in row.last.flatMap { if case .text(let detail) = $0 { detail } else { nil } } }
            #expect(plan.filter { $0.contains("SEARCH big USING COVERING INDEX big_created") }.count == 2, "\(plan)")
            // The one SCAN is the read of the 64 newest rows, from the end of the rowid b-tree (LIMIT 64).
            #expect(plan.filter { $0.hasPrefix("SCAN big") && !$0.contains("INDEX") }.count == 1, "a full scan: \(plan)")
        }
    }

    /// Rows the declaration does not describe, among the newest rows or as the latest value, make `dqmon check`
    /// answer as without the declaration, with one warning line naming the dataset and the column.
    @Test(arguments: [
        ("utc_text", "'2026-11-25 13:30:00+03:00'"),   // a zone among the newest rows
        ("utc_text", "'2026-11-25T11:45:00'"),         // a T among the newest rows
        ("utc_text", "'2026-02-30 11:00:00'"),         // no such day
        ("utc_text", "'2026-11-20T10:00:00'"),         // not the latest: only the newest-rows check sees it
        ("epoch_seconds", "1795605000000"),            // milliseconds in a seconds column
        ("epoch_millis", "'2026-11-25 11:00:00'"),     // text in a milliseconds column
        // Separators inside one value, not the latest: the value is not utc_text however it splits.
        ("utc_text", "'2026-11-20 10:00:00' || char(31) || 'text:2026-11-20 10:00:00'"),
        ("utc_text", "'2026-11-20 10:00:00'',''2026-11-20 10:00:00'"),
        ("epoch_seconds", "'1795600800'"),             // a number as text
    ])
    func aFalseDeclarationFallsBackWithAWarning(format: String, newest: String) throws {
        let project = ProjectFixture()
        let warehouse = try project.warehouse()
        try warehouse.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, ts)")
        let rows = format == "utc_text" ? "'2026-11-25 10:00:00'" : format == "epoch_seconds" ? "1795600800" : "1795600800000"
        try warehouse.execute("INSERT INTO events (ts) VALUES (\(rows)), (\(rows)), (\(newest))")
        let (exact, declared) = try Self.exactAndDeclared(in: project, freshness: "ts", window: "ts",
                                                          declaration: "{ ts: \(format) }")
        let warnings = declared.stderr.split(separator: "\n").filter { $0.contains("timestamp_format") }
        #expect(warnings.count == 1, "\(declared.stderr)")
        #expect(warnings.first?.contains("dataset 'events'") == true && warnings.first?.contains("column 'ts'") == true, "\(declared.stderr)")
        #expect(!exact.stderr.contains("timestamp_format"))
    }

    /// The checks file of the dataset `events` (a freshness check of `freshness`, an hourly window on `window`), without
    /// and then with `timestamp_format: <declaration>`; `dqmon check --all --format json` of each. The two runs must
    /// give the same status and the same observed values: a declaration changes how a column is read, never the answer.
    static func exactAndDeclared(in project: ProjectFixture, freshness: String, window: String,
                                 declaration: String) throws -> (exact: CommandLineRunner.Output, declared: CommandLineRunner.Output) {
        let checks = { (declared: String) in """
            version: 1
            datasets:
              - name: events
            \(declared)    checks:
                  - freshness: { column: \(freshness), warn_after: 1h, error_after: 2d }
                  - volume: { name: hourly, window: 2h, column: \(window), min_rows: 1 }
            """ }
        let arguments = ["check", "--all", "--now", "2026-11-25T12:00:00Z", "--format", "json"]
        project.checks("events.yml", checks(""))
        let exact = try dqmon(arguments, in: project)
        project.checks("events.yml", checks("    timestamp_format: \(declaration)\n"))
        let declared = try dqmon(arguments, in: project)
        #expect(declared.status == exact.status, "\(declared.stderr)")
        for id in ["events/freshness", "events/volume/hourly"] {
            #expect(declared.checkResults?[id]?["observed"] as? Double == exact.checkResults?[id]?["observed"] as? Double, "\(id): \(declared.stdout)")
        }
        return (exact, declared)
    }

    /// `dqmon check --dry-run` shows the one read of the newest rows for all of a dataset's declared columns (what the
    /// README promises): one `quote()` item per declared column, in one subquery, and no other form of the check.
    @Test func dryRunShowsOneNewestRowsReadForAllDeclaredColumns() throws {
        let project = ProjectFixture()
        let warehouse = try project.warehouse()
        try warehouse.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, updated_at TEXT, created_at TEXT)")
        project.checks("events.yml", """
            version: 1
            datasets:
              - name: events
                timestamp_format: utc_text
                checks:
                  - freshness: { column: updated_at, warn_after: 1h }
                  - volume: { name: hourly, window: 2h, column: created_at, min_rows: 1 }
            """)
        let output = try dqmon(["check", "--all", "--dry-run", "--now", "2026-11-25T12:00:00Z"], in: project)
        #expect(output.status == 0, "\(output.stderr)")
        let sample = #"(SELECT group_concat(x) FROM (SELECT quote("updated_at") || ',' || quote("created_at") AS x FROM "events" ORDER BY rowid DESC LIMIT 16))"#
        #expect(output.stdout.components(separatedBy: sample).count == 2, "\(output.stdout)")
        #expect(output.stdout.components(separatedBy: "LIMIT 16").count == 2, "\(output.stdout)")
        #expect(!output.stdout.contains("typeof("), "\(output.stdout)")
    }

    /// Two declared columns share one read of the newest rows: a NULL in one column neither hides the other's value
    /// nor counts, and each column's warning counts its own newest rows not in form.
    @Test func eachDeclaredColumnCountsItsOwnNewestRows() throws {
        let project = ProjectFixture()
        let warehouse = try project.warehouse()
        try warehouse.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, updated_at, created_at)")
        try warehouse.execute("""
            INSERT INTO events (updated_at, created_at) VALUES ('2026-11-25 10:00:00', '2026-11-25 10:00:00'),
              ('2026-11-25 10:30:00', '2026-11-25 10:30:00'), (NULL, '2026-11-25T11:00:00'), ('2026-11-25T11:30:00', NULL),
              (NULL, NULL), ('2026-11-25 11:40:00', '2026-11-25 11:41:00+00:00'), ('2026-11-25 11:45:00', NULL)
            """)
        let (exact, declared) = try Self.exactAndDeclared(in: project, freshness: "updated_at", window: "created_at",
                                                          declaration: "utc_text")
        let warnings = declared.stderr.split(separator: "\n").filter { $0.contains("timestamp_format") }
        #expect(warnings.count == 2, "\(declared.stderr)")
        #expect(warnings.contains { $0.contains("column 'updated_at' (1 of its newest rows are not utc_text)") }, "\(declared.stderr)")
        #expect(warnings.contains { $0.contains("column 'created_at' (2 of its newest rows are not utc_text)") }, "\(declared.stderr)")
    }

    /// An old row of another form that sorts as the greatest text (`'n/a'`) is caught as the latest value read.
    @Test func aLatestValueOfAnotherFormIsCaught() throws {
        let project = ProjectFixture()
        let warehouse = try project.warehouse()
        try warehouse.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, ts TEXT)")
        try warehouse.execute("INSERT INTO events (ts) VALUES ('n/a')")
        try warehouse.execute("""
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100) \
            INSERT INTO events (ts) SELECT datetime(1795600800 + i * 60, 'unixepoch') FROM n
            """)
        project.checks("events.yml", """
            version: 1
            datasets:
              - name: events
                timestamp_format: utc_text
                checks:
                  - freshness: { column: ts, warn_after: 1h }
            """)
        let output = try dqmon(["check", "--all", "--now", "2026-11-25T12:00:00Z", "--format", "json"], in: project)
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.checkResults?["events/freshness"]?["status"] as? String == "pass", "\(output.stdout)")
        #expect(output.stderr.contains("its latest value 'n/a' is not utc_text"), "\(output.stderr)")
    }

    /// Bad values are one line at their file:line:column, and `dqmon validate` exits 3.
    @Test func badDeclarationsAreConfigErrors() throws {
        let dataset = { (declaration: String) in """
            version: 1
            datasets:
              - name: events
            \(declaration)
                checks:
                  - freshness: { column: ts, warn_after: 1h }
            """ }
        #expect(ProjectFixture.configErrors(checks: dataset("    timestamp_format: { ts: utc_text, loaded: epoch_millis }")).isEmpty)
        #expect(ProjectFixture.configErrors(checks: dataset("    timestamp_format: epoch_seconds\n    timezone: Europe/Berlin")).isEmpty)
        let cases: [(String, String)] = [
            ("    timestamp_format: utc_txt", "checks/orders.yml:4:23: unknown timestamp_format 'utc_txt' (did you mean 'utc_text'?)"),
            ("    timestamp_format: { ts: iso }", "checks/orders.yml:4:29: unknown timestamp_format 'iso'"),
            ("    timestamp_format: [utc_text]", "checks/orders.yml:4:23: timestamp_format must be a single value, not a list"),
            ("    timezone: Europe/Berlin\n    timestamp_format: utc_text", "checks/orders.yml:5:23: timestamp_format utc_text declares UTC text, but the dataset's timezone is Europe/Berlin"),
        ]
        for (declaration, expected) in cases {
            let errors = ProjectFixture.configErrors(checks: dataset(declaration))
            #expect(errors.count == 1 && errors.first?.hasPrefix(expected) == true, "\(declaration): \(errors)")
        }
        let project = ProjectFixture()
        project.checks("events.yml", dataset("    timestamp_format: epoch_micros"))
        let output = try dqmon(["validate"], in: project)
        #expect(output.status == 3, "\(output.stdout)\(output.stderr)")
        #expect(output.stderr.contains("checks/events.yml:4:23: unknown timestamp_format 'epoch_micros'"), "\(output.stderr)")
    }

    /// The Swift reading of a raw `max` agrees with SQLite's `julianday` on every valid text, and refuses the rest.
    @Test func utcTextReadsAsJulianDayDoes() throws {
        var random = SeededRandom(seed: 7)
        let directory = TemporaryDirectory()
        let fixture = try WarehouseFixture(at: directory.path("jd.sqlite"))
        try fixture.execute("CREATE TABLE t (ts TEXT)")
        let invalid = ["2026-02-29 00:00:00", "2026-11-25 24:00:00", "2026-11-25 12:00:60", "2026-11-25 12:00:00.", "2026-11-25 12:00:00.5Z",
                       "2026-11-25T12:00:00", "2026-13-01 00:00:00", "2026-04-31 00:00:00", "2026-11-25 12:00", " 2026-11-25 12:00:00",
                       "2026-11-25 12:00:00+01:00", "2026-11-25 12:00Z  ", "-026-11-25 12:00:00"]
        var generated = ["2024-02-29 23:59:59.9994", "0001-01-01 00:00:00", "9999-12-31 23:59:59.999", "2026-11-25 12:00:00.12345678901234567890"] + invalid
        for _ in 0..<300 {
            let milliseconds = Int64.random(in: -62_135_596_800_000...253_402_300_799_999, using: &random)
            generated.append(Self.utcText(milliseconds: milliseconds, random: &random))
        }
        let texts = generated
        try fixture.queue.write { db in for text in texts { try db.execute(sql: "INSERT INTO t VALUES (?)", arguments: [text]) } }
        let rows = try fixture.queue.read { db in
            try Row.fetchAll(db, sql: "SELECT ts, (julianday(ts) - 2440587.5) * 86400.0 FROM t")
        }
        for row in rows {
            let text: String = row[0]
            let julian: Double? = row[1]
            let swift = (try? TimestampFormat.utcText.epochSeconds(ofStored: .text(text)).get()) ?? nil
            #expect((swift == nil) == invalid.contains(text), "\(text): Swift reads \(String(describing: swift))")
            if let swift { #expect(julian.map { abs(swift - $0) < 0.0006 } == true, "\(text): \(swift) vs julianday \(String(describing: julian))") }
        }
    }
}
