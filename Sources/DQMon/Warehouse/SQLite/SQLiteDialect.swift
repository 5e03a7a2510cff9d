import Foundation

/// SQLite's spelling of the SQL that metrics need.
///
/// A SQLite timestamp column may hold ISO 8601 text (with or without a zone, `T` or space) and epoch numbers
/// (seconds, or milliseconds above 10¹¹), even mixed, and every answer is the one `julianday()` of each row gives.
/// On a column that leads an index, metrics are answered from the index, converting only the text near the latest
/// value or the window's bound (see `latestTimestampProbe`, `rowsSinceProbe` and `outOfBandText`); on a column
/// without an index the table is scanned once anyway, and each metric is one aggregate of that scan
/// (`latestTimestampInScan`, `rowsSinceInScan`). Text is converted by the C functions of `Sources/CSQLiteTimestamps`,
/// each exactly `julianday()` of every value.
public struct SQLiteDialect: SQLDialect {
    public init() {}

    public var typeNormalizer: any TypeNormalizer { SQLiteTypeNormalizer() }

    /// The per-row form: `julianday` reads every ISO form, with or without a zone, as UTC.
    public func epochSeconds(of column: String) -> String {
        "CASE WHEN typeof(\(column)) IN ('integer','real') THEN "
            + "(CASE WHEN \(column) > \(Self.millisecondsAbove) THEN \(column) / 1000.0 ELSE \(column) END) "
            + "ELSE (\(Self.julianDay(ofRow: column)) - 2440587.5) * 86400.0 END"
    }

    /// `julianday(column)` for a value read row by row, as `coalesce(dqmon_julianday(column), julianday(column))`:
    /// the same double for every value. `dqmon_julianday` (`Sources/CSQLiteTimestamps`, registered on every warehouse
    /// connection) computes the common forms (`YYYY-MM-DD`, `YYYY-MM-DD HH:MM[:SS[.fff]]` with a space or `T`, `Z` or a
    /// zone up to ±14:59) without SQLite's general date parser and is NULL for anything else, which `julianday` then
    /// reads. For the per-row forms that remain (a range check's values, `where:`, backfill): the timestamp metrics use
    /// the aggregates `dqmon_latest_julianday` and `dqmon_count_at_or_after`. A constant (a bound, one value of a
    /// subquery) keeps `julianday`: it is computed once.
    static func julianDay(ofRow column: String) -> String {
        "coalesce(dqmon_julianday(\(column)), julianday(\(column)))"
    }

    /// Epoch numbers above this are milliseconds (10¹¹ s is the year 5138; 10¹¹ ms is 1973).
    static let millisecondsAbove = "100000000000"

