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

/// One check's result: what the tables, JSON output and history show.
public struct CheckResult: Sendable {
    public var checkID: String
    public var dataset: String
    public var warehouse: String
    public var checkType: String
    public var checkName: String?
    public var status: CheckStatus
    public var observed: Double?
    public var observedText: String
    public var expected: String
    public var message: String
    public var queryMilliseconds: Double?
    public var dataTimestamp: Double?
    public var evaluatedAt: Date
    public var tier: Int
    public var owner: String?
    public var runbook: String?
    /// The schema snapshot to store with this result, when a schema check saw a change (see `SchemaCheck`).
    public var schemaSnapshot: SchemaSnapshot?

    public init(check: CheckConfig, dataset: DatasetConfig, outcome: CheckOutcome, queryMilliseconds: Double?, evaluatedAt: Date) {
        checkID = check.id
        self.dataset = dataset.name
        warehouse = dataset.warehouse
        checkType = check.typeName
        checkName = check.name
        status = outcome.status
        observed = outcome.observed
        observedText = outcome.observedText
        expected = outcome.expected
        message = outcome.message
        self.queryMilliseconds = queryMilliseconds
        dataTimestamp = outcome.dataTimestamp
        self.evaluatedAt = evaluatedAt
        tier = dataset.tier
        owner = dataset.owner
        runbook = check.runbook ?? dataset.runbook
        schemaSnapshot = outcome.schemaSnapshot
    }

    public init(checkID: String, dataset: String, warehouse: String, checkType: String, status: CheckStatus,
                observed: Double?, observedText: String, expected: String, message: String,
                queryMilliseconds: Double?, dataTimestamp: Double?, evaluatedAt: Date) {
        self.checkID = checkID
        self.dataset = dataset
        self.warehouse = warehouse
        self.checkType = checkType
        self.status = status
        self.observed = observed
        self.observedText = observedText
        self.expected = expected
        self.message = message
        self.queryMilliseconds = queryMilliseconds
        self.dataTimestamp = dataTimestamp
        self.evaluatedAt = evaluatedAt
        tier = 3
    }
}

/// A measured value kept for trends and anomaly detection.
public struct MetricPoint: Sendable, Hashable {
    public var dataset: String
    public var metric: String
    public var value: Double
    public var measuredAt: Date
    /// Found anomalous: kept for display, left out of anomaly training.
    public var flagged: Bool

    public init(dataset: String, metric: String, value: Double, measuredAt: Date, flagged: Bool = false) {
        self.dataset = dataset
        self.metric = metric
        self.value = value
        self.measuredAt = measuredAt
        self.flagged = flagged
    }
}

/// Per-check state kept beside results so scheduling and `max_change` never scan history.
public struct CheckState: Sendable {
    public var lastEvaluatedAt: Date
    public var lastStatus: CheckStatus
    public var lastSuccessObserved: Double?
}
