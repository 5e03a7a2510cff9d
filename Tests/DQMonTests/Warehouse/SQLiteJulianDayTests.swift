@testable import DQMon
import DQMonTestSupport
import Foundation
import GRDB
import Testing

/// `dqmon_julianday` (Sources/CSQLiteTimestamps), registered on every SQLite warehouse connection, is either exactly
/// SQLite's `julianday()` or NULL, so `coalesce(dqmon_julianday(x), julianday(x))` — what the dialect sends for a
/// value read row by row — equals `julianday(x)` for every value; and the scan aggregates `dqmon_latest_julianday` and
/// `dqmon_count_at_or_after` equal `max(julianday(x))` and a count of `julianday(x) >= bound` over text and blobs.
/// Checked on a real warehouse connection against SQLite's own function: every second and 0–3 digit fraction of a
/// minute, every zone, seeded random timestamps near the accepted forms (every field out of range, other separators,
/// zones, spaces, extra digits, bytes cut or changed), and seeded random groups of clustered values of every form.
@Suite struct SQLiteJulianDayTests {
    static let seed = UInt64(ProcessInfo.processInfo.environment["DQMON_TEST_SEED"] ?? "") ?? 20_261_201

    /// Loads `values` into a one-column table and reads, on a warehouse connection, the values where the fast path
    /// disagrees with julianday() (a non-NULL answer that is not the identical double), and how many it answered.
    static func compare(_ values: [DatabaseValueConvertible?]) throws -> (answered: Int, fallback: Int, wrong: [String]) {
        try onWarehouseConnection(holding: values) { db in
            let counts = try Row.fetchOne(db, sql: """
                SELECT count(dqmon_julianday(x)), count(*) FILTER (WHERE dqmon_julianday(x) IS NULL AND julianday(x) IS NOT NULL) FROM v
                """)
            let wrong = try String.fetchAll(db, sql: """
                SELECT quote(x) || ': ' || quote(dqmon_julianday(x)) || ' vs ' || quote(julianday(x)) FROM v
                WHERE dqmon_julianday(x) IS NOT NULL AND (julianday(x) IS NULL OR dqmon_julianday(x) <> julianday(x)
                      OR coalesce(dqmon_julianday(x), julianday(x)) IS NOT julianday(x))
                LIMIT 5
                """)
            return (counts.flatMap { $0[0] as Int? } ?? 0, counts.flatMap { $0[1] as Int? } ?? 0, wrong)
        }
    }

    /// `values` in the one column `x` of a table `v`, read by `body` on a warehouse connection.
    static func onWarehouseConnection<T>(holding values: [DatabaseValueConvertible?], _ body: (Database) throws -> T) throws -> T {
        try onWarehouseConnection(columns: "x", rows: values.map { [$0] }, body)
    }

    @Test func everySecondAndFractionOfAMinuteIsJuliandaysOwnDouble() throws {
        let fractions = [""] + (0..<10).map { ".\($0)" } + (0..<100).map { "." + Self.pad($0, 2) } + (0..<1000).map { "." + Self.pad($0, 3) }
        var values: [String] = []
        for second in 0..<60 {
            for (index, fraction) in fractions.enumerated() {
                let prefix = ["2026-11-25 11:59:", "0000-01-01T00:00:", "9999-12-31 23:59:", "2000-02-29T12:34:"][index % 4]
                values.append(prefix + Self.pad(second, 2) + fraction + (index % 3 == 0 ? "Z" : ""))
            }
        }
        let result = try Self.compare(values)
        #expect(result.wrong.isEmpty, "\(result.wrong)")
        #expect(result.answered == values.count, "every value here is a form the fast path reads")
    }

