@testable import DQMon
import DQMonTestSupport
import Foundation
import GRDB
import Testing

/// SQLite reads some text as a later instant than its written date and hour, by more than the 15-hour zone margin
/// the metric statements read around the latest text or a window's bound: the hour 24 (`'2026-11-24 24:30:00'` is
/// 00:30 the next day), a day past its month's end (`'2026-02-30'` is March 2), separators that sort apart (two
/// spaces, a tab, `T `, ` T`). Blobs are read by `julianday` as text. These tests compare the statements dqmon
/// sends (index probes, the shared scan, views and `WITHOUT ROWID`) with the per-row reading — `julianday()` of
/// every row, numbers as epoch seconds or milliseconds — over seeded random tables of every form, clustered
/// around month ends and the windows' bounds, and through `dqmon check`.
@Suite struct SQLiteOutOfBandTextTests {
    /// The moments rows and bounds cluster around: inside a month, after a 28-day February, after a leap February,
    /// after 30- and 31-day months, at a year's end.
    static let anchors: [Double] = [
        1_795_608_000,  // 2026-11-25 12:00:00
        1_772_357_400,  // 2026-03-01 09:30:00
        1_772_547_000,  // 2026-03-03 14:10:00
        1_835_586_000,  // 2028-03-02 05:00:00
        1_777_594_800,  // 2026-05-01 00:20:00
        1_798_811_100,  // 2027-01-01 13:45:00
        1_796_349_600,  // 2026-12-04 02:00:00
        1_775_001_600,  // 2026-04-01 00:00:00
    ]

    /// `YYYY-MM-DD`, `HH:MM:SS` and the day count of the month of an epoch second (UTC), by glibc's `gmtime`.
    static func parts(_ seconds: Double) -> (year: Int, month: Int, day: Int, date: String, time: String, monthDays: Int) {
        var time = time_t(Int64(seconds.rounded(.down)))
        var value = tm()
        gmtime_r(&time, &value)
        let (year, month, day) = (Int(value.tm_year) + 1900, Int(value.tm_mon) + 1, Int(value.tm_mday))
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let monthDays = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        return (year, month, day, date(year, month, day), "\(two(Int(value.tm_hour))):\(two(Int(value.tm_min))):\(two(Int(value.tm_sec)))", monthDays)
    }

    static func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
    static func date(_ year: Int, _ month: Int, _ day: Int) -> String { "\(year)-\(two(month))-\(two(day))" }

    /// A zone suffix SQLite reads: none, `Z`, `z`, or an offset up to ±14:59 (with an optional space before it).
    static func zone(_ random: inout SeededRandom) -> String {
        switch Int.random(in: 0..<5, using: &random) {
        case 0: return ""
        case 1: return "Z"
        case 2: return " z"
        default:
            let minutes = Int.random(in: -899...899, using: &random)
            return (minutes < 0 ? "-" : "+") + two(abs(minutes) / 60) + ":" + two(abs(minutes) % 60)
        }
    }

