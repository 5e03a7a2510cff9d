import Foundation

/// How far two compared values may be apart: a percent of the `with:` side's value (`5%`), an absolute amount in
/// the metric's unit (`100` rows, `2500.50` of a sum), or, for a latest timestamp, a duration (`1h`). The limit is
/// crossed when the difference is strictly above it.
public enum CompareLimit: Sendable, Hashable, CustomStringConvertible {
    case percent(Percentage)
    case amount(Double)
    case duration(Interval)

    /// Whether `difference` (≥ 0) between the sides, `reference` being the `with:` side's value, is above the limit.
    /// A percent of a reference of 0 is exceeded by any difference.
    func isExceeded(difference: Double, reference: Double) -> Bool {
        switch self {
        case .amount(let amount): return difference > amount
        case .duration(let interval): return difference > interval.seconds
        case .percent(let percent):
            guard difference > 0 else { return false }
            guard reference != 0 else { return true }
            return difference / abs(reference) > percent.fraction
        }
    }

    public var description: String {
        switch self {
        case .percent(let percent): return RowLimit.percentText(percent.fraction)
        case .amount(let amount): return Format.count(amount)
        case .duration(let interval): return Format.age(interval.seconds)
        }
    }

    /// The largest absolute amount accepted: 10^15, exact as a Double.
    static let maximumAmount = 1e15

    /// `5%`, `100`, `0.5` for counts and sums; `1h`, `30m` or `0` for timestamps. Anything else is one error at the
    /// value naming `key` and what it may be.
    static func parse(_ node: ConfigNode, key: String, isTimestamp: Bool) -> CompareLimit? {
        guard let text = node.text(describing: "'\(key)'") else { return nil }
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if isTimestamp {
            if trimmed == "0" { return .duration(Interval(seconds: 0)) }
            if trimmed.hasSuffix("%") {
                node.error("'\(key)' must be a duration such as '1h' for a max timestamp (a percent of a timestamp means nothing), got \(ConfigText.quoted(text))")
                return nil
            }
            switch Interval.parse(trimmed) {
            case .success(let interval): return .duration(interval)
            case .failure(let error):
                node.error(error.message(for: "'\(key)'", text: text))
                return nil
            }
        }
        if trimmed.hasSuffix("%") { return ConfigFields.percentage(trimmed, key: key, node: node).map(CompareLimit.percent) }
        let allowed = Set("0123456789.eE+")
        guard !trimmed.isEmpty, trimmed.allSatisfy(allowed.contains), let amount = Double(trimmed), amount.isFinite,
              amount >= 0, amount <= maximumAmount else {
            node.error("'\(key)' must be a percent of the compared value such as '1%' or an amount from 0 to \(Format.count(maximumAmount - 1)) such as '100', got \(ConfigText.quoted(text))")
            return nil
        }
        return .amount(amount == 0 ? 0 : amount)
    }
}

/// A compare check's `tolerance:` — `warn` and `fail` limits. Written as one value (`tolerance: 5%`) it is the `fail`
/// limit; absent, the values must be equal (`fail > 0`).
public struct CompareTolerance: Sendable, Hashable, WarnFailLimits {
    public var warn: CompareLimit?
    public var fail: CompareLimit?

    public static let exact = CompareTolerance(warn: nil, fail: .amount(0))

    public init(warn: CompareLimit?, fail: CompareLimit?) {
        self.warn = warn
        self.fail = fail
    }

    static func parse(_ fields: ConfigFields, isTimestamp: Bool) -> CompareTolerance {
        guard let node = fields["tolerance"] else { return .exact }
        if node.kind == .scalar {
            return CompareTolerance(warn: nil, fail: CompareLimit.parse(node, key: "tolerance", isTimestamp: isTimestamp))
        }
        guard let limits = node.fields(of: "'tolerance'", allowed: ["warn", "fail"]) else { return .exact }
        guard limits.has("warn") || limits.has("fail") else {
            node.error("'tolerance' needs 'warn' or 'fail' (e.g. tolerance: { warn: 1%, fail: 5% }), or write one value: tolerance: 5%")
            return .exact
        }
        let warn = limits["warn"].flatMap { CompareLimit.parse($0, key: "warn", isTimestamp: isTimestamp) }
        let fail = limits["fail"].flatMap { CompareLimit.parse($0, key: "fail", isTimestamp: isTimestamp) }
        if let warn, let fail, isAtOrAbove(warn, fail) {
            limits["warn"]?.error("'warn' (\(warn)) must be below 'fail' (\(fail)): a difference above 'fail' fails, so this could never warn")
        }
        return CompareTolerance(warn: warn, fail: fail)
    }

    /// Only limits of the same kind compare: a percent and an amount depend on the values.
    static func isAtOrAbove(_ warn: CompareLimit, _ fail: CompareLimit) -> Bool {
        switch (warn, fail) {
        case (.percent(let warn), .percent(let fail)): return warn >= fail
        case (.amount(let warn), .amount(let fail)): return warn >= fail
        case (.duration(let warn), .duration(let fail)): return warn >= fail
        default: return false
        }
    }

    /// `fail` first, then `warn`.
    func status(difference: Double, reference: Double) -> CheckStatus {
        status { $0.isExceeded(difference: difference, reference: reference) }
    }
}
