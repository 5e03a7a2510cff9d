import Foundation

/// `group_by:` and `max_segments:` of an anomaly check: the metric is measured per segment (each combination of
/// the listed columns' values) by ONE grouped statement, and each segment is judged against its own history, so a
/// drop in one country is flagged even when the total is healthy.
///
/// Bounded: the statement returns at most `maxSegments` rows, the largest segments by rows (ties by value); when the
/// table holds more, the result says how many were left out.
public struct SegmentSpec: Sendable, Hashable {
    public static let defaultMaxSegments = 50
    public static let maxSegmentsRange: ClosedRange<Int> = 1...1_000

    /// The columns whose values name a segment, as written.
    public var columns: [String]
    public var maxSegments: Int

    public init(columns: [String], maxSegments: Int = SegmentSpec.defaultMaxSegments) {
        self.columns = columns
        self.maxSegments = maxSegments
    }
}

/// One segment: the text of each `group_by` column's value (nil for NULL), in the spec's column order.
///
/// Segment values are data, not config: they may hold anything (newlines, escape sequences, 10 kB of text). In the
/// history's metric key they are percent-escaped and bounded (`SegmentKey`); in messages they are shown escaped and
/// shortened (`display`).
public struct Segment: Sendable, Hashable {
    public var columns: [String]
    public var values: [String?]

    public init(columns: [String], values: [String?]) {
        self.columns = columns
        self.values = values
    }

    /// `[country=DE]`, `[country=NULL, channel='a b']`: plain values as they are, others quoted with control
    /// characters escaped and at most `SegmentKey.shownLimit` characters (a value that was bounded in the history key
    /// shows the kept part and `…`).
    public var display: String {
        "[" + zip(columns, values).map { "\(SegmentKey.shown($0))=\(SegmentKey.shown(value: $1))" }.joined(separator: ", ") + "]"
    }
}

/// How a segment is kept in history: inside the metric name of its points, `row_count_1d [country=DE]`, so each
/// segment is its own series with no schema change (prune, backup and `dqmon history` treat it as any metric).
///
/// Encoding: `<metric> [<column>=<value>,…]`, column names and values percent-escaped for `%`, `,`, `=`, `[`, `]`,
/// spaces and every control or format character; NULL is `%null` (a literal `%` is always `%25`, so no text value
/// reads as NULL). A value longer than `storedLimit` characters once escaped keeps its escaped start (at most
/// `storedLimit`) and a 64-bit hash of the whole (`%~<hex>`), so two long values stay two series and a key stays short.
public enum SegmentKey {
    /// Characters of a value kept in a history key before it is cut and hashed.
    static let storedLimit = 100
    /// Characters of a value shown in a message.
    static let shownLimit = 64

    /// The metric key of `segment`'s series of `metric` (a history name).
    public static func key(metric: String, segment: Segment) -> String {
        prefix(metric) + zip(segment.columns, segment.values).map { column, value in
            escape(column) + "=" + (value.map(bounded) ?? "%null")
        }.joined(separator: ",") + "]"
    }

    /// What every segment key of `metric` starts with.
    public static func prefix(_ metric: String) -> String { metric + " [" }