    /// Every zone SQLite reads and the ones just past it (`±hh:mm`, hh 00–15, mm 00–60), after a time with or without
    /// seconds, on ordinary days and at the ends of SQLite's range (where a zone can move the instant out of it and
    /// `julianday()` gives NULL): the fast path's answer is julianday()'s, and it answers every zone of ±14:59 or less
    /// that stays in the range.
    @Test func everyZoneIsJuliandaysOwnDouble() throws {
        var values: [String] = []
        for prefix in ["2026-11-25 11:59:30", "2026-11-25T00:00", "0000-01-01 00:00:00", "0000-01-01T14:58", "9999-12-31 23:59:59.999", "9999-12-31T10:00"] {
            for sign in ["+", "-"] {
                for hours in 0...15 {
                    for minutes in [0, 1, 29, 30, 59, 60] { values.append(prefix + sign + Self.pad(hours, 2) + ":" + Self.pad(minutes, 2)) }
                }
            }
        }
        let result = try Self.compare(values)
        #expect(result.wrong.isEmpty, "\(result.wrong)")
        let inRange = try Self.onWarehouseConnection(holding: values) { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM v WHERE julianday(x) IS NOT NULL AND substr(x, -5, 2) <= '14' AND substr(x, -2) <= '59'")
        }
        #expect(result.answered == inRange, "\(result.answered) answered of \(String(describing: inRange)) zoned values julianday() reads")
    }

    @Test func randomTextNearTheFormsIsJuliandayOrLeftToIt() throws {
        var random = SeededRandom(seed: Self.seed)
        var values: [DatabaseValueConvertible?] = [nil, 2_461_005.5, 1_795_521_600, Data("2026-11-25 11:00:00".utf8), "now", "12:30",
                                                   "2026-11-25 24:00:00", "2026-02-29 10:00:00", "2024-02-29 10:00:00", "1900-02-29",
                                                   "2000-02-29", "2026-04-31", "2026-11-25 11:00:00+01:00", "2026-11-25 11:00:00 ",
                                                   " 2026-11-25", "2026-11-25T11:00", "2026-11-25 11:00:00.1234", "2026-11-25 11:00:00.",
                                                   "2026-11-25 11:00:00z", "2026-11-25 11:00:00ZZ", "2026-11-25\u{0}11:00:00"]
        for _ in 0..<60_000 { values.append(Self.randomTimestamp(&random)) }
        let result = try Self.compare(values)
        #expect(result.wrong.isEmpty, "seed \(Self.seed): \(result.wrong)")
        // Both paths are exercised: most values are read by the fast path, and some valid ones are left to julianday().
        #expect(result.answered > values.count / 10, "seed \(Self.seed): \(result.answered) of \(values.count)")
        #expect(result.fallback > 100, "seed \(Self.seed): \(result.fallback)")
    }

