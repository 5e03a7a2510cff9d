import Foundation

/// When `dqmon check` exits non-zero for check outcomes.
public enum FailOn: String, Sendable, CaseIterable {
    /// Exit 1 on a failed check (the default); warnings never break pipelines.
    case fail
    /// Also exit 2 when the only problems are warnings.
    case warn
    /// Exit 0 even on failures: only broken monitoring (3) or undelivered alerts (4) are non-zero.
    case never
}

/// Everything one `dqmon check` run is told by its caller.
public struct RunOptions: Sendable {
    /// The run's clock (`--now`); results, freshness ages and windows are computed against it.
    public var now: Date
    public var selection: Selection
    /// `--all`: run every selected check, due or not.
    public var runAll: Bool
    public var failOn: FailOn
    /// `--parallel`: datasets queried at once per warehouse; nil means the warehouse's default.
    public var parallelism: Int?
    /// Called after each dataset is evaluated with (datasets done, datasets planned), for a progress line.
    public var progress: (@Sendable (Int, Int) -> Void)?
    /// False with `--no-alerts`: incidents are recorded, no notification is written or sent.
    public var sendAlerts = true

    public init(now: Date = Date(), selection: Selection = Selection(), runAll: Bool = false, failOn: FailOn = .fail, parallelism: Int? = nil) {
        self.now = now
        self.selection = selection
        self.runAll = runAll
        self.failOn = failOn
        self.parallelism = parallelism
    }
}

/// The exit codes of `dqmon check` (the README's "Exit codes"). When several apply: 3, 4, 1, 2, 0.
public enum RunExitCode: Int32, Sendable {
    case success = 0
    case failed = 1
    case warned = 2
    case monitoringBroken = 3
    case alertsPending = 4

    public static func from(statuses: [CheckStatus], failOn: FailOn, alertsPending: Bool = false) -> RunExitCode {
        if statuses.contains(.error) { return .monitoringBroken }
        if alertsPending { return .alertsPending }
        if failOn != .never, statuses.contains(.fail) { return .failed }
        if failOn == .warn, statuses.contains(.warn) { return .warned }
        return .success
    }
}