    /// The segment a key of `metric` names, or nil when the key is not one of its segment keys.
    public static func segment(in key: String, metric: String) -> Segment? {
        let start = prefix(metric)
        guard key.hasPrefix(start), key.hasSuffix("]") else { return nil }
        let body = key.dropFirst(start.count).dropLast()
        var columns: [String] = []
        var values: [String?] = []
        for pair in body.split(separator: ",", omittingEmptySubsequences: false) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2 else { return nil }
            columns.append(unescape(String(parts[0])))
            values.append(parts[1] == "%null" ? nil : unescape(String(parts[1])))
        }
        return Segment(columns: columns, values: values)
    }

    /// The escaped value when it is at most `storedLimit` characters, else its escaped start (whole characters, at
    /// most `storedLimit`) and `%~` with the hash of the whole value.
    static func bounded(_ value: String) -> String {
        let escaped = escape(value)
        guard escaped.count > storedLimit else { return escaped }
        var kept = ""
        for scalar in value.unicodeScalars {
            let next = escape(String(scalar))
            if kept.count + next.count > storedLimit { break }
            kept += next
        }
        return kept + "%~" + String(fnv1a(value), radix: 16)
    }

    /// FNV-1a over the UTF-8 bytes: stable across runs and machines (Swift's `Hasher` is seeded per process).
    static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return hash
    }

    static let reserved: Set<Unicode.Scalar> = ["%", ",", "=", "[", "]", " "]

    static func escape(_ text: String) -> String {
        var output = ""
        for scalar in text.unicodeScalars {
            let category = scalar.properties.generalCategory
            if reserved.contains(scalar) || category == .control || category == .format || category == .lineSeparator
                || category == .paragraphSeparator {
                for byte in String(scalar).utf8 { output += String(format: "%%%02X", byte) }
            } else {
                output.unicodeScalars.append(scalar)
            }
        }
        return output
    }

    /// Undoes `escape`; a bounded value's `%~hash` tail becomes `…`.
    static func unescape(_ text: String) -> String {
        var bytes: [UInt8] = []
        var index = text.utf8.startIndex
        let utf8 = text.utf8
        while index < utf8.endIndex {
            let byte = utf8[index]
            if byte == UInt8(ascii: "%") {
                let next = utf8.index(after: index)
                if next < utf8.endIndex, utf8[next] == UInt8(ascii: "~") {
                    bytes += Array("…".utf8)
                    break
                }
                if let end = utf8.index(next, offsetBy: 2, limitedBy: utf8.endIndex),
                   let hex = String(utf8[next..<end]), let value = UInt8(hex, radix: 16) {
                    bytes.append(value)
                    index = end
                    continue
                }
            }
            bytes.append(byte)
            index = utf8.index(after: index)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A column name or value for a message: as it is when plain, else quoted, escaped and shortened.
    static func shown(_ text: String) -> String {
        let plain = !text.isEmpty && text.unicodeScalars.count <= shownLimit && text != "NULL" && text.unicodeScalars.allSatisfy {
            $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "_-.:/@+".unicodeScalars.contains($0))
        }
        return plain ? text : ConfigText.quoted(text, limit: shownLimit)
    }

    static func shown(value: String?) -> String { value.map(shown) ?? "NULL" }
}

/// The grouped measurement of a segmented anomaly check: ONE statement,
/// `SELECT key…, value, rows, count(*) OVER () FROM (SELECT text(key)…, aggregates…, count(*) … GROUP BY text(key)…)
/// ORDER BY rows DESC, key… LIMIT max_segments`, read-only and returning at most `max_segments` rows.
struct SegmentedMetric: DatasetAggregate {
    let target: AnomalyCheck.Target
    let segments: SegmentSpec

    var historyName: String { "\(target.historyName) by \(segments.columns.joined(separator: ", "))" }
    var columns: [String] {
        var names = target.metric.columns
        for column in segments.columns where !names.contains(column) { names.append(column) }
        return names
    }
    var isGrouped: Bool { true }

    func plan(over rows: DatasetRows) -> AggregatePlan {
        let dialect = rows.dialect
        let keys = segments.columns.map { dialect.text(of: dialect.quote($0)) }
        let keyNames = keys.indices.map { "dqmon_k\($0)" }
        let aggregate = Self.scanAggregate(target.metric, over: rows) ?? ScanAggregate(SQLStatement("NULL"))
        let names = aggregate.aggregates.indices.map { "dqmon_g.m\($0)" }
        var inner = SQLStatement("SELECT " + zip(keys, keyNames).map { "\($0) AS \($1)" }.joined(separator: ", "))
        for (index, part) in aggregate.aggregates.enumerated() {
            inner = inner + SQLStatement(", ") + part + SQLStatement(" AS m\(index)")
        }
        inner = inner + SQLStatement(", count(*) AS dqmon_rows FROM \(rows.from) GROUP BY \(keys.joined(separator: ", "))")
        let outerKeys = keyNames.map { "dqmon_g.\($0)" }.joined(separator: ", ")
        var statement = SQLStatement("SELECT \(outerKeys), \(aggregate.convert(names)) AS dqmon_value, dqmon_g.dqmon_rows, "
                                     + "count(*) OVER () AS dqmon_segments FROM (") + inner
            + SQLStatement(") AS dqmon_g ORDER BY dqmon_g.dqmon_rows DESC, \(outerKeys) LIMIT \(segments.maxSegments)")
        statement.isUserSQL = statement.isUserSQL || rows.isFiltered
        return .statement(statement)
    }

