import Foundation

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
    /// The numeric range the value was expected in, when the check computes one (stored in history).
    public var expectedRange: ExpectedRange?
    /// What the check keeps in history beside this result, written in the run's transaction (not read back here).
    public var artifacts: [any RunArtifact] = []

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
        expectedRange = outcome.expectedRange
        artifacts = outcome.artifacts
    }

    public init(checkID: String, dataset: String, warehouse: String, checkType: String, status: CheckStatus,
                observed: Double?, observedText: String, expected: String, message: String,
                queryMilliseconds: Double?, dataTimestamp: Double?, evaluatedAt: Date, expectedRange: ExpectedRange? = nil) {
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
        self.expectedRange = expectedRange
        tier = 3
    }
}
