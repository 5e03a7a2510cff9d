import Foundation

/// What `dqmon incidents show` says about lineage: the upstream incident this one is linked to (its alerts folded
/// into that one's), the downstream incidents linked to it, and its dataset's impact (downstream datasets with tier
/// and owner, exposures).
public struct IncidentLineage: Sendable {
    public var causedBy: LinkedIncident?
    public var linked: [LinkedIncident]
    public var impact: LineageImpact

    public var isEmpty: Bool { causedBy == nil && linked.isEmpty && impact.isEmpty }

    /// Loads the links of incident `id` from the history and the impact of `dataset` from the configuration.
    public static func load(id: Int64, dataset: String, history: HistoryStore, configuration: Configuration) throws -> IncidentLineage {
        let links = try history.lineageLinks(incidentID: id)
        return IncidentLineage(causedBy: links.causedBy, linked: links.linked, impact: configuration.lineage.impact(of: dataset))
    }

    /// The lines of `incidents show`, after the incident's facts; none without lineage.
    public var showLines: [String] {
        guard !isEmpty else { return [] }
        var lines = [""]
        if let root = causedBy {
            lines.append("caused by   upstream incident #\(root.id) \(root.checkID) (owner \(root.owner ?? "unowned"), \(root.isOpen ? "open" : "resolved")): its alerts were folded into that incident's")
        }
        if !linked.isEmpty {
            lines.append("linked      \(linked.count) downstream incident\(linked.count == 1 ? "" : "s") folded into this one:")
            lines += linked.map { "  #\($0.id) \($0.checkID) (tier \($0.tier), owner \($0.owner ?? "unowned"), \($0.isOpen ? "open" : "resolved"))" }
        }
        if !impact.isEmpty {
            lines.append("impact      \(impact.summary.replacingOccurrences(of: "Impact: ", with: ""))")
            lines += impact.downstream.map { "  dataset   \($0.name) (tier \($0.tier), owner \($0.owner ?? "unowned"), \($0.distance) step\($0.distance == 1 ? "" : "s") down)" }
            lines += impact.exposures.map { "  exposure  \($0.displayName) (\($0.type), maturity \($0.maturity ?? "-"), owner \($0.owner ?? "unowned"))\($0.url.map { " \($0)" } ?? "")" }
        }
        return lines
    }

    /// `lineage` in the `incidents show --format json` document.
    public struct JSON: Encodable {
        struct Link: Encodable {
            let id: Int64; let check_id: String; let dataset: String; let tier: Int; let owner: String?; let status: String
            init(_ incident: LinkedIncident) {
                id = incident.id; check_id = incident.checkID; dataset = incident.dataset; tier = incident.tier
                owner = incident.owner; status = incident.isOpen ? "open" : "resolved"
            }
        }
        let caused_by: Link?
        let linked: [Link]
        let impact: LineageImpact
        let impact_summary: String
        let effective_tier: Int

        public init(_ lineage: IncidentLineage) {
            caused_by = lineage.causedBy.map(Link.init)
            linked = lineage.linked.map(Link.init)
            impact = lineage.impact
            impact_summary = lineage.impact.summary
            effective_tier = lineage.impact.effectiveTier
        }
    }
}
