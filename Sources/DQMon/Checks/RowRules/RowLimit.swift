import Foundation

/// How many failing rows a business-rule check tolerates: a count (`fail: 0`) or a percent of the rows it
/// examined (`warn: 1%`). A check crosses the limit when its failing rows are strictly above it.
public enum RowLimit: Sendable, Hashable, CustomStringConvertible {
    case count(Int)
    case percent(Percentage)

    /// The largest count accepted: 10^15 rows, exact as a Double and far beyond any table.
    public static let maximumCount = 1_000_000_000_000_000

    /// Whether `failing` of `total` rows is above the limit (a percent of no rows is 0%).
    public func isExceeded(failing: Double, total: Double) -> Bool {
        switch self {
        case .count(let limit): return failing > Double(limit)
        case .percent(let limit): return RowLimit.fraction(failing, of: total) > limit.fraction
        }
    }

    public var description: String {
        switch self {
        case .count(let limit): return Format.count(Double(limit))
        case .percent(let limit): return RowLimit.percentText(limit.fraction)
        }
    }

    static func fraction(_ part: Double, of total: Double) -> Double {
        total > 0 ? part / total : 0
    }

    /// `0.0036` -> `0.36%`, `0.5` -> `50%`, `1e-7` -> `<0.01%`: two decimals at most, so a small share still shows.
    static func percentText(_ fraction: Double) -> String {
        guard fraction.isFinite else { return Format.nonFinite(fraction) + "%" }
        let percent = fraction * 100
        if percent > 0, percent < 0.005 { return "<0.01%" }
        var text = Format.fixed(percent, places: 2)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text + "%"
    }

    /// `0`, `10` or `1.5%`; anything else is an error at the value naming `key`.
    static func parse(_ node: ConfigNode, key: String, allowsPercent: Bool) -> RowLimit? {
        guard let text = node.text(describing: "'\(key)'") else { return nil }
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasSuffix("%") {
            guard allowsPercent else {
                node.error("'\(key)' must be a count of rows here (this check has no row total to take a percent of), got \(ConfigText.quoted(text))")
                return nil
            }
            return ConfigFields.percentage(trimmed, key: key, node: node).map(RowLimit.percent)
        }
        guard !trimmed.isEmpty, trimmed.allSatisfy({ $0.isASCII && $0.isNumber }), let count = Int(trimmed), count <= maximumCount else {
            node.error("'\(key)' must be a count of rows (0 to \(maximumCount)) or a percent of rows such as '1%', got \(ConfigText.quoted(text))")
            return nil
        }
        return .count(count)
    }
}

/// A business-rule check's `warn:` and `fail:` limits. With neither written, any failing row fails (`fail: 0`).
public struct RowThresholds: Sendable, Hashable, WarnFailLimits {
    public var warn: RowLimit?
    public var fail: RowLimit?

    public init(warn: RowLimit?, fail: RowLimit?) {
        self.warn = warn
        self.fail = fail
    }

    static func parse(_ fields: ConfigFields, allowsPercent: Bool) -> RowThresholds {
        let warn = fields["warn"].flatMap { RowLimit.parse($0, key: "warn", allowsPercent: allowsPercent) }
        let fail = fields["fail"].flatMap { RowLimit.parse($0, key: "fail", allowsPercent: allowsPercent) }
        if let warn, let fail, RowThresholds.isAtOrAbove(warn, fail) {
            fields["warn"]?.error("'warn' (\(warn)) must be below 'fail' (\(fail)): rows above 'fail' fail, so this could never warn")
        }
        if !fields.has("warn"), !fields.has("fail") { return RowThresholds(warn: nil, fail: .count(0)) }
        return RowThresholds(warn: warn, fail: fail)
    }

    /// Only limits of the same kind compare: a count and a percent depend on the row total.
    static func isAtOrAbove(_ warn: RowLimit, _ fail: RowLimit) -> Bool {
        switch (warn, fail) {
        case (.count(let warn), .count(let fail)): return warn >= fail
        case (.percent(let warn), .percent(let fail)): return warn >= fail
        default: return false
        }
    }

    /// `fail` first, then `warn`.
    func status(failing: Double, total: Double) -> CheckStatus {
        status { $0.isExceeded(failing: failing, total: total) }
    }
}
