import Foundation

/// Filters for `dqmon incidents`.
public struct IncidentFilter: Sendable {
    public var status: Incident.Status?
    public var minimumSeverity: AlertSeverity?
    public var dataset: String?
    /// Only incidents detected at or after this time.
    public var detectedSince: Date?
    public var limit: Int

    public init(status: Incident.Status? = nil, minimumSeverity: AlertSeverity? = nil, dataset: String? = nil,
                detectedSince: Date? = nil, limit: Int = 50) {
        self.status = status
        self.minimumSeverity = minimumSeverity
        self.dataset = dataset
        self.detectedSince = detectedSince
        self.limit = limit
    }
}
