import Foundation

/// `sql` — a user's query that selects the failing rows; the check counts them, as
/// `SELECT count(*) FROM (<query>) AS dqmon_failing`, run on its own with the warehouse's strictest read-only
/// guard (`isUserSQL`). There is no row total, so thresholds are counts (`fail: 0`, `warn: 10`), not percents, and
/// neither `where:` applies: the query says which rows it reads.
public struct SQLRuleCheck: RowRuleCheck {
    public static let typeName = "sql"
    public static let keys = ["query", "warn", "fail"] + SampleRequest.keys

    public let query: String
    public let rule: RowRule

    public static func parse(_ fields: ConfigFields) -> SQLRuleCheck? {
        let query = fields.require("query") != nil ? fields.string("query") : nil
        let rule = RowRule.parse(fields, allowsPercent: false)
        guard let query else { return nil }
        let trimmed = trimmed(query)
        guard !trimmed.isEmpty else {
            fields["query"]?.error("'query' is empty; write a select that returns the failing rows, e.g. query: \"select * from orders where total < 0\"")
            return nil
        }
        return SQLRuleCheck(query: trimmed, rule: rule)
    }

    /// Without surrounding blanks and trailing semicolons, which would end the wrapping statement early.
    static func trimmed(_ query: String) -> String {
        var text = query.trimmingCharacters(in: .whitespacesAndNewlines)
        while text.hasSuffix(";") {
            text.removeLast()
            text = text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return text
    }

    public var countsExaminedRows: Bool { false }

    public var failingRows: Metric { .aggregate(QueryRows(query: query)) }

    public var violation: String { "returned by the check's query" }

    /// The rows the user's query returns, counted by the warehouse.
    struct QueryRows: DatasetAggregate {
        let query: String

        var historyName: String { "failing_rows(\(query))" }
        var columns: [String] { [] }

        func plan(over rows: DatasetRows) -> AggregatePlan {
            .statement(SQLStatement("SELECT count(*) FROM (\(query)) AS dqmon_failing", isUserSQL: true))
        }
    }
}