    /// One value a loader (or a careless one) may write near `instant`: every ISO form, forms SQLite reads far from
    /// their written hour, invalid dates that look canonical, garbage text, NULL, blobs, and epoch numbers.
    static func value(near instant: Double, random: inout SeededRandom, numeric: Bool) -> (any DatabaseValueConvertible)? {
        let now = parts(instant), before = parts(instant - 86_400), monthAgo = parts(instant - Double(now.day) * 86_400)
        let canonical = now.date + " " + now.time
        switch Int.random(in: 0..<(numeric ? 21 : 18), using: &random) {
        case 0, 1: return canonical
        case 2: return now.date + "T" + now.time
        case 3: return canonical + "." + String(Int.random(in: 0...999_999, using: &random))
        case 4:
            // Written in a zone: the local hour is the instant's plus the offset.
            let minutes = Int.random(in: -899...899, using: &random)
            let local = parts(instant + Double(minutes * 60))
            return local.date + (Bool.random(using: &random) ? " " : "T") + local.time
                + (minutes < 0 ? "-" : "+") + two(abs(minutes) / 60) + ":" + two(abs(minutes) % 60)
        case 5: return [now.date, now.date + " ", now.date + "T" + now.time.prefix(5)][Int.random(in: 0..<3, using: &random)]
        case 6:
            // The hour 24 of the day before: 00:MM:SS of this day, possibly in a zone.
            return before.date + ["T", " "][Int.random(in: 0..<2, using: &random)] + "24" + now.time.dropFirst(2) + zone(&random)
        case 7:
            // A day past the end of this or the previous month: SQLite moves it into the next month.
            let month = Bool.random(using: &random) ? now : monthAgo
            let day = month.monthDays < 31 ? Int.random(in: (month.monthDays + 1)...31, using: &random) : 32
            return date(month.year, month.month, day) + " " + now.time + zone(&random)
        case 8:
            // Separators SQLite skips, which sort below or apart from the usual ' HH'.
            let separator = ["  ", "\t", "T ", " T", "TT", "\n", " \t"][Int.random(in: 0..<7, using: &random)]
            return (Bool.random(using: &random) ? now : before).date + separator + now.time + zone(&random)
        case 9:
            // Canonical-looking but not a date or time SQLite reads (NULL), or one it normalises.
            return ["2026-13-45 99:99:99", now.date + " 25:00:00", date(now.year, now.month, 0) + " 10:00:00",
                    "\(now.year)-00-10 10:00:00", now.date + " 10:60:00", now.date + " 23:59:60",
                    date(now.year, now.month, 32) + " 01:00:00", before.date + " 24:00:00"][Int.random(in: 0..<8, using: &random)]
        case 10: return [nil, "n/a", "", "unknown", "tomorrow", "zzz", "NULL"][Int.random(in: 0..<7, using: &random)] as String?
        case 11: return nil as String?
        case 12:
            // A blob: julianday() reads its bytes as text.
            return Bool.random(using: &random) ? Data((canonical + zone(&random)).utf8) : Data([0, 255, UInt8.random(in: 0...255, using: &random)])
        case 13: return canonical + "   "
        case 14: return now.date + "T" + now.time + zone(&random)
        case 15: return now.date + " " + now.time.prefix(5) + zone(&random)
        case 16: return canonical + zone(&random)
        case 17: return before.date + " " + now.time
        case 18: return Int64(instant)
        case 19: return instant + 0.25
        default: return Int64(instant * 1000)
        }
    }

    static let declaredTypes = ["", "TEXT", "INTEGER", "REAL", "DATETIME", "NUMERIC", "VARCHAR(30)"]
    static let zones = [TimeZone.gmt] + ["America/New_York", "Asia/Kathmandu", "Australia/Adelaide"].compactMap { TimeZone(identifier: $0) }

    /// The per-row answers: the latest instant (epoch seconds) and the rows at or after each cutoff, with text
    /// compared as Julian days to the cutoff rounded up to the millisecond, as the exact statements compare.
    func perRow(_ warehouse: SQLiteWarehouse, table: String, cutoffs: [Double]) async throws -> (latest: Double?, counts: [Double?]) {
        let epoch = SQLiteDialect().epochSeconds(of: "ts")
        var sql = "SELECT max(\(epoch))"
        var arguments: [SQLValue] = []
        for cutoff in cutoffs {
            sql += ", count(CASE WHEN (CASE WHEN typeof(ts) IN ('integer', 'real') THEN (CASE WHEN ts > 100000000000 THEN ts >= ? ELSE ts >= ? END) "
                + "ELSE julianday(ts) >= julianday(?, 'unixepoch') END) THEN 1 END)"
            let milliseconds = ((cutoff * 1_000_000).rounded() / 1000).rounded(.up)
            arguments += [.real(cutoff * 1000), .real(cutoff), .real(milliseconds / 1000)]
        }
        let row = try await warehouse.queryRow(SQLStatement(sql + " FROM \(table)", arguments: arguments))
        return (row[0].double, row.dropFirst().map(\.double))
    }