    /// `dqmon_latest_julianday(x)` and `dqmon_count_at_or_after(x, bound)` are SQLite's own
    /// `max(julianday(x))` and `count(*) FILTER (WHERE julianday(x) >= bound)` over the TEXT and BLOB values, on a
    /// warehouse connection: 600 seeded random groups of values clustered within 40 hours of a moment near a month's
    /// end (every form `SQLiteOutOfBandTextTests.value` writes: zones, the hour 24, days past a month's end, odd
    /// separators, blobs, garbage, numbers, NULL; mutated near-timestamps; bare Julian day numbers and times of day as
    /// text), in ascending, descending or random
    /// order (so that the aggregates' skipping of values that cannot matter meets every order), each with a bound that
    /// is one of the group's own values (the `>=` edge), or an instant near them, or not a timestamp.
    @Test func theAggregatesAreJuliandayOfEveryTextAndBlob() throws {
        var random = SeededRandom(seed: Self.seed)
        var rows: [[DatabaseValueConvertible?]] = []
        for group in 0..<600 {
            let anchor = SQLiteOutOfBandTextTests.anchors.randomElement(using: &random)! + Double.random(in: -172_800...172_800, using: &random).rounded()
            var values = (0..<Int.random(in: 0...40, using: &random)).map { _ in
                SQLiteOutOfBandTextTests.value(near: anchor + Double.random(in: -144_000...144_000, using: &random).rounded(), random: &random, numeric: true)
            }
            if group % 5 == 0 { values += (0..<8).map { _ in Self.randomTimestamp(&random) } }
            // Text julianday() reads that sorts anywhere: a bare Julian day number, a time of 2000-01-01, a negative year.
            if group % 7 == 0 { values += [["2461005.5", " 2461005", "2.461005e6", "12:30", "23:59:59.5", "-0001-01-01 10:00"].randomElement(using: &random)!] }
            let texts = values.compactMap { $0 as? String }
            switch group % 3 {
            case 0: values.sort { ($0 as? String ?? "") < ($1 as? String ?? "") }
            case 1: values.sort { ($0 as? String ?? "") > ($1 as? String ?? "") }
            default: values.shuffle(using: &random)
            }
            let near = SQLiteOutOfBandTextTests.parts(anchor + Double.random(in: -144_000...144_000, using: &random).rounded())
            let bound = [texts.randomElement(using: &random) ?? "n/a", near.date + " " + near.time + ".5", "n/a"][Int.random(in: 0..<3, using: &random) % (texts.isEmpty ? 2 : 3)]
            rows += values.map { [group, $0, bound] }
        }
        let differing = try Self.onWarehouseConnection(columns: "g, x, b", rows: rows) { db in
            try String.fetchAll(db, sql: """
                SELECT 'group ' || g || ': ' || quote(dqmon_latest_julianday(x)) || ' vs ' || quote(max(julianday(x)) FILTER (WHERE typeof(x) IN ('text', 'blob')))
                       || ', ' || dqmon_count_at_or_after(x, julianday(b)) || ' vs ' || count(*) FILTER (WHERE typeof(x) IN ('text', 'blob') AND julianday(x) >= julianday(b))
                FROM v GROUP BY g
                HAVING dqmon_latest_julianday(x) IS NOT max(julianday(x)) FILTER (WHERE typeof(x) IN ('text', 'blob'))
                    OR dqmon_count_at_or_after(x, julianday(b)) IS NOT count(*) FILTER (WHERE typeof(x) IN ('text', 'blob') AND julianday(x) >= julianday(b))
                LIMIT 5
                """)
        }
        #expect(differing.isEmpty, "seed \(Self.seed): \(differing)")
        #expect(rows.count > 6_000, "seed \(Self.seed): \(rows.count) rows")
    }

    /// Rows of `columns` in a table `v`, read by `body` on a warehouse connection (the connection dqmon opens, with its
    /// SQL functions registered).
    static func onWarehouseConnection<T>(columns: String, rows: [[DatabaseValueConvertible?]], _ body: (Database) throws -> T) throws -> T {
        let directory = TemporaryDirectory()
        let fixture = try WarehouseFixture(at: directory.path("values.sqlite"))
        let placeholders = columns.split(separator: ",").map { _ in "?" }.joined(separator: ", ")
        try fixture.queue.write { db in
            try db.execute(sql: "CREATE TABLE v (\(columns))")
            let insert = try db.makeStatement(sql: "INSERT INTO v (\(columns)) VALUES (\(placeholders))")
            for row in rows { try insert.execute(arguments: StatementArguments(row)) }
        }
        try fixture.queue.close()
        let reader = try SQLiteWarehouse.openReadOnly(path: fixture.url.path, busyTimeout: Interval(seconds: 1), label: "w")
        return try reader.unsafeRead(body)
    }

