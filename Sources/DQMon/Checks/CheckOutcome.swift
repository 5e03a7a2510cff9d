import Foundation

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
    public var metricPoints: [String: MetricReading]
    /// The numeric range the observed value was expected in, when the check computes one (anomaly checks): stored
    /// with the result, so history can draw it without reading `expected`.
    public var expectedRange: ExpectedRange? = nil
    /// What the check keeps in history beside its result (a schema check's changed snapshot), written in the run's
    /// transaction by each artifact itself.
    public var artifacts: [any RunArtifact] = []

    public init(status: CheckStatus, observed: Double? = nil, observedText: String = "", expected: String = "",
                message: String, dataTimestamp: Double? = nil, metricPoints: [String: MetricReading] = [:]) {
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

/// One metric point a check reports: its value, and whether the check found it anomalous (a flagged point is
/// recorded as such and never trains a baseline). A plain number literal is an unflagged reading.
public struct MetricReading: Sendable, Hashable, ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral {
    public var value: Double
    public var flagged: Bool

    public init(_ value: Double, flagged: Bool = false) {
        self.value = value
        self.flagged = flagged
    }

    public init(floatLiteral value: Double) { self.init(value) }
    public init(integerLiteral value: Int) { self.init(Double(value)) }
}

/// The numeric range a value was expected in. Built only from finite bounds with `lower <= upper`.
public struct ExpectedRange: Sendable, Hashable {
    public let lower: Double
    public let upper: Double

    /// nil when a bound is not finite or the bounds are reversed.
    public init?(lower: Double, upper: Double) {
        guard lower.isFinite, upper.isFinite, lower <= upper else { return nil }
        self.lower = lower
        self.upper = upper
    }
}
