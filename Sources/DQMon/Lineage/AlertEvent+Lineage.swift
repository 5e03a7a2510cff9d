import Foundation

/// How an alert shows lineage: the impact line, the downstream incidents folded into it, the root it is blocked by.
/// Every receiver renders these (Slack and Teams as text lines or facts, PagerDuty in `custom_details`, the webhook
/// and file bodies as fields).
extension AlertEvent {
    /// `Downstream incidents folded in: #12 daily_revenue/freshness (tier 1, open), …`; nil when none are linked.
    public var linkedSummary: String? {
        guard let linked, !linked.isEmpty else { return nil }
        let shown = linked.prefix(10).map { "#\($0.id) \($0.checkID) (tier \($0.tier), \($0.isOpen ? "still failing" : "resolved"))" }
        let more = linked.count > 10 ? " and \(linked.count - 10) more" : ""
        let label = kind == .resolved ? "Downstream incidents linked to it" : "Downstream incidents folded in"
        return "\(label): " + shown.joined(separator: ", ") + more
    }

    /// The lines a text message adds: impact, folded-in incidents, and the upstream root when blocked.
    public var lineageLines: [String] {
        var lines: [String] = []
        if let blockedBy { lines.append("Blocked by upstream #\(blockedBy.incidentID) \(blockedBy.checkID) (owner \(blockedBy.owner ?? "unowned")): not paged; follow that incident") }
        if let summary = impact?.summary, !summary.isEmpty { lines.append(summary) }
        if let linkedSummary { lines.append(linkedSummary) }
        return lines
    }

    /// Fields of the webhook schema v1 event (added in version 1; null when the event has none).
    var lineageWebhookPairs: [(String, JSONValue)] {
        let impactValue: JSONValue = impact.map { impact in
            .object([
                ("summary", .string(impact.summary)), ("effective_tier", .number(Double(impact.effectiveTier))),
                ("downstream", .array(impact.downstream.map { dataset in
                    .object([("dataset", .string(dataset.name)), ("tier", .number(Double(dataset.tier))),
                             ("owner", dataset.owner.map(JSONValue.string) ?? .null), ("distance", .number(Double(dataset.distance)))])
                })),
                ("exposures", .array(impact.exposures.map { exposure in
                    .object([("name", .string(exposure.name)), ("type", .string(exposure.type)),
                             ("owner", exposure.owner.map(JSONValue.string) ?? .null),
                             ("maturity", exposure.maturity.map(JSONValue.string) ?? .null), ("url", exposure.url.map(JSONValue.string) ?? .null)])
                })),
            ])
        } ?? .null
        let causeValue: JSONValue = blockedBy.map { cause in
            .object([("incident_id", .number(Double(cause.incidentID))), ("check_id", .string(cause.checkID)),
                     ("dataset", .string(cause.dataset)), ("owner", cause.owner.map(JSONValue.string) ?? .null)])
        } ?? .null
        let linkedValue: JSONValue = .array((linked ?? []).map { incident in
            .object([("incident_id", .number(Double(incident.id))), ("check_id", .string(incident.checkID)),
                     ("dataset", .string(incident.dataset)), ("tier", .number(Double(incident.tier))),
                     ("owner", incident.owner.map(JSONValue.string) ?? .null), ("status", .string(incident.isOpen ? "open" : "resolved"))])
        })
        return [("impact", impactValue), ("caused_by", causeValue), ("linked_incidents", linkedValue)]
    }
}