    /// The latest timestamp from index probes, with no per-row conversion but for the text rows within 15 hours
    /// (`zoneMarginHours`) of the greatest text, which may sort below a later instant, and the few narrow ranges
    /// where a text SQLite reads later than its written date and hour can sort lower still (`outOfBandText`).
    ///
    /// SQLite orders numbers before text and text before blobs, so on the column's index:
    /// - the greatest number ≤ 10¹¹ is the latest epoch in seconds, the greatest number above it (and below
    ///   any text, `< ''`) the latest in milliseconds;
    /// - the greatest text `v` bounds the text rows: any row later than `julianday(v)` has a local date and hour
    ///   at or after `julianday(v)` − 15 h, so `col >= 'YYYY-MM-DD HH'` of that instant is a superset of them
    ///   (a `T` separator sorts after the space, and shorter prefixes sort first), but for the rows of
    ///   `outOfBandText`. When `v` is not a timestamp (text that sorts after the dates), every text row is
    ///   converted: slower, still exact. Blobs (which `julianday` reads as text) sort above every text: always read.
    /// A TEXT-affinity column holds no numbers, and a number compared with it would be compared as text, so
    /// the number probes are left out there. nil (the per-row scan) when the column has no index.
    public func latestTimestampProbe(_ column: TimestampColumn, in table: String) -> SQLStatement? {
        guard column.isIndexed != false else { return nil }
        let c = quote(column.name)
        var parts: [String] = []
        if SQLiteAffinity(declaredType: column.declaredType) != .text {
            parts.append("SELECT \(c) FROM \(table) WHERE \(c) <= \(Self.millisecondsAbove) ORDER BY \(c) DESC LIMIT 1")
            parts.append("SELECT \(c) / 1000.0 FROM \(table) WHERE \(c) > \(Self.millisecondsAbove) AND \(c) < '' ORDER BY \(c) DESC LIMIT 1")
        }
        let latestInRange = "dqmon_latest_julianday(\(c))"
        let bandStart = "julianday(dqmon_text) - \(Self.zoneMarginHours) / 24.0"
        let bandLow = "coalesce(strftime('%Y-%m-%d %H', \(bandStart)), '')"
        let latestJulianDay = "SELECT CASE WHEN julianday(dqmon_text) IS NULL "
            + "THEN (SELECT \(latestInRange) FROM \(table) WHERE \(c) >= '') "
            + "ELSE (SELECT max(dqmon_jd) FROM (SELECT \(latestInRange) AS dqmon_jd FROM \(table) WHERE \(c) >= \(bandLow) "
            + "UNION ALL SELECT \(latestInRange) FROM \(table) WHERE \(Self.outOfBandText(c, bandStart: bandStart, bandLow: bandLow)))) END "
            + "FROM (SELECT \(c) AS dqmon_text FROM \(table) WHERE \(c) >= '' AND \(c) < x'' ORDER BY \(c) DESC LIMIT 1)"
        parts.append("SELECT ((\(latestJulianDay)) - 2440587.5) * 86400.0")
        return SQLStatement("SELECT max(dqmon_latest) FROM (" + parts.map { "SELECT (\($0)) AS dqmon_latest" }.joined(separator: " UNION ALL ") + ")")
    }

    /// The text that sorts below a band starting at the hour `bandLow` (`'YYYY-MM-DD HH'` of the instant `bandStart`,
    /// SQL giving a Julian day) yet which SQLite may read as an instant 15 hours or more after `bandStart`, as a SQL
    /// predicate on `column`: a few narrow index ranges, empty in a table of well-formed timestamps.
    ///
    /// SQLite reads a text that starts with a date `D` as at most `D` + 24:59:59.999 (it accepts the hour 24)
    /// + 14:59 (the widest zone): before `D` + 40 h. A row of an ordinary form (`D HH…` or `DTHH…` with the hour
    /// 00–23) is within the band's 15-hour margin of its written hour. Others sort apart from their instant:
    /// - the hour 24 (`'… 24:30:00'` is 00:30 of the next day), or separators SQLite skips but that sort apart
    ///   (two spaces, a tab, `T `, ` T`, `TT`, or a date alone). Such a row can reach the band's end (`bandStart` + 15 h)
    ///   only if `D` + 40 h is later, so `D` is the band's day or (when the band starts in the hour 00) the day before:
    ///   on the band's day `[D, 'D 0')` sorts below the band; on the day before `[D, 'D 0')`, `['D 24', 'DT0')` and
    ///   `['DT24', 'DU')`;
    /// - a day past its month's end, which SQLite moves into the next month (`'2026-02-30'` is March 2):
    ///   the previous month's `['YYYY-MM-<last day + 1>', 'YYYY-MM-32')`, at most three days and 40 hours early.
    /// Each range is also `< bandLow`, so that no row is read twice. Text SQLite reads as a bare Julian day number
    /// (`'2461005.5'`) or as a time of 2000-01-01 (`'12:30'`) can sort anywhere: it is read only where it falls in
    /// the ranges read (a column without an index in a view or `WITHOUT ROWID` table converts every row).
    static func outOfBandText(_ column: String, bandStart: String, bandLow: String) -> String {
        "\(column) < \(bandLow) AND ("
            + outOfBandBounds(bandStart: bandStart).map { "(\(column) >= \($0.low) AND \(column) < \($0.high))" }.joined(separator: " OR ") + ")"
    }

