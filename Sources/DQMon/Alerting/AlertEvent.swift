import Foundation

/// What a notification says happened to an incident.
public enum AlertEventKind: String, Sendable, Codable, CaseIterable {
    /// A new (or reopened) incident.
    case firing
    /// Its severity rose.
    case escalated
    /// Still open and not acknowledged after the route's `repeat_interval`.
    case `repeat`
    /// Its check passed again (sent once, when `send_resolved` is true).
    case resolved
    /// Acknowledged in dqmon; only PagerDuty is told (event_action `acknowledge`).
    case acknowledged
    /// `dqmon alerts test RECEIVER`.
    case test
    /// Incidents on downstream datasets were linked to this open incident (lineage inhibition): sent to its receivers,
    /// naming them, instead of paging the downstream owners.
    case linked
}

/// One event about one incident, with everything a message shows: what was observed against what was
/// expected, who owns the data and where the runbook is. Stored as JSON in the outbox and alert state.
public struct AlertEvent: Sendable, Codable, Hashable {
    public var kind: AlertEventKind
    public var incidentID: Int64
    public var checkID: String
    public var checkType: String
    public var dataset: String
    public var warehouse: String
    public var severity: AlertSeverity
    public var previousSeverity: AlertSeverity?
    /// The check status that caused the event (`pass` for resolved).
    public var status: String
    public var observed: String
    public var expected: String
    public var message: String
    public var owner: String?
    public var tier: Int
    public var tags: [String]
    /// The runbook as a URL when `runbook_base_url` is set (or it is one), else its path.
    public var runbook: String?
    /// The incident's and the dataset's sections of the HTML report, when `report_url:` is set in dqmon.yml.
    public var report: ReportLinks?
    public var at: Date
    /// Downstream datasets and exposures (`LineageImpact`); nil without declared lineage.
    public var impact: LineageImpact? = nil
    /// Incidents linked to this one (it is their root), each with whether it is still open.
    public var linked: [LinkedIncident]? = nil
    /// The root this incident is linked to: the event is a "blocked by upstream" notice, not a page.
    public var blockedBy: LineageCause? = nil
    /// The failing result's failing-row samples, only on events to a receiver that includes them (`include_samples`,
    /// set by `AlertOutbox.withSamples` just before the messages are rendered, never kept in alert state).
    public var samples: AlertSamples? = nil

    public init(kind: AlertEventKind, incidentID: Int64, checkID: String, checkType: String, dataset: String, warehouse: String,
                severity: AlertSeverity, previousSeverity: AlertSeverity? = nil, status: String, observed: String,
                expected: String, message: String, owner: String?, tier: Int, tags: [String], runbook: String?, report: ReportLinks? = nil, at: Date) {
        self.kind = kind
        self.incidentID = incidentID
        self.checkID = checkID
        self.checkType = checkType
        self.dataset = dataset
        self.warehouse = warehouse
        self.severity = severity
        self.previousSeverity = previousSeverity
        self.status = status
        self.observed = observed
        self.expected = expected
        self.message = message
        self.owner = owner
        self.tier = tier
        self.tags = tags
        self.runbook = runbook
        self.report = report
        self.at = at
    }

    /// `CRITICAL firing: orders/freshness — 7h since last update (expected < 6h)`.
    public var oneLine: String {
        "\(severity.rawValue.uppercased()) \(kind.rawValue): \(checkID) - \(message)"
    }

    /// JSON for the stored alert state.
    var encoded: String {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        encoder.outputFormatting = .sortedKeys
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }

    static func decode(_ text: String) -> AlertEvent? {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        return try? decoder.decode(AlertEvent.self, from: Data(text.utf8))
    }

    /// The event as the webhook schema v1 writes it (README "Alerts").
    var webhookJSON: JSONValue {
        var pairs: [(String, JSONValue)] = [
            ("kind", .string(kind.rawValue)), ("incident_id", .number(Double(incidentID))),
            ("check_id", .string(checkID)), ("check_type", .string(checkType)), ("dataset", .string(dataset)),
            ("warehouse", .string(warehouse)), ("severity", .string(severity.rawValue)),
            ("previous_severity", previousSeverity.map { .string($0.rawValue) } ?? .null),
            ("status", .string(status)), ("observed", .string(observed)), ("expected", .string(expected)),
            ("message", .string(message)), ("owner", owner.map(JSONValue.string) ?? .null),
            ("tier", .number(Double(tier))), ("tags", .array(tags.map(JSONValue.string))),
        ]
        pairs.append(("runbook", runbook.map(JSONValue.string) ?? .null))
        if let report { pairs += [("report_url", .string(report.incident)), ("report_dataset_url", .string(report.dataset))] }
        pairs.append(("at", .string(ISO8601.string(from: at))))
        pairs += lineageWebhookPairs
        return .object(pairs)
    }
}

/// What every message of one delivery shares: who it is for and when the run happened.
public struct MessageContext: Sendable {
    public var receiver: String
    public var runAt: Date
    public init(receiver: String, runAt: Date) {
        self.receiver = receiver
        self.runAt = runAt
    }
}
