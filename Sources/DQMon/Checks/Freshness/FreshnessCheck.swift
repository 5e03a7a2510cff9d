import Foundation

/// `freshness` — age = now − max(`column`). `error_after` is checked first, then `warn_after`.
///
/// Breaching `error_after` is `fail` (the check was evaluated; `error` is kept for "could not evaluate").
/// An empty table is `fail` with "no rows". Records `freshness_lag_seconds`.
public struct FreshnessCheck: CheckSpec {
    public static let typeName = "freshness"
    public static let keys = ["column", "warn_after", "error_after", "where"]

    public let column: String
    public let warnAfter: Interval?
    public let errorAfter: Interval?
    /// `where:` — only rows it keeps count (dbt's source freshness `filter`); user SQL, like a dataset's `where:`.
    public var filter: String? = nil

    public init(column: String, warnAfter: Interval?, errorAfter: Interval?, filter: String? = nil) {
        self.column = column
        self.warnAfter = warnAfter
        self.errorAfter = errorAfter
        self.filter = filter
        expectedText = [warnAfter.map { "warn > \($0)" }, errorAfter.map { "fail > \($0)" }].compactMap { $0 }.joined(separator: ", ")
    }

    public static func parse(_ fields: ConfigFields) -> FreshnessCheck? {
        let column = fields.require("column") != nil ? fields.string("column") : nil
        let warnAfter = fields.interval("warn_after")
        let errorAfter = fields.interval("error_after")
        if !fields.has("warn_after"), !fields.has("error_after") {
            fields.owner.error("freshness check needs 'warn_after' or 'error_after' (or both), e.g. { column: updated_at, warn_after: 2h, error_after: 6h }")
        }
        if let warnAfter, let errorAfter, warnAfter >= errorAfter {
            fields["warn_after"]?.error("'warn_after' (\(warnAfter)) must be shorter than 'error_after' (\(errorAfter))")
        }
        let filter = RowFilter.parse(fields)
        guard let column, warnAfter != nil || errorAfter != nil else { return nil }
        return FreshnessCheck(column: column, warnAfter: warnAfter, errorAfter: errorAfter, filter: filter)
    }

    /// `hasRows` tells an empty table from a column without timestamps at the cost of one `EXISTS` probe; a full
    /// `count(*)` would read the whole table (it is used for the message when another check counts rows anyway).
    public var metrics: [Metric] { [.hasRows, latestMetric] }

    /// The latest timestamp: index-friendly `max(column)`, or with `where:` the latest among the rows it keeps
    /// (computed in the dataset's scan).
    var latestMetric: Metric {
        filter.map { .aggregate(LatestTimestampWhere(column: column, filter: $0)) } ?? .maxTimestamp(column: column)
    }

    public var freshnessThresholds: FreshnessThresholds? { FreshnessThresholds(warn: warnAfter, fail: errorAfter) }

    /// A stale table went stale when its latest row became older than the threshold it crossed.
    public func onset(of status: CheckStatus, dataTimestamp: Double?) -> Double? {
        guard let dataTimestamp, let threshold = freshnessThresholds?.breached(by: status) else { return nil }
        return dataTimestamp + threshold.seconds
    }

    /// `warn > 2h, fail > 6h`: the thresholds never change, so the text is built once, not per evaluation.
    let expectedText: String

    public func evaluate(_ input: CheckInput) -> CheckOutcome {
        guard let latest = input.metrics[latestMetric] else {
            let rows = input.metrics[.rowCount]
            let hasRows = rows.map { $0 > 0 } ?? ((input.metrics[.hasRows] ?? 0) > 0)
            if !hasRows {
                return CheckOutcome(status: .fail, observed: nil, observedText: "no rows", expected: expectedText,
                                    message: "no rows in \(input.table)")
            }
            let scope = rows.map { "in \(Format.count($0)) rows" } ?? "in any row"
            return CheckOutcome(status: .fail, observedText: "no timestamps", expected: expectedText,
                                message: "column '\(column)' has no readable timestamp \(scope) (NULL, or not ISO 8601 / epoch)")
        }
        let age = input.now.timeIntervalSince1970 - latest
        let ageText = Format.age(max(age, 0))
        let latestText = Format.timestamp(Date(timeIntervalSince1970: latest))
        var outcome = CheckOutcome(status: .pass, observed: age, observedText: ageText, expected: expectedText,
                                   message: "", dataTimestamp: latest, metricPoints: ["freshness_lag_seconds": MetricReading(age)])
        if let errorAfter, age > errorAfter.seconds {
            outcome.status = .fail
            outcome.message = "data is \(ageText) old (fail after \(errorAfter)); latest \(column) = \(latestText)"
        } else if let warnAfter, age > warnAfter.seconds {
            outcome.status = .warn
            outcome.message = "data is \(ageText) old (warn after \(warnAfter)); latest \(column) = \(latestText)"
        } else if age < 0 {
            outcome.message = "latest \(column) is \(Format.age(-age)) in the future (\(latestText)): check the loader's clock or the dataset's timezone"
        } else {
            outcome.message = "data is \(ageText) old; latest \(column) = \(latestText)"
        }
        return outcome
    }
}

/// The latest `column` (epoch seconds) among the rows a freshness check's `where:` keeps.
public struct LatestTimestampWhere: DatasetAggregate {
    public let column: String
    public let filter: String

    public var historyName: String { "max_timestamp(\(column)) where \(filter)" }
    public var columns: [String] { [column] }

    public func plan(over rows: DatasetRows) -> AggregatePlan {
        let epoch = rows.dialect.epochSeconds(of: rows.dialect.quote(column), declaredType: rows.columns[column]?.declaredType)
        return .scan(ScanAggregate(SQLStatement("max(CASE WHEN (\(filter)) THEN \(epoch) END)", isUserSQL: true)))
    }
}
