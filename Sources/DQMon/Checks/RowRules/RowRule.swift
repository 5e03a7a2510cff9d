import Foundation

/// The settings every business-rule check shares (`where:`, `warn:`, `fail:`) and the verdict they give on a
/// count of failing rows: `37 of 10,412 rows (0.36%) have status outside [paid, refunded, void] (fail > 0)`.
public struct RowRule: Sendable, Hashable {
    /// The keys every business-rule check accepts besides its own.
    public static let keys = ["where", "warn", "fail"] + SampleRequest.keys
    /// The keys of the checks that name their most frequent offending values (accepted_values, pattern, range).
    public static let valueListingKeys = keys + ["list_values"]

    /// The check's `where:` (trusted SQL, like `sql:`); the dataset's own `where:` applies as well.
    public var filter: String?
    public var thresholds: RowThresholds
    /// `samples:`/`sample_columns:`: fetch some failing rows when the check warns or fails (nil: off, the default).
    public var sample: SampleRequest?
    /// `list_values:` (default true): whether a warning or failing message names the most frequent offending
    /// values. Messages reach alerts, so `list_values: false` keeps a personal-data column's values out of them.
    public var listsValues: Bool

    public init(filter: String? = nil, thresholds: RowThresholds = RowThresholds(warn: nil, fail: .count(0)), sample: SampleRequest? = nil,
                listsValues: Bool = true) {
        self.filter = filter
        self.thresholds = thresholds
        self.sample = sample
        self.listsValues = listsValues
    }

    static func parse(_ fields: ConfigFields, allowsPercent: Bool = true) -> RowRule {
        RowRule(filter: RowFilter.parse(fields), thresholds: RowThresholds.parse(fields, allowsPercent: allowsPercent),
                sample: SampleRequest.parse(fields), listsValues: fields.bool("list_values") ?? true)
    }

    /// The rows the check examines: all of the dataset's, or those its `where:` keeps.
    public var rowsExamined: Metric {
        filter.map { .aggregate(RowsMatching(filter: $0)) } ?? .rowCount
    }

    /// The verdict on `failing` rows of `total` (`total` nil: the check has no row total, e.g. a `sql` check).
    public func outcome(failing: Double?, total: Double?, violation: String) -> CheckOutcome {
        let failing = failing ?? 0
        let status = thresholds.status(failing: failing, total: total ?? 0)
        var message: String
        if let total {
            message = "\(Format.count(failing)) of \(Format.count(total)) rows (\(RowLimit.percentText(RowLimit.fraction(failing, of: total)))) \(violation)"
        } else {
            message = "\(Format.count(failing)) \(failing == 1 ? "row" : "rows") \(violation)"
        }
        if let filter { message += " where \(filter)" }
        if let crossed = thresholds.crossed(by: status) { message += " (\(crossed))" }
        return CheckOutcome(status: status, observed: failing, observedText: "\(Format.count(failing)) failing \(failing == 1 ? "row" : "rows")",
                            expected: thresholds.expectedText, message: message)
    }
}

/// A check that counts the rows breaking a rule: it names the count (`failingRows`) and says what a failing row
/// is; the shared `where:`/`warn:`/`fail:` settings, the metrics and the verdict come from `RowRule`.
public protocol RowRuleCheck: CheckSpec {
    var rule: RowRule { get }
    /// The count of failing rows among those examined.
    var failingRows: Metric { get }
    /// What failing rows do, after `37 of 10,412 rows (0.36%)`: e.g. `have status outside [paid, void]`.
    var violation: String { get }
    /// Whether the check has a row total to take percents of (default true; a `sql` check has none).
    var countsExaminedRows: Bool { get }
    /// Whether a warning or failing message names the most frequent offending values (default false).
    var listsOffendingValues: Bool { get }
}

extension RowRuleCheck {
    public var countsExaminedRows: Bool { true }

    public var metrics: [Metric] { countsExaminedRows ? [failingRows, rule.rowsExamined] : [failingRows] }

    public func evaluate(_ input: CheckInput) -> CheckOutcome {
        rule.outcome(failing: input.metrics[failingRows], total: countsExaminedRows ? (input.metrics[rule.rowsExamined] ?? 0) : nil,
                     violation: violation)
    }
}

/// `where:` on a dataset or a check: a SQL boolean expression over the dataset's columns, written unqualified.
/// Trusted config, like `sql:`: dqmon does not parse it, and runs the statements that carry it as user SQL.
public enum RowFilter {
    /// The `where` key's text; an empty filter is an error.
    public static func parse(_ fields: ConfigFields) -> String? {
        guard let node = fields["where"], let text = node.text(describing: "'where'") else { return nil }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else {
            node.error("'where' is empty; write a SQL condition on the dataset's columns, e.g. where: \"created_at >= '2026-01-01'\"")
            return nil
        }
        return trimmed
    }

    /// `(filter) AND ` to prefix a condition, or nothing.
    static func prefix(_ filter: String?) -> String {
        filter.map { "(\($0)) AND " } ?? ""
    }
}

/// The rows a check's `where:` keeps, counted in the dataset's one scan.
public struct RowsMatching: DatasetAggregate {
    public let filter: String

    public var historyName: String { "row_count where \(filter)" }
    public var columns: [String] { [] }

    public func plan(over rows: DatasetRows) -> AggregatePlan {
        .scan(ScanAggregate(SQLStatement("count(CASE WHEN (\(filter)) THEN 1 END)", isUserSQL: true)))
    }
}

/// A condition on one row that is true when the row breaks a check's rule, rendered for a dialect.
public protocol RowCondition: Sendable, Hashable {
    /// e.g. `missing_count(status)`.
    var name: String { get }
    var columns: [String] { get }
    func sql(over rows: DatasetRows) -> SQLStatement
}

/// The rows (among those `filter` keeps) for which `condition` holds, counted in the dataset's one scan.
public struct FailingRowCount<Condition: RowCondition>: DatasetAggregate {
    public let condition: Condition
    public let filter: String?

    public init(_ condition: Condition, filter: String?) {
        self.condition = condition
        self.filter = filter
    }

    public var historyName: String { condition.name + (filter.map { " where \($0)" } ?? "") }
    public var columns: [String] { condition.columns }

    public func plan(over rows: DatasetRows) -> AggregatePlan {
        let head = SQLStatement("count(CASE WHEN \(RowFilter.prefix(filter))(", isUserSQL: filter != nil)
        return .scan(ScanAggregate(head + condition.sql(over: rows) + SQLStatement(") THEN 1 END)")))
    }
}

extension Array where Element == String {
    /// `?, ?, ?` with one placeholder per element.
    var placeholders: String { map { _ in "?" }.joined(separator: ", ") }
}
