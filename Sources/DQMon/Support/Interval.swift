import Foundation

/// A length of time written in config as `90s`, `15m`, `6h`, `2d` or `1w` (parts may be combined: `1h30m`).
///
/// Parsing is total: every text gives an `Interval` within `0 < seconds ≤ maximum`, or a `ParseError` that
/// says why (never a trap, never infinity). `description` is total over every `Double`, even NaN.
public struct Interval: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let seconds: TimeInterval

    public init(seconds: TimeInterval) { self.seconds = seconds }

    public static func < (lhs: Interval, rhs: Interval) -> Bool { lhs.seconds < rhs.seconds }

    /// The longest duration dqmon accepts anywhere, in config and on flags: 3650 days (ten years).
    ///
    /// Longer values are typing mistakes (`99999999999999999999w`), and they would overflow the
    /// conversions to dates, milliseconds and nanoseconds that warehouses and clocks need.
    public static let maximum = Interval(seconds: 3_650 * 86_400)

    private static let units: [(Character, TimeInterval)] = [
        ("w", 604_800), ("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1),
    ]

    /// Why a text is not an accepted duration.
    public enum ParseError: Error, Sendable, Equatable {
        /// Not a number followed by a unit (`6hours`, `10`, `inf`, `1e3s`).
        case malformed
        /// Zero or negative (`0s`, `-5m`).
        case notPositive
        /// Longer than the allowed maximum.
        case tooLong(maximum: Interval)

        /// One line naming `subject` as written (`'warn_after'`, `--window`) and the fix.
        public func message(for subject: String, text: String) -> String {
            let shown = ConfigText.quoted(text)
            switch self {
            case .malformed:
                return "\(subject) is not a valid duration: \(shown) (write a number and a unit: 90s, 15m, 6h, 2d)"
            case .notPositive:
                return "\(subject) must be longer than 0s, got \(shown)"
            case .tooLong(let maximum):
                return "\(subject) must be at most \(maximum), got \(shown)"
            }
        }
    }

    /// Parses `90s`, `15m`, `6h`, `2d`, `1w`, or combinations such as `1h30m`, up to `maximum`.
    public static func parse(_ text: String, maximum: Interval = .maximum) -> Result<Interval, ParseError> {
        let trimmed = text.trimmingConfigWhitespace()
        if trimmed.hasPrefix("-") {
            if case .failure(.malformed) = parse(String(trimmed.dropFirst()), maximum: maximum) { return .failure(.malformed) }
            return .failure(.notPositive)
        }
        guard !trimmed.isEmpty else { return .failure(.malformed) }
        var total: TimeInterval = 0
        var digits = ""
        for character in trimmed {
            if character.isASCII, character.isNumber || character == "." {
                digits.append(character)
            } else if let unit = Self.units.first(where: { $0.0 == character }), let value = Double(digits) {
                // A number too long for a Double reads as +infinity: it is too long a duration, not a malformed one.
                guard value.isFinite else { return .failure(.tooLong(maximum: maximum)) }
                total += value * unit.1
                digits = ""
                // Stop before the sum can grow past every bound (a thousand-digit number is finite nowhere).
                guard total.isFinite, total <= maximum.seconds else { return .failure(.tooLong(maximum: maximum)) }
            } else {
                return .failure(.malformed)
            }
        }
        guard digits.isEmpty else { return .failure(.malformed) }
        guard total > 0 else { return .failure(.notPositive) }
        return .success(Interval(seconds: total))
    }

    /// Parses like `parse(_:)` with the general maximum; nil for anything it rejects.
    public init?(parsing text: String) {
        guard case .success(let interval) = Self.parse(text) else { return nil }
        self = interval
    }

    /// The shortest exact spelling, e.g. `6h`, `1h30m`, `90s` -> `1m30s`, `0.5s`; total over every value.
    public var description: String {
        guard seconds.isFinite else { return seconds.isNaN ? "nan" : (seconds < 0 ? "-inf" : "inf") }
        if seconds < 0 { return "-" + Interval(seconds: -seconds).description }
        // Beyond this the millisecond count below would not fit in an Int64.
        guard seconds < 1e15 else { return String(format: "%.6gd", seconds / 86_400) }
        let milliseconds = Int64((seconds * 1_000).rounded())
        var remaining = milliseconds / 1_000
        let fraction = milliseconds % 1_000
        if remaining == 0, fraction == 0 { return "0s" }
        var parts = ""
        for (unit, size) in Self.units where unit != "w" && unit != "s" {
            let count = remaining / Int64(size)
            if count > 0 {
                parts += "\(count)\(unit)"
                remaining -= count * Int64(size)
            }
        }
        if fraction > 0 {
            var decimals = String(fraction)
            decimals = String(repeating: "0", count: 3 - decimals.count) + decimals
            while decimals.hasSuffix("0") { decimals.removeLast() }
            parts += "\(remaining).\(decimals)s"
        } else if remaining > 0 {
            parts += "\(remaining)s"
        }
        return parts
    }
}
