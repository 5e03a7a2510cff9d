import Foundation

/// One change to an incident in a run, as the alert outbox sees it (built from the incident tracker's changes).
public struct IncidentTransition: Sendable {
    public enum Kind: String, Sendable { case opened, reopened, escalated, updated, resolved }
    public var kind: Kind
    public var incidentID: Int64
    public var severity: AlertSeverity
    public var previousSeverity: AlertSeverity?
    public var result: CheckResult
    public var at: Date

    public init(kind: Kind, incidentID: Int64, severity: AlertSeverity, previousSeverity: AlertSeverity? = nil, result: CheckResult, at: Date) {
        self.kind = kind
        self.incidentID = incidentID
        self.severity = severity
        self.previousSeverity = previousSeverity
        self.result = result
        self.at = at
    }
}

/// What the outbox needs to know about an incident that is still open: whether someone acknowledged it.
public struct OpenIncidentStatus: Sendable {
    public var acknowledged: Bool
    public init(acknowledged: Bool) { self.acknowledged = acknowledged }
}
