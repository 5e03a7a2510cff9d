/// The outcome class of one check evaluation.
///
/// `error` means the check could not be evaluated (warehouse unreachable, relation or column missing,
/// query error) and says why; `skipped` means not due, or not enough history yet.
public enum CheckStatus: String, Sendable, Codable, CaseIterable, Comparable {
    case pass, warn, fail, error, skipped

    /// Ordering by how bad a status is: skipped < pass < warn < fail < error.
    var rank: Int {
        switch self {
        case .skipped: return 0
        case .pass: return 1
        case .warn: return 2
        case .fail: return 3
        case .error: return 4
        }
    }

    public static func < (lhs: CheckStatus, rhs: CheckStatus) -> Bool { lhs.rank < rhs.rank }

    /// Evaluated results count towards history baselines (`max_change`) and scheduling.
    public var isEvaluated: Bool { self != .skipped }
}

/// What a check concluded, before the engine adds ids, timings and the run.
public struct CheckOutcome: Sendable {
    public var status: CheckStatus
    /// The measured value as a number (row count, age in seconds…), when there is one.
    public var observed: Double?
    /// The measured value for people, e.g. `7h12m` or `12,400 rows`.
    public var observedText: String
    /// The thresholds or expected range for people, e.g. `warn > 2h, fail > 6h`.
    public var expected: String
    /// One line a human reads first.
    public var message: String
    /// The data's own timestamp (max of the freshness column), when known.
    public var dataTimestamp: Double?
    /// Metric points to record in history, by history name.
    public var metricPoints: [String: Double]
    /// A schema snapshot to store in history with the run (set by schema checks when the columns changed).
    public var schemaSnapshot: SchemaSnapshot? = nil
    /// Metric points (by history name) found anomalous: recorded as flagged so they never train a baseline.
    public var flaggedMetrics: Set<String> = []

    public init(status: CheckStatus, observed: Double? = nil, observedText: String = "", expected: String = "",
                message: String, dataTimestamp: Double? = nil, metricPoints: [String: Double] = [:]) {
        self.status = status
        self.observed = observed
        self.observedText = observedText
        self.expected = expected
        self.message = message
        self.dataTimestamp = dataTimestamp
        self.metricPoints = metricPoints
    }

    public static func error(_ message: String, expected: String = "") -> CheckOutcome {
        CheckOutcome(status: .error, expected: expected, message: message)
    }
}
