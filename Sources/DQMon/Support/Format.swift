import Foundation

/// Human formatting shared by messages, tables and reports.
///
/// Every function here is total over all `Double` inputs (NaN, ±infinity, ±1e308, -0): a value dqmon cannot
/// measure still prints, and never traps. The conventions:
/// - non-finite numbers print as `nan`, `inf` and `-inf` (`Format.nonFinite`);
/// - from `scientificFrom` (1e15) in magnitude, numbers print in scientific notation (`1.5e+20`): past 2^53 a
///   `Double` no longer holds every integer, so the 16th and later digits would be invented;
/// - `-0` prints as `0`.
public enum Format {
    /// Magnitude from which `count`, `fixed` and `percent` switch to scientific notation.
    public static let scientificFrom = 1e15

    /// `nan`, `inf` or `-inf`: how a non-finite number prints in text (JSON documents write `null` instead).
    public static func nonFinite(_ value: Double) -> String {
        value.isNaN ? "nan" : value < 0 ? "-inf" : "inf"
    }

    /// `0.5` -> `50%`, `0.125` -> `12.5%`, `1e20` -> `1e+22%`, `.nan` -> `nan%`.
    public static func percent(_ fraction: Double) -> String {
        guard fraction.isFinite else { return nonFinite(fraction) + "%" }
        guard abs(fraction) * 100 < scientificFrom else { return scientific(fraction, timesPowerOfTen: 2) + "%" }
        let value = fraction * 100
        if value == value.rounded() { return "\(Int64(value))%" }
        return fixed(value, places: 1) + "%"
    }

    /// `value` with exactly `places` decimals (clamped to 0...17), like `String(format: "%.2f")` (ties to even; never
    /// "-0"), without Foundation's formatter (reports print thousands of figures). From `scientificFrom` on it is
    /// scientific (`1.23457e+20`), and non-finite values print as `nonFinite` says.
    public static func fixed(_ value: Double, places: Int) -> String {
        guard value.isFinite else { return nonFinite(value) }
        guard abs(value) < scientificFrom else { return scientific(value) }
        let places = min(max(places, 0), 17)
        var scale: Int64 = 1
        for _ in 0..<min(places, 6) { scale *= 10 }
        guard places <= 6 else {
            let text = String(format: "%.\(places)f", value)
            return text.hasPrefix("-") && text.allSatisfy({ "-0.".contains($0) }) ? String(text.dropFirst()) : text
        }
        // Scaled past Int64 (a large value with many places): printf, whose output is short below 1e15.
        guard abs(value) * Double(scale) < 9e18 else { return String(format: "%.\(places)f", value) }
        let scaled = Int64((abs(value) * Double(scale)).rounded(.toNearestOrEven))
        let whole = String(scaled / scale)
        let sign = value < 0 && scaled != 0 ? "-" : ""
        guard places > 0 else { return sign + whole }
        let fraction = String(scaled % scale)
        return sign + whole + "." + String(repeating: "0", count: places - fraction.count) + fraction
    }

