import Foundation
import GRDB

/// The one way the history reads a stored value: leniently, as SQLite itself converts between types, so a value of
/// the wrong type never stops dqmon.
///
/// Why: users and tools edit the history file (the sqlite3 shell, restores, another dqmon version, damage that still
/// passes `PRAGMA quick_check`, which does not look at value types), and an SQLite column accepts any type. GRDB's
/// non-optional subscript (`let x: Int = row[0]`) and optional one (`row[0] as Double?`) both stop the process
/// (`try!`, SIGILL) on a value they cannot convert: text in a number column, a real beyond 2^63, a blob that is not
/// UTF-8, or NULL where a value belongs.
///
/// Contract: these accessors never trap and never throw. Numbers read as `CAST(... AS INTEGER/REAL)` would (text
/// gives its leading number, else 0; reals beyond the 64-bit range saturate; NULL is 0), text reads as SQLite renders
/// it (a blob as UTF-8, repaired; NULL is ""), times are seconds since 1970 clamped to the years 0001-9999 that `--now`
/// accepts (so a duration computed from them fits in an `Int`). Optionals are nil only for NULL.
/// A damaged value therefore shows as a plain wrong value (e.g. a time of 1970-01-01) in the one row that holds it;
/// `dqmon doctor` names such values (`DamagedHistoryValue`).
///
/// Cost: one `sqlite3_column_type` switch per value and no allocation beyond the text itself, for the hot reads of
/// results and metric points.
extension Row {
    @inline(__always)
    func storedValue(_ index: Int) -> DatabaseValue.Storage { (self[index] as DatabaseValue).storage }

    /// The value at `index` as `Value` (Int, Int64, Double, Bool, String, Date, or an optional of one), read as
    /// described above: `let count: Int = row.stored(0)`, `row.stored(3) as Date?`.
    @inline(__always)
    func stored<Value: StoredValueReadable>(_ index: Int) -> Value { Value.read(storedValue(index)) }

    /// A time as seconds since 1970, clamped to the years 0001-9999 (as `stored(index) as Date`); NULL is 0.
    @inline(__always)
    func storedSeconds(_ index: Int) -> Double { StoredValues.seconds(StoredValues.real(storedValue(index))) }

    /// nil for NULL, else `storedSeconds`.
    @inline(__always)
    func storedSecondsIfPresent(_ index: Int) -> Double? {
        let value = storedValue(index)
        if case .null = value { return nil }
        return StoredValues.seconds(StoredValues.real(value))
    }

    /// The value of the column named `name` (see `stored(_:)`).
    @inline(__always)
    func stored<Value: StoredValueReadable>(_ name: String) -> Value { Value.read((self[name] as DatabaseValue).storage) }
}

/// A type the history reads with SQLite's lenient conversions (see the `Row` extension above).
protocol StoredValueReadable {
    static func read(_ value: DatabaseValue.Storage) -> Self
}

extension Int: StoredValueReadable {
    /// As `CAST(value AS INTEGER)`; NULL is 0.
    @inline(__always) static func read(_ value: DatabaseValue.Storage) -> Int { StoredValues.integer(value) }
}

extension Int64: StoredValueReadable {
    @inline(__always) static func read(_ value: DatabaseValue.Storage) -> Int64 { Int64(StoredValues.integer(value)) }
}

extension Double: StoredValueReadable {
    /// As `CAST(value AS REAL)`; NULL is 0.
    @inline(__always) static func read(_ value: DatabaseValue.Storage) -> Double { StoredValues.real(value) }
}

extension Bool: StoredValueReadable {
    /// A non-zero number, as SQLite tests truth; NULL is false.
    @inline(__always) static func read(_ value: DatabaseValue.Storage) -> Bool { StoredValues.real(value) != 0 }
}

extension String: StoredValueReadable {
    /// As SQLite renders text (a blob as UTF-8, repaired); NULL is "".
    @inline(__always) static func read(_ value: DatabaseValue.Storage) -> String { StoredValues.text(value) }
}

extension Date: StoredValueReadable {
    /// Seconds since 1970, clamped to the years 0001-9999; NULL is 1970-01-01.
    @inline(__always) static func read(_ value: DatabaseValue.Storage) -> Date {
        Date(timeIntervalSince1970: StoredValues.seconds(StoredValues.real(value)))
    }
}

