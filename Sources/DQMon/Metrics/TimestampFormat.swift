import Foundation

/// How a timestamp column is stored, as the user declares it with a dataset's `timestamp_format:` (trusted config,
/// like `where:`). A declared column is read raw: `max(col)` and `col >= bound` compare the stored values, with no
/// per-row conversion, which is only right when every row is in the declared form. dqmon checks the declaration
/// on the table's newest rows and on the answer it reads (`MetricQuery.declarationViolations`); a value of another
/// form there makes the run measure the column the exact way and print a warning, never a silently wrong answer
/// from what it saw. Without a declaration, every form is read exactly (the default).
public enum TimestampFormat: String, Sendable, CaseIterable, Hashable {
    /// `YYYY-MM-DD HH:MM:SS`, optionally `.` and fraction digits, zone-less, in UTC: sorts as it is timed.
    case utcText = "utc_text"
    /// Epoch seconds, a number not above 10¹¹ (the limit above which dqmon reads an epoch number as milliseconds).
    case epochSeconds = "epoch_seconds"
    /// Epoch milliseconds, a number above 10¹¹.
    case epochMillis = "epoch_millis"

    /// Epoch numbers above this are milliseconds, in the exact form too (`SQLiteDialect.millisecondsAbove`).
    static let millisecondsAbove = 100_000_000_000.0

    /// The value a raw `max(col)` returned, as epoch seconds (in the column's stored time); `.failure` when the
    /// value is not of this form (the declaration is wrong); `.success(nil)` for NULL (no timestamp in the rows).
    public func epochSeconds(ofStored value: SQLValue) -> Result<Double?, Mismatch> {
        switch (self, value) {
        case (_, .null):
            return .success(nil)
        case (.utcText, .text(let text)):
            guard let seconds = Self.utcTextSeconds(text) else { return .failure(Mismatch(value: value)) }
            return .success(seconds)
        case (.epochSeconds, _):
            guard let number = value.epochNumber, number <= Self.millisecondsAbove else { return .failure(Mismatch(value: value)) }
            return .success(number)
        case (.epochMillis, _):
            guard let number = value.epochNumber, number > Self.millisecondsAbove else { return .failure(Mismatch(value: value)) }
            return .success(number / 1000)
        default:
            return .failure(Mismatch(value: value))
        }
    }

    /// Whether one item of a `declaredFormSample` (SQLite's `quote()` of a value, as UTF-8 bytes) is of this form, as
    /// `epochSeconds(ofStored:)` reads a latest value; nil for `NULL` (no value: not checked). `quote()` writes text as
    /// `'…'` (an inner `'` doubled, which no form contains), a blob as `X'…'`, and a number bare (a REAL to 15
    /// significant digits, or 20 when 15 do not read back as the same double).
    func holds(quoted item: UnsafeBufferPointer<UInt8>) -> Bool? {
        guard let first = item.first else { return false }
        if first == 0x4E, item.elementsEqual("NULL".utf8) { return nil }
        let isText = first == 0x27 && item.count >= 2 && item[item.count - 1] == 0x27
        switch self {
        case .utcText:
            return isText && Self.utcTextSeconds(utf8: UnsafeBufferPointer(rebasing: item[1..<(item.count - 1)])) != nil
        case .epochSeconds, .epochMillis:
            guard first != 0x27, first != 0x58, let number = Double(String(decoding: item, as: UTF8.self)), number.isFinite else { return false }
            return self == .epochSeconds ? number <= Self.millisecondsAbove : number > Self.millisecondsAbove
        }
    }

    /// A value that contradicts the declaration, for the warning line.
    public struct Mismatch: Error, Sendable {
        public let value: SQLValue
        var shown: String {
            switch value {
            case .null: return "NULL"
            case .integer(let number): return String(number)
            case .real(let number): return String(number)
            case .text(let text): return ConfigText.quoted(text, limit: 40)
            }
        }
    }

    /// Epoch seconds of `YYYY-MM-DD HH:MM:SS[.f…]` (a real calendar date, hours 00–23), to the millisecond as SQLite's
    /// `julianday` reads it; nil for any other text.
    static func utcTextSeconds(_ text: String) -> Double? {
        var text = text
        return text.withUTF8 { utcTextSeconds(utf8: $0) }
    }

    /// `utcTextSeconds(_:)` on UTF-8 bytes. Reads the 14 digits at their fixed places in one pass (a sample's 32 values
    /// per dataset are read so: ~100 fewer instructions each than parsing field by field from slices).
    static func utcTextSeconds(utf8 bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        guard bytes.count >= 19, bytes[4] == 0x2D, bytes[7] == 0x2D, bytes[10] == 0x20, bytes[13] == 0x3A, bytes[16] == 0x3A else { return nil }
        var notDigit = false
        func digit(_ index: Int) -> Int {
            let value = bytes[index] &- 0x30  // wraps below '0': > 9 too
            notDigit = notDigit || value > 9
            return Int(value)
        }
        let year = digit(0) * 1000 + digit(1) * 100 + digit(2) * 10 + digit(3)
        let month = digit(5) * 10 + digit(6), day = digit(8) * 10 + digit(9)
        let hour = digit(11) * 10 + digit(12), minute = digit(14) * 10 + digit(15), second = digit(17) * 10 + digit(18)
        guard !notDigit, (1...12).contains(month), day >= 1, day <= ISO8601.daysInMonth(year: year, month: month),
              hour < 24, minute < 60, second < 60 else { return nil }
        var milliseconds = 0.0
        if bytes.count > 19 {
            guard bytes[19] == 0x2E, bytes.count > 20 else { return nil }
            var fraction = 0.0, scale = 0.1
            for index in 20..<bytes.count {
                let value = bytes[index] &- 0x30
                guard value <= 9 else { return nil }
                if index < 35 {  // the first 15 fraction digits, as many as a double holds
                    fraction += Double(value) * scale
                    scale /= 10
                }
            }
            milliseconds = (fraction * 1000).rounded()
        }
        let days = ISO8601.daysFromCivil(year: year, month: month, day: day)
        return Double(days * 86_400 + hour * 3_600 + minute * 60 + second) + milliseconds / 1000
    }

