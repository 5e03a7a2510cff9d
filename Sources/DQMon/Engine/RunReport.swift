import Foundation

/// What one `dqmon check` run did: its results, the checks it skipped, and the exit code.
public struct RunReport: Sendable {
    public var runID: Int64?
    public var startedAt: Date
    public var finishedAt: Date
    public var evaluatedAt: Date
    public var configHash: String
    /// Evaluated results, in config order (dataset order, then check order).
    public var results: [CheckResult]
    /// Checks that were selected but not due, with when they next are.
    public var notDue: [NotDueCheck]
    /// Warehouses that could not be reached at all, with the reason.
    public var warehouseErrors: [WarehouseError]
    public var exitCode: RunExitCode
    /// Incidents the run opened, reopened, escalated, updated or resolved (recorded in the run's transaction).
    public var incidentChanges: [IncidentChange] = []
    /// What alert delivery did after the run committed; nil with `--no-alerts` or without alerts/*.yml.
    public var alerts: AlertDeliveryReport?

    /// Counted in place, reading each result's status where it is: `filter` copied every matching result (a large
    /// struct) into a new array, and `reduce` still copied each one into its closure.
    public func count(_ status: CheckStatus) -> Int {
        var count = 0
        for index in results.indices where results[index].status == status { count += 1 }
        return count
    }
}

/// A selected check skipped because its dataset's `every:` has not elapsed.
public struct NotDueCheck: Sendable {
    public var checkID: String
    public var dataset: String
    public var nextDue: Date?
}

/// Why a run could not start at all.
public enum RunError: Error, Sendable, CustomStringConvertible {
    case selection(SelectionError)
    case lock(RunLockError)
    case history(HistoryError)

    public var description: String {
        switch self {
        case .selection(let error): return "--select/--exclude \(error.message)"
        case .lock(let error): return error.message
        case .history(let error): return error.description
        }
    }
}