extension Optional: StoredValueReadable where Wrapped: StoredValueReadable {
    /// nil for NULL only; any other value is read as `Wrapped`.
    @inline(__always) static func read(_ value: DatabaseValue.Storage) -> Wrapped? {
        if case .null = value { return nil }
        return Wrapped.read(value)
    }
}

/// SQLite's own conversions between storage classes, without a trap (see the `Row` extension above).
enum StoredValues {
    /// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z: the range of `--now`, and of every time dqmon writes.
    static let earliestSeconds: Double = -62_135_596_800
    static let latestSeconds: Double = 253_402_300_799

    static func seconds(_ value: Double) -> Double {
        guard !value.isNaN else { return 0 }
        return min(max(value, earliestSeconds), latestSeconds)
    }

    static func integer(_ value: DatabaseValue.Storage) -> Int {
        switch value {
        case .null: return 0
        case .int64(let integer): return Int(truncatingIfNeeded: integer)
        case .double(let real): return saturating(real)
        case .string(let text): return integer(text)
        case .blob(let data): return integer(String(decoding: data, as: UTF8.self))
        }
    }

    static func real(_ value: DatabaseValue.Storage) -> Double {
        switch value {
        case .null: return 0
        case .int64(let integer): return Double(integer)
        case .double(let real): return real
        case .string(let text): return numericPrefix(text).flatMap { Double($0) } ?? 0
        case .blob(let data): return numericPrefix(String(decoding: data, as: UTF8.self)).flatMap { Double($0) } ?? 0
        }
    }

    static func text(_ value: DatabaseValue.Storage) -> String {
        switch value {
        case .null: return ""
        case .int64(let integer): return String(integer)
        case .double(let real): return String(real)
        case .string(let text): return text
        case .blob(let data): return String(decoding: data, as: UTF8.self)
        }
    }

    /// Toward zero, as SQLite's CAST; beyond the 64-bit range, the bound; NaN (never stored by SQLite) is 0.
    static func saturating(_ real: Double) -> Int {
        if real.isNaN { return 0 }
        if real >= 9_223_372_036_854_775_807.0 { return Int.max }
        if real <= -9_223_372_036_854_775_808.0 { return Int.min }
        return Int(real)
    }

    /// The leading integer of `text` (after spaces, with its sign), or its leading real, as CAST reads text; else 0.
    static func integer(_ text: String) -> Int {
        guard let prefix = numericPrefix(text) else { return 0 }
        if let exact = Int(prefix) { return exact }
        if prefix.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "-" || $0 == "+") }) {
            return prefix.hasPrefix("-") ? Int.min : Int.max
        }
        return saturating(Double(prefix) ?? 0)
    }

    /// The longest prefix of `text` (leading spaces skipped) that reads as a number: sign, digits, fraction,
    /// exponent. nil when there is none.
    static func numericPrefix(_ text: String) -> Substring? {
        let bytes = text.utf8
        var index = bytes.startIndex
        func skip(while accept: (UInt8) -> Bool) {
            while index != bytes.endIndex, accept(bytes[index]) { index = bytes.index(after: index) }
        }
        func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
        skip { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
        let start = index
        if index != bytes.endIndex, bytes[index] == 0x2B || bytes[index] == 0x2D { index = bytes.index(after: index) }
        let digitsStart = index
        skip(while: isDigit)
        var sawDigit = index != digitsStart
        if index != bytes.endIndex, bytes[index] == 0x2E {
            index = bytes.index(after: index)
            let fraction = index
            skip(while: isDigit)
            sawDigit = sawDigit || index != fraction
        }
        guard sawDigit else { return nil }
        var end = index
        if index != bytes.endIndex, bytes[index] == 0x65 || bytes[index] == 0x45 {
            index = bytes.index(after: index)
            if index != bytes.endIndex, bytes[index] == 0x2B || bytes[index] == 0x2D { index = bytes.index(after: index) }
            let exponent = index
            skip(while: isDigit)
            if index != exponent { end = index }
        }
        return text[start..<end]
    }
}
