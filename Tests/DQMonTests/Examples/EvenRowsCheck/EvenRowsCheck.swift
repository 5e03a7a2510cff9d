import DQMon
import Foundation

/// A test-only check type, to show that a new type is a new folder plus one registry line
/// (`Registries.builtIn.adding(check: EvenRowsCheck.self)`): `even_rows: { warn_on_growth: true }` fails when the
/// table holds an odd number of rows, and warns when it grew since the last recorded count (its own context key).
struct EvenRowsCheck: CheckSpec {
    static let typeName = "even_rows"
    static let keys = ["warn_on_growth"]

    let warnOnGrowth: Bool

    static func parse(_ fields: ConfigFields) -> EvenRowsCheck? {
        EvenRowsCheck(warnOnGrowth: fields.bool("warn_on_growth") ?? false)
    }

    var metrics: [Metric] { [.rowCount] }
    var contextKeys: [any CheckContextKey.Type] { [LastEvenRowsCount.self] }

    func evaluate(_ input: CheckInput) -> CheckOutcome {
        let count = input.metrics[.rowCount] ?? 0
        var outcome = CheckOutcome(status: .pass, observed: count, observedText: "\(Int64(exactly: count) ?? -1) rows",
                                   expected: "an even count", message: "row count is even",
                                   metricPoints: ["even_rows_count": MetricReading(count)])
        if count.truncatingRemainder(dividingBy: 2) != 0 {
            outcome.status = .fail
            outcome.message = "row count is odd"
        } else if warnOnGrowth, let last = input.context[LastEvenRowsCount.self], count > last {
            outcome.status = .warn
            outcome.message = "row count grew from \(last)"
        }
        return outcome
    }
}

/// The count this check type recorded last for the dataset, read from the metric history in one query.
enum LastEvenRowsCount: CheckContextKey {
    static func load(_ request: CheckContextRequest) throws(HistoryError) -> [String: Double] {
        var wanted: [HistoryStore.SeriesKey: Date] = [:]
        for (dataset, _) in request.datasets {
            wanted[HistoryStore.SeriesKey(dataset: dataset.name, metric: "even_rows_count")] = .distantPast
        }
        var last: [String: Double] = [:]
        for (key, points) in try request.history.metricSeries(wanted) {
            if let point = points.last { last[key.dataset] = point.value }
        }
        return last
    }
}
