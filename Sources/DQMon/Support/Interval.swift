import Foundation

/// A length of time written in config as `90s`, `15m`, `6h`, `2d` or `1w` (parts may be combined: `1h30m`).
public struct Interval: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let seconds: TimeInterval

    public init(seconds: TimeInterval) { self.seconds = seconds }

    public static func < (lhs: Interval, rhs: Interval) -> Bool { lhs.seconds < rhs.seconds }

    private static let units: [(Character, TimeInterval)] = [
        ("w", 604_800), ("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1),
    ]

    /// Parses `90s`, `15m`, `6h`, `2d`, `1w`, or combinations such as `1h30m`. Returns nil for anything else.
    public init?(parsing text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { return nil }
        var total: TimeInterval = 0
        var digits = ""
        for character in trimmed {
            if character.isNumber || character == "." {
                digits.append(character)
            } else if let unit = Self.units.first(where: { $0.0 == character }), let value = Double(digits) {
                total += value * unit.1
                digits = ""
            } else {
                return nil
            }
        }
        guard digits.isEmpty, total > 0 else { return nil }
        seconds = total
    }

    /// The shortest exact spelling, e.g. `6h`, `1h30m`, `90s` -> `1m30s`.
    public var description: String {
        var remaining = Int(seconds.rounded())
        if remaining == 0 { return "0s" }
        var parts = ""
        for (unit, size) in Self.units where unit != "w" {
            let count = remaining / Int(size)
            if count > 0 {
                parts += "\(count)\(unit)"
                remaining -= count * Int(size)
            }
        }
        return parts
    }
}