    @Test func theStatementsGiveThePerRowAnswerForEveryForm() async throws {
        let seed = UInt64(ProcessInfo.processInfo.environment["DQMON_TEST_SEED"] ?? "") ?? 20_261_130
        var random = SeededRandom(seed: seed)
        let directory = TemporaryDirectory()
        let fixture = try WarehouseFixture(at: directory.path("forms.sqlite"))
        var tables: [(name: String, type: String, anchor: Double)] = []
        for index in 0..<72 {
            let name = "t\(index)", anchor = Self.anchors[index % Self.anchors.count]
            let type = Self.declaredTypes[Int.random(in: 0..<Self.declaredTypes.count, using: &random)]
            let withoutRowID = Int.random(in: 0..<4, using: &random) == 0
            try fixture.execute("CREATE TABLE \(name) (id INTEGER PRIMARY KEY, ts \(type))\(withoutRowID ? " WITHOUT ROWID" : "")")
            if Int.random(in: 0..<3, using: &random) > 0 { try fixture.execute("CREATE INDEX \(name)_ts ON \(name) (ts)") }
            if Int.random(in: 0..<4, using: &random) == 0 { try fixture.execute("CREATE VIEW \(name)_view AS SELECT * FROM \(name)") }
            var instants = (0..<Int.random(in: 0...90, using: &random)).map { _ in
                anchor - Double(Int.random(in: -7_200...(4 * 86_400), using: &random))
            }
            if Bool.random(using: &random) { instants.sort() }
            let values: [DatabaseValue] = instants.map {
                Self.value(near: $0, random: &random, numeric: SQLiteAffinityProbe.isNumericCapable(type))?.databaseValue ?? .null
            }
            try await fixture.queue.write { db in
                for (id, value) in values.enumerated() {
                    try db.execute(sql: "INSERT INTO \(name) (id, ts) VALUES (?, ?)", arguments: [id + 1, value])
                }
            }
            tables.append((name, type, anchor))
        }
        try await withClosing(SQLiteWarehouse(name: "w", settings: SQLiteSettings(path: fixture.url)), close: { await $0.close() }) { warehouse in
            let names = try await warehouse.queryRows(SQLStatement("SELECT name FROM sqlite_master WHERE type IN ('table', 'view') ORDER BY name"))
                .compactMap { row -> String? in if case .text(let name) = row[0] { name } else { nil } }
            let catalog = try await warehouse.catalog(for: names.map { TableName(parsing: $0) })
            for name in names {
                let table = TableName(parsing: name)
                let anchor = tables.first { name == $0.name || name == $0.name + "_view" }?.anchor ?? Self.anchors[0]
                for _ in 0..<3 {
                    // Bounds near the rows: whole seconds, half seconds and a fraction of a millisecond.
                    let fraction: Double = [0.0, 0.5, 0.0005][Int.random(in: 0..<3, using: &random)]
                    let now = Date(timeIntervalSince1970: anchor + Double(Int.random(in: -10_800...10_800, using: &random)) + fraction)
                    let windows = [3_600, 15 * 3_600, 86_400, 40 * 3_600, Int.random(in: 1...(3 * 86_400), using: &random)].map { Interval(seconds: Double($0)) }
                    let metrics = [Metric.maxTimestamp(column: "ts")] + windows.map { Metric.windowedCount(column: "ts", window: $0) }
                    // Zone-less text is local to the dataset's timezone: the statements work in stored time, MetricQuery
                    // converts the cutoff and the one result (a half-hour and a 45-minute zone, one with summer time).
                    let zone = Self.zones[Int.random(in: 0..<Self.zones.count, using: &random)]
                    let query = MetricQuery(table: table, metrics: metrics, dialect: SQLiteDialect(), now: now, timeZone: zone,
                                            columns: catalog.timestampColumns(of: table))
                    let values = query.values(from: try await warehouse.queryRow(try #require(query.statement)), timeZone: zone)
                    let cutoffs = windows.map { window in  // the window's start in stored time, as MetricQuery computes it
                        let cutoff = now.timeIntervalSince1970 - window.seconds
                        return cutoff + Double(zone.secondsFromGMT(for: Date(timeIntervalSince1970: cutoff)))
                    }
                    let expected = try await perRow(warehouse, table: name, cutoffs: cutoffs)
                    let context = "seed \(seed): \(name) (type '\(tables.first { name.hasPrefix($0.name) }?.type ?? "?")', "
                        + "indexed \(catalog.indexedColumns[table]?.contains("ts") == true), rowid \(catalog.rowIDTables.contains(table))), "
                        + "now \(now.timeIntervalSince1970), \(zone.identifier)"
                    let latest = values[.maxTimestamp(column: "ts")]
                    let truth = expected.latest.map { stored in
                        MetricValues.timestampRange.contains(stored) ? stored - Double(zone.secondsFromGMT(for: Date(timeIntervalSince1970: stored))) : stored
                    }
                    #expect((latest == nil) == (truth == nil), "\(context): latest \(String(describing: latest)) vs \(String(describing: truth))")
                    if let latest, let truth { #expect(abs(latest - truth) < 0.002, "\(context): latest \(latest) vs \(truth)") }
                    for (window, count) in zip(windows, expected.counts) {
                        #expect(values[.windowedCount(column: "ts", window: window)] == count, "\(context): window \(window.seconds) s")
                    }
                }
            }
        }
    }

    /// The checks file of the dataset `events`: a freshness check of `ts` and a 1-hour window on it (`recent`).
    static let freshnessAndRecentWindow = """
        version: 1
        datasets:
          - name: events
            checks:
              - freshness: { column: ts, error_after: 1d }
              - volume: { name: recent, window: 1h, column: ts, min_rows: 1 }
        """

    /// Through `dqmon check`: on a column of UTC text up to 2026-03-01 15:20, with an index and without, the band read
    /// around the greatest text (or the newest rows) starts at 00:20 that day; each straggler below it (the hour 24, February 29 and 30 of a common
    /// year, two spaces, a tab) is SQLite's latest instant, and is counted in a 1-hour window.
    @Test func dqmonCheckReadsTheRowsOutsideTheBand() throws {
        let project = ProjectFixture()
        let warehouse = try project.warehouse()
        try warehouse.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, ts TEXT)")
        try warehouse.execute("CREATE INDEX events_ts ON events (ts)")
        try warehouse.execute("""
            WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 1999) \
            INSERT INTO events (id, ts) SELECT 2000 - i, datetime(1772378400 - i * 60, 'unixepoch') FROM n
            """)
        project.checks("events.yml", Self.freshnessAndRecentWindow)
        for indexed in [true, false] {
            if !indexed { try warehouse.execute("DROP INDEX events_ts") }
            for straggler in ["2026-02-28 24:50:00-14:50", "2026-02-28T24:50:00-14:50", "2026-02-30 10:00:00", "2026-02-29 16:00:00",
                              "2026-03-01  15:40:00", "2026-03-01\t15:45:00+00:00", "2026-03-01 T16:00:00"] {
                // The oldest row by rowid: without an index, the newest rows (the bound of the scan's band) are all canonical.
                try warehouse.execute("DELETE FROM events WHERE id < 1")
                try warehouse.execute("INSERT INTO events (id, ts) VALUES (0, ?)", [straggler])
                let instant = try #require(try warehouse.queue.read { db in
                    try Double.fetchOne(db, sql: "SELECT (julianday(ts) - 2440587.5) * 86400.0 FROM events WHERE id = 0")
                })
                let now = (instant + 1_800).rounded()
                let inWindow = try warehouse.queue.read { db in
                    try Double.fetchOne(db, sql: "SELECT count(*) FROM events WHERE julianday(ts) >= julianday(?, 'unixepoch')", arguments: [now - 3_600])
                }
                let context = "\(straggler) at \(instant), indexed \(indexed)"
                #expect(instant > 1_772_378_400 && (inWindow ?? 0) >= 1, "\(context): \(String(describing: inWindow))")
                let iso = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: now))
                let output = try dqmon(["check", "--all", "--now", iso, "--format", "json"], in: project)
                #expect(output.status == 0, "\(context): \(output.stderr)")
                let age = output.checkResults?["events/freshness"]?["observed"] as? Double
                #expect(age.map { abs($0 - (now - instant)) < 0.01 } == true, "\(context): \(output.stdout)")
                #expect(output.checkResults?["events/volume/recent"]?["observed"] as? Double == inWindow, "\(context): \(output.stdout)")
            }
        }
    }

    /// The ranges are spelled twice: in SQL for the freshness band (computed by SQLite from the greatest text) and in
    /// Swift for a window's (known before the statement is sent). Both give the same text
    /// for seeded random starts over the years 1–9999, month ends, leap days and the first days of months.
    @Test func theSwiftAndSQLBoundsAgree() throws {
        let seed = UInt64(ProcessInfo.processInfo.environment["DQMON_TEST_SEED"] ?? "") ?? 20_261_130
        var random = SeededRandom(seed: seed)
        let queue = try DatabaseQueue()
        var starts: [Double] = Self.anchors.flatMap { anchor in (-100...100).map { anchor + Double($0) * 3_600 } }
        for _ in 0..<400 { starts.append(Double.random(in: (MetricValues.timestampRange.lowerBound + 3 * 86_400)...MetricValues.timestampRange.upperBound, using: &random).rounded(.down)) }
        let jd = "julianday(?, 'unixepoch')"
        let bounds = SQLiteDialect.outOfBandBounds(bandStart: jd)
        let sql = "SELECT " + bounds.flatMap { [$0.low, $0.high] }.joined(separator: ", ")
        let placeholders = sql.components(separatedBy: "?").count - 1
        for start in starts {
            let row = try queue.read { db in try Row.fetchOne(db, sql: sql, arguments: StatementArguments(Array(repeating: start, count: placeholders))) }
            let fromSQL = (0..<(bounds.count * 2)).map { (row?[$0] as String?) ?? "NULL" }
            let swift = try #require(SQLiteDialect.outOfBandBounds(start: start), "seed \(seed): \(start)")
            #expect(fromSQL == swift.flatMap { [$0.low, $0.high] }, "seed \(seed): start \(start)")
        }
    }
}
