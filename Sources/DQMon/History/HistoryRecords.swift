import Foundation

/// One `dqmon check` run as stored in history.
public struct RunRecord: Sendable {
    public var id: Int64?
    public var startedAt: Date
    public var finishedAt: Date
    /// The run's clock: `--now`, or the wall clock at start.
    public var evaluatedAt: Date
    public var dqmonVersion: String
    public var configHash: String
    public var host: String
    public var selection: String
    public var exitCode: Int32

    public init(id: Int64? = nil, startedAt: Date, finishedAt: Date, evaluatedAt: Date, dqmonVersion: String = DQMonVersion.current,
                configHash: String, host: String, selection: String, exitCode: Int32) {
        self.id = id
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.evaluatedAt = evaluatedAt
        self.dqmonVersion = dqmonVersion
        self.configHash = configHash
        self.host = host
        self.selection = selection
        self.exitCode = exitCode
    }
}

/// Per-check state kept beside results so scheduling and `max_change` never scan history.
public struct CheckState: Sendable {
    public var lastEvaluatedAt: Date
    public var lastStatus: CheckStatus
    public var lastSuccessObserved: Double?
}