    /// The ranges of `outOfBandText` as SQL expressions of `bandStart` (a Julian day): computed by SQLite once per
    /// statement, as the bounds of index ranges.
    static func outOfBandBounds(bandStart: String) -> [(low: String, high: String)] {
        let day = { (shift: String) in "strftime('%Y-%m-%d', \(bandStart)\(shift))" }
        let today = day("")
        var bounds = [(today, "\(today) || ' 0'")]
        let dayBefore = day(", '-1 day'")
        bounds += [(dayBefore, "\(dayBefore) || ' 0'"), ("\(dayBefore) || ' 24'", "\(dayBefore) || 'T0'"), ("\(dayBefore) || 'T24'", "\(dayBefore) || 'U'")]
        let lastDay = day(", 'start of month', '-1 day'")
        bounds.append(("substr(\(lastDay), 1, 8) || (substr(\(lastDay), 9, 2) + 1)", "substr(\(lastDay), 1, 8) || '32'"))
        return bounds.map { (low: $0.0, high: $0.1) }
    }

    /// The same ranges as text, for a band starting at the epoch second `start` (a window's, known before the
    /// statement is sent); nil outside the years 1–9999, where the band reads every text row anyway.
    static func outOfBandBounds(start: Double) -> [(low: String, high: String)]? {
        guard MetricValues.timestampRange.contains(start - 86_400), MetricValues.timestampRange.contains(start) else { return nil }
        let today = String(hourPrefix(start).prefix(10)), dayBefore = String(hourPrefix(start - 86_400).prefix(10))
        var bounds = [(low: today, high: today + " 0")]
        bounds += [(dayBefore, dayBefore + " 0"), (dayBefore + " 24", dayBefore + "T0"), (dayBefore + "T24", dayBefore + "U")]
        let (year, month) = (Int(today.prefix(4)) ?? 1, Int(today.dropFirst(5).prefix(2)) ?? 1)
        let (lastYear, lastMonth) = month == 1 ? (year - 1, 12) : (year, month - 1)
        let monthPrefix = digits(lastYear, 4) + "-" + digits(lastMonth, 2) + "-"
        bounds.append((monthPrefix + digits(daysIn(month: lastMonth, year: lastYear) + 1, 2), monthPrefix + "32"))
        return bounds
    }