    /// A count with thousands separators: `12345` -> `12,345`; fractions get two decimals (`2.50`); from
    /// `scientificFrom` on, scientific (`1.5e+20`).
    public static func count(_ value: Double) -> String {
        guard value.isFinite else { return nonFinite(value) }
        guard abs(value) < scientificFrom else { return scientific(value) }
        if value != value.rounded() { return fixed(value, places: 2) }
        // Grouped over the digits' bytes: Character by Character (reversed twice) was a visible part of a run's
        // 5,000 results.
        let digits = String(Int64(value).magnitude).utf8
        var grouped: [UInt8] = value < 0 ? [UInt8(ascii: "-")] : []
        grouped.reserveCapacity(digits.count + digits.count / 3 + 1)
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { grouped.append(UInt8(ascii: ",")) }
            grouped.append(digit)
        }
        return String(decoding: grouped, as: UTF8.self)
    }

    /// A duration in the largest sensible units: `5400` -> `1h30m`, `200000` -> `2d7h`; from 10,000 days on, days
    /// only (`11,574,074d`, then scientific: `1.15741e+25d`); non-finite durations print as `nonFinite` says.
    public static func age(_ seconds: TimeInterval) -> String {
        guard seconds.isFinite else { return nonFinite(seconds) }
        if seconds < 0 { return "-" + age(-seconds) }
        let whole = seconds.rounded()
        if whole < 60 { return "\(Int(whole))s" }
        if whole < 172_800 {
            let minutes = Int(whole) / 60
            let hours = minutes / 60
            if hours == 0 { return "\(minutes)m" }
            return minutes % 60 == 0 ? "\(hours)h" : "\(hours)h\(minutes % 60)m"
        }
        let days = (seconds / 86_400).rounded(.down)
        // Hours only while they mean something (under ~27 years); beyond, the days are the figure.
        guard days < 10_000 else { return count(days) + "d" }
        let hours = min(23, max(0, Int(((seconds - days * 86_400) / 3_600).rounded(.down))))
        return count(days) + "d" + (hours == 0 ? "" : "\(hours)h")
    }

    /// ISO 8601 in UTC, to the second: `2026-11-25T18:00:00Z` (see `ISO8601.string(from:)` for other years).
    public static func timestamp(_ date: Date) -> String {
        ISO8601.string(from: date)
    }

    /// `value` in scientific notation with 6 significant digits (`%.6g`'s mantissa), its exponent raised by
    /// `timesPowerOfTen` (so a fraction prints as a percent without overflowing): `1.5e+20`.
    public static func scientific(_ value: Double, timesPowerOfTen shift: Int = 0) -> String {
        guard value.isFinite else { return nonFinite(value) }
        guard value != 0 else { return "0" }
        let text = printf("%.5e", value)  // d.ddddde±XX
        guard let split = text.firstIndex(of: "e"), let exponent = Int(text[text.index(after: split)...]) else { return text }
        var mantissa = String(text[..<split])
        if mantissa.contains(".") {
            while mantissa.hasSuffix("0") { mantissa.removeLast() }
            if mantissa.hasSuffix(".") { mantissa.removeLast() }
        }
        let shifted = exponent + shift
        let digits = String(shifted.magnitude)
        return mantissa + "e" + (shifted < 0 ? "-" : "+") + (digits.count < 2 ? "0" : "") + digits
    }

    /// One `Double` through C's `snprintf` (short formats only: the buffer holds 64 bytes).
    static func printf(_ format: String, _ value: Double) -> String {
        var buffer = [CChar](repeating: 0, count: 64)
        let written = withVaList([value]) { arguments in
            buffer.withUnsafeMutableBufferPointer { vsnprintf($0.baseAddress, 64, format, arguments) }
        }
        guard written >= 0 else { return nonFinite(.nan) }
        return String(decoding: buffer.prefix(min(Int(written), 63)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// ISO 8601 parsing and printing in the proleptic Gregorian calendar (the one `gmtime` and SQL databases use; not
/// Foundation's, which switches to the Julian calendar before 1582), so that what `--now` parses prints the same.
public enum ISO8601 {
    /// The instants `--now` and CSV timestamps may name: 0001-01-01T00:00:00Z through 9999-12-31T23:59:59Z
    /// (four-digit years, ISO 8601's basic range), as seconds since 1970-01-01.
    public static let supportedRange: ClosedRange<Double> = -62_135_596_800 ... 253_402_300_799
    /// The largest UTC offset accepted (ISO 8601 and every time zone in use: -12:00 to +14:00).
    public static let maximumOffsetHours = 18

    /// `2026-11-25T18:00:00Z`. Years outside 0000...9999 are written with a sign (ISO 8601's expanded form,
    /// `+12345-01-01T00:00:00Z`); beyond a billion years, non-finite times and NaN print as
    /// `1e+30s after 1970-01-01T00:00:00Z`, `infinity`, `-infinity` and `NaN` (PostgreSQL's spellings).
    /// Formatted natively: a formatter per call costs ICU set-up, and this runs for every result.
    public static func string(from date: Date) -> String {
        let seconds = date.timeIntervalSince1970
        guard seconds.isFinite else { return seconds.isNaN ? "NaN" : seconds < 0 ? "-infinity" : "infinity" }
        let whole = seconds.rounded(.down)
        guard abs(whole) < 3e16 else {
            return Format.scientific(abs(seconds)) + "s " + (seconds < 0 ? "before" : "after") + " 1970-01-01T00:00:00Z"
        }
        let total = Int64(whole)
        let days = total >= 0 ? total / 86_400 : -((-total + 86_399) / 86_400)
        let secondOfDay = Int(total - days * 86_400)
        let (year, month, day) = civil(daysSinceEpoch: days)
        let yearText = (0...9999).contains(year) ? pad(year, 4) : (year < 0 ? "-" : "+") + pad(Int64(year.magnitude), 4)
        return yearText + "-" + pad(Int64(month), 2) + "-" + pad(Int64(day), 2) + "T" + pad(Int64(secondOfDay / 3_600), 2) + ":"
            + pad(Int64(secondOfDay / 60 % 60), 2) + ":" + pad(Int64(secondOfDay % 60), 2) + "Z"
    }

    static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    /// Accepts `2026-11-25T18:00:00Z`, with fractional seconds or an offset (`+02:00`, `+0200`, `+02`),
    /// `2026-11-25T18:00`, `2026-11-25 18:00:00` and `2026-11-25` (no offset: UTC). Nil when `parse` throws.
    public static func date(from text: String) -> Date? {
        try? parse(text)
    }

    /// Why a time was rejected, for a one-line message (`--now '…': <description>`).
    public enum ParseError: Error, Equatable, CustomStringConvertible {
        case notATime
        case fieldOutOfRange(String)
        case offsetOutOfRange(String)
        case outOfRange

        public var description: String {
            switch self {
            case .notATime: return "not an ISO 8601 time (write e.g. 2026-11-25T18:00:00Z, 2026-11-25T18:00:00+02:00 or 2026-11-25)"
            case .fieldOutOfRange(let what): return what
            case .offsetOutOfRange(let offset): return "the UTC offset \(offset) is outside -18:00...+18:00"
            case .outOfRange: return "outside the supported years 0001-01-01T00:00:00Z...9999-12-31T23:59:59Z"
            }
        }
    }

    /// Parses the forms `date(from:)` lists, in the proleptic Gregorian calendar; the instant must lie within
    /// `supportedRange` and an offset within ±18:00.
    public static func parse(_ text: String) throws(ParseError) -> Date {
        Date(timeIntervalSince1970: try seconds(Array(text.utf8)))
    }

    /// `parse` on UTF-8 bytes, as seconds since 1970-01-01 (the CSV reader calls this for every row).
    static func seconds(_ bytes: [UInt8]) throws(ParseError) -> Double {
        var reader = Reader(bytes: bytes)
        guard let year = reader.digits(4) else { throw .notATime }
        if reader.digits(1) != nil { throw .outOfRange }  // a five-digit year
        guard reader.skip(45), let month = reader.digits(2), reader.skip(45),
              let day = reader.digits(2) else { throw .notATime }
        guard (1...12).contains(month) else { throw .fieldOutOfRange("month \(month) is not 01...12") }
        guard (1...daysInMonth(year: year, month: month)).contains(day) else {
            throw .fieldOutOfRange("day \(day) does not exist in \(pad(Int64(year), 4))-\(pad(Int64(month), 2))")
        }
        var seconds = Double(daysFromCivil(year: year, month: month, day: day)) * 86_400
        if reader.skip(84) || reader.skip(116) || reader.skip(32) {  // T, t or a space
            guard let hour = reader.digits(2), reader.skip(58), let minute = reader.digits(2) else { throw .notATime }
            guard hour <= 23 else { throw .fieldOutOfRange("hour \(hour) is not 00...23") }
            guard minute <= 59 else { throw .fieldOutOfRange("minute \(minute) is not 00...59") }
            seconds += Double(hour * 3_600 + minute * 60)
            if reader.skip(58) {
                guard let second = reader.digits(2) else { throw .notATime }
                guard second <= 59 else { throw .fieldOutOfRange("second \(second) is not 00...59") }
                seconds += Double(second)
                if reader.skip(46) || reader.skip(44) {  // fractional seconds: . or ,
                    guard let fraction = reader.fraction() else { throw .notATime }
                    seconds += fraction
                }
            }
            seconds -= try reader.offset()
        }
        guard reader.atEnd else { throw .notATime }
        guard supportedRange.contains(seconds) else { throw .outOfRange }
        return seconds
    }

    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// (year, month, day) of a day count since 1970-01-01, proleptic Gregorian (Howard Hinnant's `civil_from_days`).
    static func civil(daysSinceEpoch: Int64) -> (year: Int64, month: Int, day: Int) {
        let z = daysSinceEpoch + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = Int(dayOfYear - (153 * monthIndex + 2) / 5 + 1)
        let month = Int(monthIndex < 10 ? monthIndex + 3 : monthIndex - 9)
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// A cursor over the bytes of a time.
    struct Reader {
        let bytes: [UInt8]
        var index = 0

        var atEnd: Bool { index == bytes.count }

        /// Consumes `byte` when it is next.
        mutating func skip(_ byte: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }

        /// Exactly `count` ASCII digits as a number.
        mutating func digits(_ count: Int) -> Int? {
            guard index + count <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[index..<index + count] {
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            index += count
            return value
        }

        /// One or more digits after the decimal mark, as a fraction of a second (digits past the 9th are ignored).
        mutating func fraction() -> Double? {
            var value = 0.0
            var scale = 1.0
            let start = index
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                if index - start < 9 {
                    scale /= 10
                    value += Double(bytes[index] - 48) * scale
                }
                index += 1
            }
            return index > start ? value : nil
        }

        /// `Z`, `±HH:MM`, `±HHMM`, `±HH` or nothing (UTC), as seconds east of UTC.
        mutating func offset() throws(ParseError) -> Double {
            if skip(90) || skip(122) { return 0 }  // Z or z
            guard index < bytes.count, bytes[index] == 43 || bytes[index] == 45 else { return 0 }
            let sign: Double = bytes[index] == 45 ? -1 : 1
            let start = index
            index += 1
            guard let hours = digits(2) else { throw .notATime }
            var minutes = 0
            if skip(58) {
                guard let value = digits(2) else { throw .notATime }
                minutes = value
            } else if let value = digits(2) {
                minutes = value
            }
            let written = String(decoding: bytes[start..<index], as: UTF8.self)
            guard minutes <= 59, hours * 60 + minutes <= ISO8601.maximumOffsetHours * 60 else { throw .offsetOutOfRange(written) }
            return sign * Double(hours * 3_600 + minutes * 60)
        }
    }
}
