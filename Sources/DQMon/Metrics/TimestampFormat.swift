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

    /// How many values of a `declaredFormSample` (`type:value` joined by U+001F) are not of this form; a
    /// separator inside a value only splits it into pieces that are not in form (a false alarm, never a miss).
    ///
    /// Scans the UTF-8 bytes (U+001F and `:` are single bytes that no multi-byte character contains): splitting the
    /// String by Character and copying each piece cost ~4% of `dqmon check --all` on 1,000 declared tables.
    func countNotInForm(sample: String) -> Int {
        guard !sample.isEmpty else { return 0 }
        var text = sample
        return text.withUTF8 { bytes in
            var count = 0, start = 0
            for index in 0...bytes.count where index == bytes.count || bytes[index] == 0x1F {
                if !holds(typed: UnsafeBufferPointer(rebasing: bytes[start..<index])) { count += 1 }
                start = index + 1
            }
            return count
        }
    }

    /// Whether one `type:value` of a sample (its UTF-8 bytes) is of this form (as `epochSeconds(ofStored:)` reads a
    /// latest value).
    func holds(typed item: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let colon = item.firstIndex(of: 0x3A) else { return false }
        let type = UnsafeBufferPointer(rebasing: item[..<colon]), value = UnsafeBufferPointer(rebasing: item[(colon + 1)...])
        switch self {
        case .utcText:
            return type.elementsEqual("text".utf8) && Self.utcTextSeconds(utf8: value) != nil
        case .epochSeconds, .epochMillis:
            guard type.elementsEqual("integer".utf8) || type.elementsEqual("real".utf8),
                  let number = Double(String(decoding: value, as: UTF8.self)), number.isFinite else { return false }
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

    /// `utcTextSeconds(_:)` on UTF-8 bytes.
    static func utcTextSeconds(utf8 bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        guard bytes.count >= 19, bytes[4] == 0x2D, bytes[7] == 0x2D, bytes[10] == 0x20, bytes[13] == 0x3A, bytes[16] == 0x3A,
              let year = number(bytes, 0, 4), let month = number(bytes, 5, 2), let day = number(bytes, 8, 2),
              let hour = number(bytes, 11, 2), let minute = number(bytes, 14, 2), let second = number(bytes, 17, 2),
              (1...12).contains(month), day >= 1, day <= ISO8601.daysInMonth(year: year, month: month),
              hour < 24, minute < 60, second < 60 else { return nil }
        var milliseconds = 0.0
        if bytes.count > 19 {
            guard bytes[19] == 0x2E, bytes.count > 20, bytes[20...].allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
            var fraction = 0.0, scale = 0.1
            for digit in bytes[20...].prefix(15) {
                fraction += Double(digit - 0x30) * scale
                scale /= 10
            }
            milliseconds = (fraction * 1000).rounded()
        }
        let days = ISO8601.daysFromCivil(year: year, month: month, day: day)
        return Double(days * 86_400 + hour * 3_600 + minute * 60 + second) + milliseconds / 1000
    }

    /// The decimal number in `bytes[start..<start+count]`, nil unless all are digits.
    private static func number(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ count: Int) -> Int? {
        var value = 0
        for byte in bytes[start..<(start + count)] {
            guard (0x30...0x39).contains(byte) else { return nil }
            value = value * 10 + Int(byte - 0x30)
        }
        return value
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
            var text = SQLiteDialect.hourPrefix(seconds)
            var time = time_t(seconds)
            var parts = tm()
            gmtime_r(&time, &parts)
            text += ":" + SQLiteDialect.digits(Int(parts.tm_min), 2) + ":" + SQLiteDialect.digits(Int(parts.tm_sec), 2)
            if fraction > 0 {
                var digits = SQLiteDialect.digits(fraction, 3)
                while digits.hasSuffix("0") { digits.removeLast() }
                text += "." + digits
            }
            return .text(text)
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
    public func declaredFormSample(_ column: TimestampColumn, in table: String) -> SQLStatement? { nil }
}
