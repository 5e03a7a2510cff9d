import Foundation

/// `range` — rows whose `column` lies below `min` or above `max` (either may be absent; NULLs are not counted).
///
/// Bounds are numbers (`min: 0`), or dates and timestamps (`min: 2020-01-01`, `max: 2030-01-01T00:00:00Z`), which
/// compare with the column's value as epoch seconds through the warehouse's dialect, whatever the column stores
/// (a timestamp type, ISO text, epoch numbers). Both bounds are of one kind, and `min` may not exceed `max`.
public struct RangeCheck: RowRuleCheck {
    public static let typeName = "range"
    public static let keys = ["column", "min", "max"] + RowRule.valueListingKeys

    /// A bound as written and as the number it compares as.
    public struct Bound: Sendable, Hashable {
        public let text: String
        public let value: Double
        public let isTime: Bool
    }

    public let column: String
    public let min: Bound?
    public let max: Bound?
    public let rule: RowRule

    public static func parse(_ fields: ConfigFields) -> RangeCheck? {
        let column = fields.require("column") != nil ? fields.string("column") : nil
        let min = fields["min"].flatMap { parseBound($0, key: "min") }
        let max = fields["max"].flatMap { parseBound($0, key: "max") }
        let rule = RowRule.parse(fields)
        if !fields.has("min"), !fields.has("max") {
            fields.owner.error("range check needs 'min', 'max' or both, e.g. { column: amount, min: 0, max: 10000 }")
        }
        if let min, let max {
            if min.isTime != max.isTime {
                fields["max"]?.error("'min' and 'max' must both be numbers or both be dates/timestamps, got \(ConfigText.quoted(min.text)) and \(ConfigText.quoted(max.text))")
                return nil
            }
            if min.value > max.value {
                fields["min"]?.error("'min' (\(min.text)) is greater than 'max' (\(max.text)): no value could pass")
                return nil
            }
        }
        guard let column, min != nil || max != nil else { return nil }
        return RangeCheck(column: column, min: min, max: max, rule: rule)
    }

    /// A finite decimal number, or an ISO 8601 date or timestamp (UTC unless it carries an offset).
    static func parseBound(_ node: ConfigNode, key: String) -> Bound? {
        guard let text = node.text(describing: "'\(key)'") else { return nil }
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let number = Percentage.decimal(Substring(trimmed)) ?? scientific(trimmed) {
            return Bound(text: trimmed, value: number == 0 ? 0 : number, isTime: false)
        }
        if let date = try? ISO8601.parse(trimmed) {
            return Bound(text: trimmed, value: date.timeIntervalSince1970, isTime: true)
        }
        node.error("'\(key)' must be a number or an ISO 8601 date or timestamp (e.g. 0, 2.5, 2026-01-01, 2026-01-01T00:00:00Z), got \(ConfigText.quoted(text))")
        return nil
    }

    /// `1e6`: finite, no `inf`/`nan`/hex.
    static func scientific(_ text: String) -> Double? {
        let allowed = Set("0123456789.+-eE")
        guard !text.isEmpty, text.allSatisfy(allowed.contains), text.contains(where: \.isNumber),
              let value = Double(text), value.isFinite else { return nil }
        return value
    }

    public var failingRows: Metric { .aggregate(FailingRowCount(Condition(column: column, min: min, max: max), filter: rule.filter)) }

    public var listsOffendingValues: Bool { true }

    public var violation: String {
        switch (min, max) {
        case let (min?, max?): return "have \(column) outside [\(min.text), \(max.text)]"
        case let (min?, nil): return "have \(column) below \(min.text)"
        case let (nil, max?): return "have \(column) above \(max.text)"
        case (nil, nil): return "have \(column) out of range"
        }
    }

    /// `column < ? OR column > ?` on the raw column for numbers; on its epoch seconds for times.
    struct Condition: RowCondition {
        let column: String
        let min: Bound?
        let max: Bound?

        var name: String { "out_of_range_count(\(column))" }
        var columns: [String] { [column] }

        func sql(over rows: DatasetRows) -> SQLStatement {
            let quoted = rows.dialect.quote(column)
            let isTime = (min ?? max)?.isTime == true
            let value = isTime ? rows.dialect.epochSeconds(of: quoted, declaredType: rows.columns[column]?.declaredType) : quoted
            var parts: [String] = []
            var arguments: [SQLValue] = []
            if let min {
                parts.append("\(value) < ?")
                arguments.append(.real(min.value))
            }
            if let max {
                parts.append("\(value) > ?")
                arguments.append(.real(max.value))
            }
            return SQLStatement(parts.joined(separator: " OR "), arguments: arguments)
        }
    }
}
