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
    /// The `other` segment: every segment past `max_segments`, folded into one series (`values` is empty).
    public var isOther = false

    public init(columns: [String], values: [String?]) {
        self.columns = columns
        self.values = values
    }

    /// The segment that folds every segment past `max_segments`.
    public static func other(columns: [String]) -> Segment {
        var segment = Segment(columns: columns, values: [])
        segment.isOther = true
        return segment
    }

    /// `[country=DE]`, `[country=NULL, channel='a b']`, `[other]`: plain values as they are, others quoted with
    /// control characters escaped and at most `SegmentKey.shownLimit` characters (a value that was bounded in the
    /// history key shows the kept part and `…`). A real value 'other' shows as `[country=other]`, never `[other]`.
    public var display: String { "[" + shown + "]" }

    /// The display without brackets: what `--segment` takes (`country=DE`, `other`).
    public var shown: String {
        isOther ? SegmentKey.otherName
            : zip(columns, values).map { "\(SegmentKey.shown($0))=\(SegmentKey.shown(value: $1))" }.joined(separator: ", ")
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

    /// How `--segment` and messages name the folded rest.
    public static let otherName = "other"

    /// What every `other` key of `metric` starts with. `%o` is no escape, so no real segment's key starts so.
    public static func otherPrefix(_ metric: String) -> String { prefix(metric) + "%other" }

    /// The key of `other`'s series while `judged` are the segments judged one by one: `row_count_1d [%other~<hash>]`.
    ///
    /// `other` is kept as one series per composition, so a segment moving in or out of the largest `max_segments`
    /// starts a new series (learning) instead of making `other` jump by that segment's volume: its earlier points,
    /// which held other segments, never train it.
    public static func otherKey(metric: String, judged: [Segment]) -> String {
        let composition = judged.map { key(metric: "", segment: $0) }.sorted().joined(separator: "\n")
        return otherPrefix(metric) + "~" + String(fnv1a(composition), radix: 16) + "]"
    }

    /// Whether `key` is one of `metric`'s `other` keys.
    public static func isOther(_ key: String, metric: String) -> Bool { key.hasPrefix(otherPrefix(metric)) && key.hasSuffix("]") }

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
