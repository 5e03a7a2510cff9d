/// A percentage written in config as `50%`; stored as a fraction (0.5).
///
/// Parsing is total: a plain decimal number (`50`, `12.5`, `.5`) followed by `%`, within a range the caller
/// gives. `inf%`, `nan%`, `1e300%` and hexadecimal forms are rejected, so no infinity or NaN gets in.
public struct Percentage: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let fraction: Double

    public init(fraction: Double) { self.fraction = fraction }

    /// 0% to 100%: targets and rates, the default range.
    public static let unitRange: ClosedRange<Double> = 0...100

    /// Why a text is not an accepted percentage.
    public enum ParseError: Error, Sendable, Equatable {
        /// Not a decimal number followed by `%`.
        case malformed
        /// A number outside the allowed range (bounds in percent).
        case outOfRange(ClosedRange<Double>)

        /// One line naming `subject` as written (`'max_change'`) and the fix.
        public func message(for subject: String, text: String) -> String {
            switch self {
            case .malformed:
                return "\(subject) must be a percentage such as '50%', got \(ConfigText.quoted(text))"
            case .outOfRange(let range):
                return "\(subject) must be between \(Self.percentText(range.lowerBound)) and \(Self.percentText(range.upperBound)), got \(ConfigText.quoted(text))"
            }
        }

        static func percentText(_ value: Double) -> String {
            value == value.rounded() && abs(value) < 1e15 ? "\(Int64(value))%" : "\(value)%"
        }
    }

    /// Parses `50%` or `12.5%` within `range` (in percent, e.g. `0...100`).
    public static func parse(_ text: String, range: ClosedRange<Double> = unitRange) -> Result<Percentage, ParseError> {
        let trimmed = text.trimmingConfigWhitespace()
        guard trimmed.hasSuffix("%"), let value = decimal(trimmed.dropLast()) else { return .failure(.malformed) }
        guard range.contains(value) else { return .failure(.outOfRange(range)) }
        return .success(Percentage(fraction: value == 0 ? 0 : value / 100))  // no -0
    }

    /// Parses like `parse(_:range:)` within 0%...100%; nil for anything it rejects.
    public init?(parsing text: String) {
        guard case .success(let percentage) = Self.parse(text) else { return nil }
        self = percentage
    }

    /// A plain decimal: optional sign, digits, optional fraction. No exponent, no `inf`/`nan`, no hex.
    static func decimal(_ text: Substring) -> Double? {
        let body = text.first == "-" || text.first == "+" ? text.dropFirst() : text
        let parts = body.split(separator: ".", omittingEmptySubsequences: false)
        guard !body.isEmpty, parts.count <= 2, body != ".",
              parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }) else { return nil }
        guard let value = Double(text), value.isFinite else { return nil }
        return value
    }

    public static func < (lhs: Percentage, rhs: Percentage) -> Bool { lhs.fraction < rhs.fraction }

    public var description: String { Format.percent(fraction) }
}