    /// The days of a month of the proleptic Gregorian calendar (as SQLite counts them).
    static func daysIn(month: Int, year: Int) -> Int {
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][max(0, min(11, month - 1))]
    }

    /// SQLite reads zone offsets up to ±14:59 (`'…-14:59'`), so a zoned text's written date and hour are less than
    /// 15 hours before its instant: every row at or after an instant `t` sorts at or above `'YYYY-MM-DD HH'` of
    /// `t` − 15 h, whatever its ISO form (a `T` sorts after the space, a longer text after its prefix).
    static let zoneMarginHours = 15

    /// The latest timestamp in the dataset's one scan (no index serves it; a whole table, or the rows of `where:` or
    /// of a segment): numbers on the raw column, the greatest ≤ 10¹¹ (epoch seconds) and the greatest above it
    /// (milliseconds); text and blobs by `dqmon_latest_julianday` (`Sources/CSQLiteTimestamps`), an aggregate giving the
    /// greatest `julianday()` of them, exact for every form, which reads the common forms itself and skips a text
    /// that cannot be later than the latest so far.
    ///
    /// It replaced, for a whole table, `julianday()` of the text sorting above a date bound set by the table's 64 newest
    /// rows (and, for `where:`, views and `WITHOUT ROWID` tables, of every row): on `scripts/bench 1000` (no declared
    /// form), sqlite3 ran the 1,000 statements in 0.21 s of CPU instead of 0.35 s (median of 10; the floor's: 0.15 s), see README.
    public func latestTimestampInScan(_ column: TimestampColumn, in table: String) -> ScanAggregate {
        let c = quote(column.name)
        var aggregates: [SQLStatement] = []
        // `max(x) FILTER (WHERE p)`, not `max(CASE WHEN p THEN x END)`: the rows where p is false skip the aggregate
        // step (sqlite3 on `scripts/bench 1000`'s statements: 0.291 -> 0.257 s of CPU; minimum of 8 alternated runs).
        if SQLiteAffinity(declaredType: column.declaredType) != .text {
            aggregates.append(SQLStatement("max(\(c)) FILTER (WHERE \(c) <= \(Self.millisecondsAbove))"))
            aggregates.append(SQLStatement("max(\(c)) FILTER (WHERE \(c) > \(Self.millisecondsAbove) AND \(c) < '')"))
        }
        aggregates.append(SQLStatement("dqmon_latest_julianday(\(c))"))
        return ScanAggregate(aggregates, folds: aggregates.map { _ in "max" }) { names in
            let julianDay = names.last ?? "NULL"
            var epochs = ["(\(julianDay) - 2440587.5) * 86400.0"]
            if names.count == 3 { epochs = [names[0], "\(names[1]) / 1000.0"] + epochs }
            return Self.greatest(epochs)
        }
    }

    /// The declared `columns` of the table's 16 newest rows (by rowid, read from the end of the table, not a scan;
    /// any 16 rows of a view or a `WITHOUT ROWID` table) in ONE scalar subquery for all of them:
    /// `SELECT group_concat(x) FROM (SELECT quote("a") || ',' || quote("b") AS x FROM t ORDER BY rowid DESC LIMIT 16)`,
    /// which `DeclaredSample.notInForm` checks in Swift. `quote()` keeps each value's type and text in one
    /// unambiguous item (text quoted, a NULL as `NULL` in its place), so the columns share one read of the rows.
    /// (A form check in SQL cost more to prepare and run than the raw read saved: ~0.4 s of CPU on `scripts/bench
    /// 1000`. Against one `group_concat(typeof(v) || ':' || v, char(31))` subquery per column, the 1,000 samples of
    /// two columns took 37 ms of SQLite CPU instead of 54 ms, prepare and step, in-process; with the items made in
    /// the inner query, 34-35 ms.)
    public func declaredFormSample(_ columns: [TimestampColumn], in table: String) -> SQLStatement? {
        guard !columns.isEmpty else { return nil }
        var sql = "SELECT group_concat(x) FROM (SELECT "  // one buffer, grown once: each `+` or interpolation is a String
        sql.reserveCapacity(80 + table.utf8.count + columns.reduce(0) { $0 + $1.name.utf8.count + 20 })
        for (index, column) in columns.enumerated() {
            if index > 0 { sql += " || ',' || " }
            sql += "quote("
            sql += quote(column.name)
            sql += ")"
        }
        sql += " AS x FROM "
        sql += table
        sql += columns.contains { $0.hasRowID == false } ? " LIMIT " : " ORDER BY rowid DESC LIMIT "
        sql += String(Self.declaredRowsChecked)
        sql += ")"
        return SQLStatement(sql)
    }

    /// How many of the newest rows check a declared `timestamp_format:`.
    static let declaredRowsChecked = 16

    /// The greatest of SQL values, NULL ones left out (SQLite's `max(a, b)` is NULL when any is).
    static func greatest(_ values: [String]) -> String {
        guard values.count > 1 else { return values.first ?? "NULL" }
        let each = values.indices.map { index in
            "coalesce(" + ([values[index]] + values.indices.filter { $0 != index }.map { values[$0] }).joined(separator: ", ") + ")"
        }
        return "max(" + each.joined(separator: ", ") + ")"
    }

    /// Rows at or after `cutoff` as index range counts: numbers in seconds, numbers in milliseconds, text rows
    /// from the hour 15 hours before the cutoff (`zoneMarginHours`) and the narrow ranges below it of
    /// `outOfBandText`, the text ranges' rows counted by `dqmon_count_at_or_after` (exact, as `rowsSinceInScan`).
    /// nil (the scan form) when the column has no index.
    public func rowsSinceProbe(_ column: TimestampColumn, cutoff: Double, in table: String) -> SQLStatement? {
        guard column.isIndexed != false else { return nil }
        let c = quote(column.name)
        let counts = rowsSincePredicates(column, cutoff: cutoff).map { range in
            guard let bound = range.textAtOrAfter else {
                return SQLStatement("(SELECT count(*) FROM \(table) WHERE ") + range.rows + SQLStatement(")")
            }
            return SQLStatement("(SELECT dqmon_count_at_or_after(\(c), julianday(?, 'unixepoch')) FROM \(table) WHERE ", arguments: [.real(bound)])
                + range.rows + SQLStatement(")")
        }
        return counts.dropFirst().reduce(counts[0]) { $0 + SQLStatement(" + ") + $1 }
    }

    /// Without an index the table is read once anyway: the rows in the number ranges, and the text and blobs that
    /// `julianday()` places at or after the cutoff, counted by `dqmon_count_at_or_after` (`Sources/CSQLiteTimestamps`),
    /// an aggregate that reads the common forms itself and skips a text that cannot reach the bound. The bound is
    /// `julianday(?, 'unixepoch')` of the cutoff rounded up to the millisecond, as in `textAtOrAfter`. A cutoff outside
    /// the years 1–9999 keeps the per-row arithmetic form.
    public func rowsSinceInScan(_ column: TimestampColumn, cutoff: Double) -> ScanAggregate {
        let c = quote(column.name)
        let numbers = numberPredicates(column, cutoff: cutoff).map { SQLStatement("(") + $0 + SQLStatement(")") }
        guard let bound = Self.julianDayBound(cutoff) else {
            let any = numbers + [SQLStatement("(\(c) >= '' AND ") + Self.textAtOrAfter(c, cutoff: cutoff) + SQLStatement(")")]
            return ScanAggregate(countRows(where: any.dropFirst().reduce(any[0]) { $0 + SQLStatement(" OR ") + $1 }))
        }
        var aggregates: [SQLStatement] = []
        if !numbers.isEmpty { aggregates.append(countRows(where: numbers.dropFirst().reduce(numbers[0]) { $0 + SQLStatement(" OR ") + $1 })) }
        aggregates.append(SQLStatement("dqmon_count_at_or_after(\(c), julianday(?, 'unixepoch'))", arguments: [.real(bound)]))
        return ScanAggregate(aggregates, folds: aggregates.map { _ in "sum" }) { names in
            names.count == 1 ? names[0] : "(" + names.joined(separator: " + ") + ")"
        }
    }

    /// `count(*) FILTER (WHERE predicate)` (SQLite 3.30 and later): the rows where it is false skip the aggregate
    /// step. Against `count(CASE WHEN … THEN 1 END)`, sqlite3 ran `scripts/bench 1000`'s scan statements (two such
    /// counts per table, the format probes left out) in 0.285 s of CPU instead of 0.305 s (median of 12 alternated
    /// runs).
    public func countRows(where predicate: SQLStatement) -> SQLStatement {
        SQLStatement("count(*) FILTER (WHERE " + predicate.sql + ")", arguments: predicate.arguments, isUserSQL: predicate.isUserSQL)
    }

    /// Epoch seconds and epoch milliseconds at or after `cutoff`; none for a TEXT-affinity column, which holds no numbers.
    func numberPredicates(_ column: TimestampColumn, cutoff: Double) -> [SQLStatement] {
        guard SQLiteAffinity(declaredType: column.declaredType) != .text else { return [] }
        let c = quote(column.name)
        return [SQLStatement("\(c) >= ? AND \(c) <= \(Self.millisecondsAbove)", arguments: [.real(cutoff)]),
                SQLStatement("\(c) > \(Self.millisecondsAbove) AND \(c) >= ? AND \(c) < ''", arguments: [.real(cutoff * 1000)])]
    }

    /// The disjoint index ranges holding the rows at or after `cutoff`: epoch seconds and epoch milliseconds (every row
    /// of the range counts), ISO text (and blobs, which `julianday` reads as text) from the hour 15 hours before the
    /// cutoff, and below that hour the narrow ranges of `outOfBandText`, whose rows count where `julianday()` places
    /// them at or after `textAtOrAfter` (`julianDayBound` of the cutoff, to pass to `julianday(?, 'unixepoch')`). A
    /// cutoff outside the years 1–9999 compares each text row in the range itself (`textAtOrAfter` nil).
    func rowsSincePredicates(_ column: TimestampColumn, cutoff: Double) -> [(rows: SQLStatement, textAtOrAfter: Double?)] {
        let c = quote(column.name)
        var ranges = numberPredicates(column, cutoff: cutoff).map { (rows: $0, textAtOrAfter: nil as Double?) }
        let bound = Self.julianDayBound(cutoff)
        let perRow = bound == nil ? SQLStatement(" AND ") + Self.textAtOrAfter(c, cutoff: cutoff) : SQLStatement("")
        let start = cutoff - Double(Self.zoneMarginHours * 3600)
        let bandLow = Self.hourPrefix(start)
        ranges.append((SQLStatement("\(c) >= ?", arguments: [.text(bandLow)]) + perRow, bound))
        if let bounds = Self.outOfBandBounds(start: start) {
            let narrow = bounds.map { _ in "(\(c) >= ? AND \(c) < ?)" }.joined(separator: " OR ")
            let arguments = [SQLValue.text(bandLow)] + bounds.flatMap { [SQLValue.text($0.low), .text($0.high)] }
            ranges.append((SQLStatement("\(c) < ? AND (\(narrow))", arguments: arguments) + perRow, bound))
        }
        return ranges
    }

    /// `julianday(col)` at or after `cutoff`, compared as Julian days both: SQLite reads text to the millisecond, and
    /// `julianday(?, 'unixepoch')` of the cutoff rounded UP to the millisecond is the same double as `julianday()` of
    /// a text written at that instant. (Converting each row to epoch seconds, `(julianday(col) - 2440587.5) * 86400`,
    /// carried ±40 µs of float error and missed a row written exactly at a whole-second bound.) The right side is
    /// a constant, computed once per statement. A cutoff outside the years 1–9999 keeps the arithmetic form.
    static func textAtOrAfter(_ column: String, cutoff: Double) -> SQLStatement {
        guard let bound = julianDayBound(cutoff) else {
            return SQLStatement("(\(julianDay(ofRow: column)) - 2440587.5) * 86400.0 >= ?", arguments: [.real(cutoff)])
        }
        return SQLStatement("\(julianDay(ofRow: column)) >= julianday(?, 'unixepoch')", arguments: [.real(bound)])
    }

    /// The epoch second that `julianday(?, 'unixepoch')` turns into the Julian day a text written at `cutoff` reads as:
    /// the cutoff rounded up to the millisecond. nil outside the years 1–9999.
    static func julianDayBound(_ cutoff: Double) -> Double? {
        guard MetricValues.timestampRange.contains(cutoff) else { return nil }
        return ((cutoff * 1_000_000).rounded() / 1000).rounded(.up) / 1000
    }

    /// `YYYY-MM-DD HH` of an epoch second, clamped to the years 0001–9999 (what ISO text can spell).
    static func hourPrefix(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= MetricValues.timestampRange.lowerBound else { return "" }
        guard seconds <= MetricValues.timestampRange.upperBound else { return "9999-12-31 23" }
        var time = time_t(seconds.rounded(.down))
        var parts = tm()
        gmtime_r(&time, &parts)
        return utcText(parts, through: .hour)
    }

    /// How much of a UTC time `utcText` writes.
    enum UTCTextEnd { case hour, second }

    /// `YYYY-MM-DD HH` (or `YYYY-MM-DD HH:MM:SS`, then `.` and the milliseconds without trailing zeros when not 0)
    /// of a broken-down UTC time, each field zero-padded, written in place: not String(format:), slow on Linux, nor a
    /// string per field (the 4-5 concatenations cost ~4,000 instructions per call, twice per dataset with a window).
    static func utcText(_ parts: tm, through end: UTCTextEnd, milliseconds: Int = 0) -> String {
        let year = Int(parts.tm_year) + 1900, month = Int(parts.tm_mon) + 1, day = Int(parts.tm_mday)
        let hour = Int(parts.tm_hour), minute = Int(parts.tm_min), second = Int(parts.tm_sec)
        var fraction = end == .second && (1...999).contains(milliseconds) ? milliseconds : 0
        var fractionDigits = fraction == 0 ? 0 : 3
        while fractionDigits > 0, fraction % 10 == 0 {
            fraction /= 10
            fractionDigits -= 1
        }
        let twoDigits = 0...99
        guard (0...9999).contains(year), twoDigits.contains(month), twoDigits.contains(day), twoDigits.contains(hour),
              twoDigits.contains(minute), twoDigits.contains(second) else {
            var text = digits(year, 4) + "-" + digits(month, 2) + "-" + digits(day, 2) + " " + digits(hour, 2)
            if end == .second { text += ":" + digits(minute, 2) + ":" + digits(second, 2) }
            if fractionDigits > 0 { text += "." + digits(fraction, fractionDigits) }
            return text
        }
        let count = (end == .hour ? 13 : 19) + (fractionDigits > 0 ? 1 + fractionDigits : 0)
        return String(unsafeUninitializedCapacity: count) { text in
            write(year, width: 4, into: text, at: 0)
            text[4] = 0x2D
            write(month, width: 2, into: text, at: 5)
            text[7] = 0x2D
            write(day, width: 2, into: text, at: 8)
            text[10] = 0x20
            write(hour, width: 2, into: text, at: 11)
            if end == .second {
                text[13] = 0x3A
                write(minute, width: 2, into: text, at: 14)
                text[16] = 0x3A
                write(second, width: 2, into: text, at: 17)
                if fractionDigits > 0 {
                    text[19] = 0x2E
                    write(fraction, width: fractionDigits, into: text, at: 20)
                }
            }
            return count
        }
    }

    /// `value` (0 ≤ value < 10^width) as `width` decimal digits at `text[start...]`.
    private static func write(_ value: Int, width: Int, into text: UnsafeMutableBufferPointer<UInt8>, at start: Int) {
        var rest = value
        for index in stride(from: start + width - 1, through: start, by: -1) {
            text[index] = 0x30 + UInt8(truncatingIfNeeded: rest % 10)
            rest /= 10
        }
    }

    /// `value` zero-padded to `width` digits (values here are 0…9999, never negative).
    static func digits(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }

    /// One query for every table at once, in two parts joined by `UNION ALL`, each row
    /// `(table, column, declared type, notnull, cid, leads an index, keeps a rowid)`:
    /// - a row per column (`sqlite_master` joined with `pragma_table_info`), with 0 in "leads an index", and whether
    ///   the table keeps a rowid (not a view, not `WITHOUT ROWID`; a column merely named so only costs speed);
    /// - a row per column that leads a non-partial index (`pragma_index_list` and `pragma_index_info`), with 1 there
    ///   and NULL type, notnull, cid and rowid. Expression indexes lead with no column (NULL) and are skipped.
    ///
    /// Why two parts: asking "does this column lead an index?" per column ran the index pragmas once per column
    /// (4,000 times for 1,000 four-column tables, 25–33 ms of a run's sequential start, against 17–21 ms so).
    /// SQLite table names are case-insensitive, so the match is too; each table name is bound once (`?N`) for both parts.
    /// The catalog of many tables in two halves (by distinct name, so a table's rows are all in one), which
    /// `SQLiteWarehouse` reads on two connections at once: its pragmas are most of the sequential start of a large
    /// run (about 20 ms for 1,000 tables, before any dataset query can be planned). Fewer than
    /// `tablesWorthSplitting` tables stay one statement.
    public func catalogQueries(for tables: [TableName]) -> [SQLStatement] {
        var seen = Set<String>()
        let distinct = tables.filter { seen.insert(Self.foldedName($0.table)).inserted }
        guard distinct.count >= Self.tablesWorthSplitting else { return [catalogQuery(for: tables)] }
        let middle = distinct.count / 2
        return [catalogQuery(for: Array(distinct[..<middle])), catalogQuery(for: Array(distinct[middle...]))]
    }

    /// A table name as SQLite compares names: only ASCII letters fold (`lower()` and identifiers alike), so `Ünï`
    /// and `ünï` are two tables. Swift's `lowercased()` folds every letter: the catalog then asked for `ünï` and
    /// found no table named `Ünï`.
    public static func foldedName(_ name: String) -> String {
        String(decoding: name.utf8.map { (0x41...0x5A).contains($0) ? $0 + 0x20 : $0 }, as: UTF8.self)
    }

    /// From how many distinct tables `catalogQueries` splits the catalog in two.
    public static let tablesWorthSplitting = 200

    public func catalogQuery(for tables: [TableName]) -> SQLStatement {
        let names: [SQLValue] = tables.isEmpty ? [.text("")] : tables.map { .text(Self.foldedName($0.table)) }
        let placeholders = names.indices.map { "?\($0 + 1)" }.joined(separator: ", ")
        let sql = """
            SELECT m.name, p.name, p.type, p."notnull", p.cid, 0, \
            m.type = 'table' AND upper(coalesce(m.sql, '')) NOT LIKE '%WITHOUT%ROWID%' \
            FROM sqlite_master AS m JOIN pragma_table_info(m.name) AS p \
            WHERE m.type IN ('table', 'view') AND lower(m.name) IN (\(placeholders)) \
            UNION ALL \
            SELECT m.name, i.name, NULL, NULL, NULL, 1, NULL \
            FROM sqlite_master AS m JOIN pragma_index_list(m.name) AS l JOIN pragma_index_info(l.name) AS i \
            WHERE m.type = 'table' AND lower(m.name) IN (\(placeholders)) AND i.seqno = 0 AND l.partial = 0 \
            ORDER BY 1, 5
            """
        return SQLStatement(sql, arguments: names)
    }
}

/// SQLite's column affinity, from the declared type by SQLite's own rules (datatype3.html, 3.1).
enum SQLiteAffinity: Equatable {
    case integer, text, blob, real, numeric

    /// nil (unknown, e.g. in `--dry-run`) reads as `blob`: values are stored as given, nothing is converted.
    init(declaredType: String?) {
        let type = (declaredType ?? "").uppercased()
        if type.contains("INT") {
            self = .integer
        } else if type.contains("CHAR") || type.contains("CLOB") || type.contains("TEXT") {
            self = .text
        } else if type.contains("BLOB") || type.isEmpty {
            self = .blob
        } else if type.contains("REAL") || type.contains("FLOA") || type.contains("DOUB") {
            self = .real
        } else {
            self = .numeric
        }
    }
}
