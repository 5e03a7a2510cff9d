import Foundation

/// `volume` — the row count of the table, or of the rows whose `column` falls in the last `window`.
///
/// Thresholds: `min_rows` (default 1, so an empty table or window fails), `max_rows`, and `max_change`
/// against the previous `pass`/`warn` result of the same check (a failing result never becomes the
/// baseline, so a drop keeps failing until volume recovers). Records `row_count` or `row_count_<window>`.
public struct VolumeCheck: CheckSpec {
    public static let typeName = "volume"
    public static let keys = ["min_rows", "max_rows", "max_change", "window", "column"]

    /// `max_change: 50%` fails above 50%; `{warn: 20%, fail: 50%}` warns above 20% and fails above 50%.
    public struct ChangeLimit: Sendable, Hashable {
        public let warn: Percentage?
        public let fail: Percentage?

        public init(warn: Percentage?, fail: Percentage?) {
            self.warn = warn
            self.fail = fail
        }
    }

    public let minRows: Int
    public let maxRows: Int?
    public let maxChange: ChangeLimit?
    public let window: Interval?
    public let column: String?

    public init(minRows: Int = 1, maxRows: Int? = nil, maxChange: ChangeLimit? = nil, window: Interval? = nil, column: String? = nil) {
        self.minRows = minRows
        self.maxRows = maxRows
        self.maxChange = maxChange
        self.window = window
        self.column = column
        metric = if let window, let column { .windowedCount(column: column, window: window) } else { .rowCount }
        metricName = metric.historyName
        var parts = ["≥ \(Format.count(Double(minRows)))"]
        if let maxRows { parts.append("≤ \(Format.count(Double(maxRows)))") }
        if let warn = maxChange?.warn { parts.append("change warn > \(warn)") }
        if let fail = maxChange?.fail { parts.append("change fail > \(fail)") }
        expectedText = parts.joined(separator: ", ")
    }

    /// The largest `min_rows`/`max_rows` accepted: 10^15 rows, exact as a Double and far beyond any table.
    public static let maximumRows = 1_000_000_000_000_000
    /// `max_change` limits, in percent: 0% (any change) up to 10,000% (a hundredfold).
    public static let changeRange: ClosedRange<Double> = 0...10_000

    public static func parse(_ fields: ConfigFields) -> VolumeCheck? {
        let minRows = fields.int("min_rows", in: 0...maximumRows) ?? 1
        let maxRows = fields.int("max_rows", in: 0...maximumRows)
        let window = fields.interval("window")
        let column = fields.string("column")
        let maxChange = fields["max_change"].flatMap(parseChange)
        if fields.has("window") != fields.has("column") {
            let present = fields.has("window") ? "window" : "column"
            let missing = fields.has("window") ? "column" : "window"
            fields[present]?.error("'\(present)' needs '\(missing)': a windowed volume counts rows whose timestamp column falls in the last window, e.g. { window: 1d, column: created_at }")
        }
        if let maxRows, minRows > maxRows {
            fields["min_rows"]?.error("'min_rows' (\(minRows)) is greater than 'max_rows' (\(maxRows))")
        }
        return VolumeCheck(minRows: minRows, maxRows: maxRows, maxChange: maxChange, window: window, column: column)
    }

    /// `max_change: 50%` or `{ warn: 20%, fail: 50% }`; a `warn` at or above `fail` could never warn: an error.
    static func parseChange(_ node: ConfigNode) -> ChangeLimit? {
        if node.kind == .mapping {
            guard let fields = node.fields(of: "'max_change'", allowed: ["warn", "fail"]) else { return nil }
            let limit = ChangeLimit(warn: fields.percentage("warn", in: changeRange), fail: fields.percentage("fail", in: changeRange))
            if !fields.has("warn"), !fields.has("fail") { node.error("'max_change' needs 'warn', 'fail' or both, e.g. { warn: 20%, fail: 50% }") }
            if let warn = limit.warn, let fail = limit.fail, warn >= fail {
                fields["warn"]?.error("'warn' (\(warn)) must be below 'fail' (\(fail)): a change above 'fail' fails, so this could never warn")
                return nil
            }
            return limit
        }
        guard let text = node.text(describing: "'max_change'") else { return nil }
        return ConfigFields.percentage(text, key: "max_change", node: node, in: changeRange).map { ChangeLimit(warn: nil, fail: $0) }
    }

    /// `row_count`, or `row_count_<window>` of `column` (built once: it never changes).
    public let metric: Metric
    /// The metric's name in history (`metric.historyName`).
    let metricName: String

    public var metrics: [Metric] { [metric] }

    /// `≥ 10, change fail > 50%`: the thresholds never change, so the text is built once, not per evaluation.
    let expectedText: String

    var scope: String { window.map { "in the last \($0)" } ?? "" }

    public func evaluate(_ input: CheckInput) -> CheckOutcome {
        let count = input.metrics[metric] ?? 0
        let rowsText = "\(Format.count(count)) rows" + (window.map { " in \($0)" } ?? "")
        var outcome = CheckOutcome(status: .pass, observed: count, observedText: rowsText, expected: expectedText,
                                   message: "", metricPoints: [metricName: MetricReading(count)])
        if count == 0, minRows > 0 {
            outcome.status = .fail
            outcome.message = window == nil ? "\(input.table) is empty (0 rows)" : "no rows \(scope) (by \(column ?? ""))"
        } else if count < Double(minRows) {
            outcome.status = .fail
            outcome.message = "\(rowsText), below min_rows \(Format.count(Double(minRows)))"
        } else if let maxRows, count > Double(maxRows) {
            outcome.status = .fail
            outcome.message = "\(rowsText), above max_rows \(Format.count(Double(maxRows)))"
        } else if let change = changeOutcome(count: count, previous: input.previousObserved) {
            outcome.status = change.status
            outcome.message = change.message
        } else {
            outcome.message = rowsText
        }
        return outcome
    }

    /// The `max_change` verdict, or nil when there is no limit, no baseline, or the change is within limits.
    func changeOutcome(count: Double, previous: Double?) -> (status: CheckStatus, message: String)? {
        guard let maxChange, let previous, previous > 0 else { return nil }
        let change = (count - previous) / previous
        let direction = change < 0 ? "dropped" : "grew"
        let describe = { (limit: Percentage) in
            "row count \(direction) \(Format.percent(abs(change))) since the last successful run (\(Format.count(previous)) -> \(Format.count(count)); max change \(limit))"
        }
        if let fail = maxChange.fail, abs(change) > fail.fraction { return (.fail, describe(fail)) }
        if let warn = maxChange.warn, abs(change) > warn.fraction { return (.warn, describe(warn)) }
        return nil
    }
}