    /// The per-row form of `metric` for a grouped scan (probes cannot be grouped); nil for metrics that have none
    /// (`sql:` metrics, which `group_by` rejects when parsing).
    static func scanAggregate(_ metric: Metric, over rows: DatasetRows) -> ScanAggregate? {
        let dialect = rows.dialect
        let quoted = metric.column.map(dialect.quote) ?? ""
        switch metric {
        case .rowCount:
            return ScanAggregate(SQLStatement("count(*)"))
        case .windowedCount(let column, let window):
            let facts = rows.columns[column] ?? TimestampColumn(name: column)
            return dialect.rowsSinceInScan(facts, cutoff: storedCutoff(window, rows: rows))
        case .maxTimestamp(let column):
            return dialect.latestTimestampInScan(rows.columns[column] ?? TimestampColumn(name: column), in: rows.from)
        case .nullRate:
            return ScanAggregate(SQLStatement("(count(*) - count(\(quoted))) * 1.0 / count(*)"))
        case .distinctCount:
            return ScanAggregate(SQLStatement("count(DISTINCT \(quoted))"))
        case .mean:
            return ScanAggregate(SQLStatement("avg(\(quoted))"))
        case .hasRows, .custom, .aggregate:
            return nil
        }
    }

    /// The window's start in the column's stored time (zone-less values are local to the dataset's timezone), as
    /// `MetricQuery` computes it for the total.
    static func storedCutoff(_ window: Interval, rows: DatasetRows) -> Double {
        let cutoff = (rows.now ?? Date()).timeIntervalSince1970 - window.seconds
        guard MetricValues.timestampRange.contains(cutoff) else { return cutoff }
        return cutoff + Double(rows.timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: cutoff)))
    }
}

/// What the grouped statement returned: each segment's value (nil: NULL or unusable, with why), largest first, and
/// how many segments the table holds in all.
struct SegmentReadings: Sendable {
    struct Reading: Sendable {
        var segment: Segment
        var value: Double?
        var problem: String?
    }

    var readings: [Reading] = []
    var totalSegments = 0

    /// Reads the statement's rows (`key…, value, rows, segments`) for `target`, turning a freshness column's latest
    /// time into its lag at `now`. A value dqmon cannot use (NaN, infinite) becomes that segment's problem.
    init(rows: [[SQLValue]], spec: SegmentSpec, target: AnomalyCheck.Target, now: Date, timeZone: TimeZone) {
        let width = spec.columns.count
        for row in rows where row.count >= width + 3 {
            let values: [String?] = row.prefix(width).map { value in
                switch value {
                case .null: return nil
                case .text(let text): return text
                default: return value.literal
                }
            }
            var reading = Reading(segment: Segment(columns: spec.columns, values: values), value: row[width].double)
            if let value = reading.value, let problem = MetricValues.problem(with: value, of: target.metric) {
                reading.value = nil
                reading.problem = problem
            } else if case .freshnessLag = target, let stored = reading.value {
                let utc = stored - Double(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: stored)))
                reading.value = now.timeIntervalSince1970 - (utc * 1000).rounded() / 1000
            }
            readings.append(reading)
            totalSegments = max(totalSegments, row[width + 2].double.map { Int(exactly: $0.rounded()) ?? 0 } ?? 0)
        }
        totalSegments = max(totalSegments, readings.count)
    }
}