    /// Through `dqmon check`, on a column without a declared form, indexed or not: rows in every form the fast path
    /// reads (a space or `T`, fractions, `Z`, a date alone) and some it leaves to `julianday()` (a zone, the hour 24)
    /// give the latest instant and the window count that `julianday()` of each row gives, and `--dry-run` shows the
    /// aggregates it sends.
    @Test func dqmonCheckAnswersAsJuliandayOnEveryRow() throws {
        let project = ProjectFixture()
        let warehouse = try project.warehouse()
        try warehouse.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, ts TEXT)")
        try warehouse.execute("""
            INSERT INTO events (ts) VALUES ('2026-11-25 09:00:00'), ('2026-11-25T10:15:30.5'), ('2026-11-25 11:00:00.000Z'),
              ('2026-11-25'), ('2026-11-25T11:00:00+02:00'), ('2026-11-24 24:30:00'), ('2026-11-25 11:00:00.25'),
              ('2026-11-25T11:20:00.125Z'), ('2026-11-25 11:30:00-00:15'), ('2026-11-25 10:00')
            """)
        project.checks("events.yml", SQLiteOutOfBandTextTests.freshnessAndRecentWindow)
        let now = 1_795_608_000.0  // 2026-11-25 12:00:00 UTC
        let truth = try warehouse.queue.read { db in
            try Row.fetchOne(db, sql: """
                SELECT (max(julianday(ts)) - 2440587.5) * 86400.0, count(*) FILTER (WHERE julianday(ts) >= julianday(?, 'unixepoch')) FROM events
                """, arguments: [now - 3_600])
        }
        let latest = try #require(truth.flatMap { $0[0] as Double? }), inWindow = try #require(truth.flatMap { $0[1] as Int? })
        #expect(inWindow == 4 && abs(latest - (now - 900)) < 0.001, "within the hour: 11:45 (11:30 at -00:15), 11:20, 11:00.25 and 11:00 on the bound")
        for indexed in [false, true] {
            if indexed { try warehouse.execute("CREATE INDEX events_ts ON events (ts)") }
            let output = try dqmon(["check", "--all", "--now", "2026-11-25T12:00:00Z", "--format", "json"], in: project)
            #expect(output.status == 0, "indexed \(indexed): \(output.stderr)")
            let age = output.checkResults?["events/freshness"]?["observed"] as? Double
            #expect(age.map { abs($0 - (now - latest)) < 0.001 } == true, "indexed \(indexed): \(output.stdout)")
            #expect(output.checkResults?["events/volume/recent"]?["observed"] as? Double == Double(inWindow), "indexed \(indexed): \(output.stdout)")
        }
        let dryRun = try dqmon(["check", "--all", "--dry-run", "--now", "2026-11-25T12:00:00Z"], in: project)
        #expect(dryRun.stdout.contains(#"dqmon_latest_julianday("ts")"#) && dryRun.stdout.contains(#"dqmon_count_at_or_after("ts", julianday(1795604400.0, 'unixepoch'))"#), "\(dryRun.stdout)")
    }

    /// A timestamp in one of the accepted forms, then perhaps mutated: a field out of range or of another width,
    /// another separator, a zone or trailing text, a byte changed, cut or inserted.
    static func randomTimestamp(_ random: inout SeededRandom) -> String {
        // Each field in its range most of the time, else at or just past its limits (month 0 or 13, day 0 or 29-32, …).
        let field = { (valid: ClosedRange<Int>, edge: [Int], random: inout SeededRandom) in
            Int.random(in: 0..<8, using: &random) > 0 ? Int.random(in: valid, using: &random) : edge.randomElement(using: &random)! }
        let year = field(0...9999, [0, 1, 1900, 2000, 2100, 9999], &random), month = field(1...12, [0, 2, 13, 99], &random)
        let day = field(1...28, [0, 29, 30, 31, 32, 99], &random), hour = field(0...23, [24, 25, 99], &random)
        let minute = field(0...59, [60, 99], &random), second = field(0...59, [60, 61, 99], &random)
        var text = pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2)
        if Int.random(in: 0..<5, using: &random) > 0 {
            text += [" ", " ", "T", "t", "  ", "_"].randomElement(using: &random)! + pad(hour, 2) + ":" + pad(minute, 2) + ":" + pad(second, 2)
            text += ["", "", "", ".5", ".25", ".125", ".1234", ".", "Z", "z", "+01:00", "-14:59", " ", "Z "].randomElement(using: &random)!
        }
        var bytes = Array(text.utf8)
        switch Int.random(in: 0..<8, using: &random) {
        case 0: bytes[Int.random(in: 0..<bytes.count, using: &random)] = UInt8.random(in: 32...126, using: &random)
        case 1: bytes.removeLast(Int.random(in: 1...min(4, bytes.count), using: &random))
        case 2: bytes.insert(UInt8.random(in: 32...126, using: &random), at: Int.random(in: 0...bytes.count, using: &random))
        default: break
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
