/// A percentage written in config as `50%`; stored as a fraction (0.5).
public struct Percentage: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let fraction: Double

    public init(fraction: Double) { self.fraction = fraction }

    /// Parses `50%` or `12.5%`. Returns nil when the `%` sign or the number is missing.
    public init?(parsing text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasSuffix("%"), let value = Double(trimmed.dropLast()), value >= 0 else { return nil }
        fraction = value / 100
    }

    public static func < (lhs: Percentage, rhs: Percentage) -> Bool { lhs.fraction < rhs.fraction }

    public var description: String { Format.percent(fraction) }
}
