import Foundation

/// The root an incident is linked to: the open upstream incident whose alerts it folds into.
public struct LineageCause: Sendable, Hashable, Codable {
    public var incidentID: Int64
    public var checkID: String
    public var dataset: String
    public var owner: String?
    /// Whether the root is still open after this run's changes, and when it resolved if not.
    public var rootIsOpen: Bool
    public var rootResolvedAt: Date?
    /// Linked by this run (the root's receivers have not yet heard of it).
    public var linkedNow: Bool

    public init(incidentID: Int64, checkID: String, dataset: String, owner: String?, rootIsOpen: Bool, rootResolvedAt: Date? = nil,
                linkedNow: Bool) {
        self.incidentID = incidentID
        self.checkID = checkID
        self.dataset = dataset
        self.owner = owner
        self.rootIsOpen = rootIsOpen
        self.rootResolvedAt = rootResolvedAt
        self.linkedNow = linkedNow
    }

    /// `blocked by upstream #3 payments/freshness (owner team-payments)`.
    public var blockedText: String {
        "blocked by upstream #\(incidentID) \(checkID) (owner \(owner ?? "unowned"))"
    }
}

/// Lineage inhibition, as Alertmanager's `inhibit_rules` do for services: when an incident opens (or reopens) on a
/// dataset while one of its transitive upstream datasets has an open incident of the same or higher severity, the new
/// incident is linked to that root (`incidents.caused_by`). It is still recorded with its own timeline and counts in
/// the SLA; only its alerts fold into the root's (`AlertOutbox+Lineage`).
///
/// Runs in the engine's run transaction after `IncidentTracker.apply`, so an upstream incident opened by the same run
/// counts, whatever the config order: changes are linked upstream first (topological order), and a candidate that is
/// itself linked leads to its own root.
public struct LineageInhibitor: Sendable {
    public let lineage: LineageGraph

    public init(configuration: Configuration) {
        lineage = configuration.lineage
    }

    /// Links this run's new incidents to their roots and returns `changes` (same order) with `cause` set on every
    /// change of a linked incident.
    public func apply(_ changes: [IncidentChange], in transaction: HistoryTransaction) throws -> [IncidentChange] {
        guard !lineage.isEmpty, !changes.isEmpty else { return changes }
        let order = lineage.topologicalOrder()
        let opening = changes.indices.filter { [.opened, .reopened].contains(changes[$0].kind) }
            .sorted { (order[changes[$0].dataset] ?? .max, $0) < (order[changes[$1].dataset] ?? .max, $1) }
        var linkedNow: Set<Int64> = []
        for position in opening {
            let change = changes[position]
            let root = try self.root(for: change, in: transaction)
            if let root {
                try transaction.setCausedBy(change.incidentID, root: root.id)
                try transaction.addIncidentEvent(change.incidentID, at: change.at.timeIntervalSince1970, kind: .updated,
                                                 detail: "linked to upstream incident #\(root.id) \(root.checkID) (owner \(root.owner ?? "unowned")): its alerts fold into that incident's",
                                                 by: "dqmon")
                linkedNow.insert(change.incidentID)
            } else if change.kind == .reopened, try transaction.causedBy(incidentID: change.incidentID) != nil {
                try transaction.setCausedBy(change.incidentID, root: nil)
            }
        }
        var result = changes
        for index in result.indices {
            guard let rootID = try transaction.causedBy(incidentID: result[index].incidentID),
                  let root = try transaction.linkedIncident(id: rootID) else { continue }
            if try unlinkIfStillFailing(result[index], root: root, in: transaction) { continue }
            result[index].cause = LineageCause(incidentID: root.id, checkID: root.checkID, dataset: root.dataset, owner: root.owner,
                                               rootIsOpen: root.isOpen, rootResolvedAt: root.resolvedAt, linkedNow: linkedNow.contains(result[index].incidentID))
        }
        return result
    }

    /// How long a linked incident may keep failing after its root resolved before it alerts on its own: time for the
    /// downstream job to rebuild from the repaired upstream (an hourly model needs up to an hour).
    public static let recoveryGrace: TimeInterval = 3_600

    /// A linked incident still failing `recoveryGrace` after its root resolved is not blocked any more: the upstream is
    /// healthy, so the cause is its own. It is unlinked (an event says why) and, with no `cause`, alerts as any incident
    /// does: its routes get a page, not another "blocked" notice. Never silent forever.
    func unlinkIfStillFailing(_ change: IncidentChange, root: LinkedIncident, in transaction: HistoryTransaction) throws -> Bool {
        guard change.kind != .resolved, !root.isOpen, let resolvedAt = root.resolvedAt,
              change.at.timeIntervalSince(resolvedAt) >= Self.recoveryGrace else { return false }
        try transaction.setCausedBy(change.incidentID, root: nil)
        try transaction.addIncidentEvent(change.incidentID, at: change.at.timeIntervalSince1970, kind: .updated,
                                         detail: "upstream incident #\(root.id) \(root.checkID) resolved at \(ISO8601.string(from: resolvedAt)) but this check still fails: unlinked, it alerts on its own",
                                         by: "dqmon")
        return true
    }

    /// The open upstream incident to link `change` to: among open incidents on the dataset's transitive upstream
    /// datasets with at least its severity, each followed to its own root, the most severe, then the oldest.
    func root(for change: IncidentChange, in transaction: HistoryTransaction) throws -> LinkedIncident? {
        let upstream = lineage.upstream(of: change.dataset).map(\.node.name)
        guard !upstream.isEmpty else { return nil }
        var roots: [LinkedIncident] = []
        for candidate in try transaction.openLinkedIncidents(datasets: upstream) where candidate.severity >= change.severity {
            if let root = try followToRoot(candidate, in: transaction), !roots.contains(where: { $0.id == root.id }) { roots.append(root) }
        }
        return roots.min { ($1.severity, $0.detectedAt.timeIntervalSince1970, $0.id) < ($0.severity, $1.detectedAt.timeIntervalSince1970, $1.id) }
    }

    /// The incident at the end of `caused_by` links, if it is open (links never form a loop: a root is always upstream;
    /// the walk is bounded anyway).
    func followToRoot(_ incident: LinkedIncident, in transaction: HistoryTransaction) throws -> LinkedIncident? {
        var current = incident
        var seen: Set<Int64> = [incident.id]
        while let next = current.causedBy {
            guard seen.insert(next).inserted, let parent = try transaction.linkedIncident(id: next), parent.isOpen else { break }
            current = parent
        }
        return current.isOpen ? current : nil
    }
}
