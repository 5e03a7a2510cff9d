import Foundation

/// One incident: a check that stopped passing, from detection to resolution.
///
/// There is at most one open incident per check id. Flapping (failing again within `reopen_within`
/// of the resolution) reopens the same incident and counts a flap.
public struct Incident: Sendable {
    public enum Status: String, Sendable, Codable { case open, resolved }
    /// How `onsetAt` was estimated.
    public enum OnsetBasis: String, Sendable, Codable {
        /// freshness: max(column) + the breached threshold.
        case dataTimestamp = "data_timestamp"
        /// the end of the last run where the check passed.
        case lastPass = "last_pass"
        /// no pass on record: the detection time.
        case firstRun = "first_run"
    }
    public enum ResolveReason: String, Sendable, Codable { case auto, manual }

    public var id: Int64
    public var checkID: String
    public var dataset: String
    public var checkType: String
    public var tier: Int
    public var owner: String?
    public var runbook: String?
    public var status: Status
    /// The highest severity the incident reached (severities never go down while open).
    public var severity: AlertSeverity
    public var detectedAt: Date
    public var onsetAt: Date
    public var onsetBasis: OnsetBasis
    public var acknowledgedAt: Date?
    public var acknowledgedBy: String?
    public var resolvedAt: Date?
    public var resolvedBy: String?
    public var resolveReason: ResolveReason?
    public var flapCount: Int
    /// The latest non-pass result seen for the incident.
    public var lastStatus: CheckStatus
    public var lastSeenAt: Date
    public var lastObservedText: String
    public var lastExpected: String
    public var lastMessage: String
}

/// One line of an incident's timeline: lifecycle changes, acknowledgements and notes.
public struct IncidentEvent: Sendable {
    public enum Kind: String, Sendable, Codable {
        case opened, reopened, escalated, updated, resolved, acknowledged, note
    }

    public var incidentID: Int64
    public var at: Date
    public var kind: Kind
    public var detail: String
    /// Who did it: a person for ack/resolve/note, `dqmon` for changes a run made.
    public var by: String
}

/// What a run changed about an incident: what the tracker returns (`RunReport.incidentChanges`), what
/// `dqmon check` prints, and what the alert outbox turns into notifications.
///
/// `updated` is returned for every non-pass result of a check whose incident is already open and did not
/// escalate (so alerting can decide on repeats); only status changes are stored as timeline events.
public struct IncidentChange: Sendable {
    public enum Kind: String, Sendable { case opened, reopened, escalated, updated, resolved }
    public var kind: Kind
    public var incidentID: Int64
    public var checkID: String
    public var dataset: String
    public var severity: AlertSeverity
    /// The severity before an escalation or a reopening.
    public var previousSeverity: AlertSeverity?
    /// The result that caused the change.
    public var result: CheckResult
    public var at: Date
    /// The open upstream incident this one is linked to (lineage inhibition, `LineageInhibitor`); nil when none.
    public var cause: LineageCause? = nil

    public init(kind: Kind, incidentID: Int64, checkID: String, dataset: String, severity: AlertSeverity,
                previousSeverity: AlertSeverity?, result: CheckResult, at: Date) {
        self.kind = kind
        self.incidentID = incidentID
        self.checkID = checkID
        self.dataset = dataset
        self.severity = severity
        self.previousSeverity = previousSeverity
        self.result = result
        self.at = at
    }

    /// A change of the incident of `result`'s check (its check id and dataset are the result's).
    public init(kind: Kind, incidentID: Int64, severity: AlertSeverity, previousSeverity: AlertSeverity? = nil,
                result: CheckResult, at: Date) {
        self.init(kind: kind, incidentID: incidentID, checkID: result.checkID, dataset: result.dataset, severity: severity,
                  previousSeverity: previousSeverity, result: result, at: at)
    }
}

/// `incidents:` in dqmon.yml.
public struct IncidentSettings: Sendable, Hashable {
    public static let keys = ["reopen_within"]
    /// A check failing again within this long of its incident's resolution reopens it (a flap).
    public var reopenWithin: Interval

    public init(reopenWithin: Interval = Interval(seconds: 3_600)) {
        self.reopenWithin = reopenWithin
    }

    static func parse(_ node: ConfigNode) -> IncidentSettings {
        var settings = IncidentSettings()
        guard let fields = node.fields(of: "'incidents'", allowed: keys) else { return settings }
        if let value = fields.interval("reopen_within") { settings.reopenWithin = value }
        return settings
    }
}

/// An on-call action could not be done: unknown id, or the incident is not in a state that allows it.
public struct IncidentError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