    /// The window's bound in this form, for `col >= bound` on the raw column: `cutoff` (seconds, stored time) as
    /// UTC text rounded UP to the millisecond (so a row sorting at or above it is at or after the cutoff, to the
    /// millisecond), or as an epoch number. nil when the cutoff is outside the years 1–9999 (then the exact form).
    func bound(_ cutoff: Double) -> SQLValue? {
        guard MetricValues.timestampRange.contains(cutoff) else { return nil }
        switch self {
        case .epochSeconds: return .real(cutoff)
        case .epochMillis: return .real(cutoff * 1000)
        case .utcText:
            let milliseconds = ((cutoff * 1_000_000).rounded() / 1000).rounded(.up)
            let seconds = (milliseconds / 1000).rounded(.down)
            let fraction = Int(milliseconds - seconds * 1000)
            guard (0..<1000).contains(fraction) else { return nil }
            var time = time_t(seconds)
            var parts = tm()
            gmtime_r(&time, &parts)
            guard seconds <= MetricValues.timestampRange.upperBound else {  // rounded up past 9999: the hour clamps (hourPrefix)
                var text = SQLiteDialect.hourPrefix(seconds) + ":" + SQLiteDialect.digits(Int(parts.tm_min), 2) + ":"
                    + SQLiteDialect.digits(Int(parts.tm_sec), 2)
                if fraction > 0 {
                    var digits = SQLiteDialect.digits(fraction, 3)
                    while digits.hasSuffix("0") { digits.removeLast() }
                    text += "." + digits
                }
                return .text(text)
            }
            return .text(SQLiteDialect.utcText(parts, through: .second, milliseconds: fraction))  // one string, written in place
        }
    }
}

/// A dataset's `timestamp_format:` — one form for every timestamp column it reads (`timestamp_format: utc_text`), or
/// one per column (`timestamp_format: { updated_at: utc_text, loaded_at: epoch_millis }`).
public struct TimestampFormats: Sendable, Hashable {
    /// The form of every column not named in `byColumn`.
    public var all: TimestampFormat?
    public var byColumn: [String: TimestampFormat]

    public init(all: TimestampFormat? = nil, byColumn: [String: TimestampFormat] = [:]) {
        self.all = all
        self.byColumn = byColumn
    }

    /// Columns whose declaration a run dropped (a value of another form was seen there): read the exact way even
    /// when `all` covers them.
    var excluded: Set<String> = []

    /// The declared form of `column`, if any.
    public func format(of column: String) -> TimestampFormat? { excluded.contains(column) ? nil : byColumn[column] ?? all }

    public var isEmpty: Bool { all == nil && byColumn.isEmpty }

    /// These declarations without `columns`'.
    func removing(_ columns: Set<String>) -> TimestampFormats {
        var kept = self
        kept.excluded.formUnion(columns)
        return kept
    }
}

extension SQLValue {
    /// A stored number (INTEGER or REAL), never text that reads as one: an epoch column holding text is not in form.
    var epochNumber: Double? {
        switch self {
        case .integer(let value): return Double(value)
        case .real(let value): return value.isFinite ? value : nil
        case .text, .null: return nil
        }
    }
}

extension SQLDialect {
    /// By default a dialect reads every timestamp column the exact way, whatever `timestamp_format:` says.
    public func declaredFormSample(_ columns: [TimestampColumn], in table: String) -> SQLStatement? { nil }
}

/// Reads the result of `SQLDialect.declaredFormSample`: the newest rows' values of the declared columns, each as
/// SQLite's `quote()` gives it, all joined by `,` row after row (`quote(a),quote(b),quote(a),quote(b),…`), so the
/// k-th item belongs to the column `k % columns`.
///
/// `quote()` makes the text unambiguous: a text value is `'…'` with each inner `'` doubled, so a `,` (or any
/// separator) inside a value never splits it, and a NULL (`NULL`) keeps its place in the row without dropping the
/// other columns' values. Scans UTF-8 bytes (`'` and `,` are single bytes no multi-byte character contains).
enum DeclaredSample {
    /// Per column (in the order of `formats`), how many of its non-NULL values in `sample` are not of its form.
    static func notInForm(_ sample: String, formats: [TimestampFormat]) -> [Int] {
        var counts = [Int](repeating: 0, count: formats.count)
        guard !formats.isEmpty, !sample.isEmpty else { return counts }
        var text = sample
        text.withUTF8 { bytes in
            var start = 0, column = 0
            while start <= bytes.count {
                let end = itemEnd(bytes, from: start)
                if formats[column].holds(quoted: UnsafeBufferPointer(rebasing: bytes[start..<end])) == false { counts[column] += 1 }
                column = column + 1 == formats.count ? 0 : column + 1
                start = end + 1
            }
        }
        return counts
    }

    /// The index of the `,` that ends the item starting at `start` (or the end): past a quoted text's closing `'`.
    static func itemEnd(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        var index = start
        if index < bytes.count, bytes[index] == 0x27 {  // '…' with '' inside
            index += 1
            while index < bytes.count {
                if bytes[index] == 0x27 {
                    if index + 1 < bytes.count, bytes[index + 1] == 0x27 { index += 2; continue }
                    index += 1
                    break
                }
                index += 1
            }
        }
        while index < bytes.count, bytes[index] != 0x2C { index += 1 }
        return index
    }
}
