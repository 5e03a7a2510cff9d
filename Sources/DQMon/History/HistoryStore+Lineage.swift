import Foundation
import GRDB

/// Lineage in the history: `incidents.caused_by` (lineage inhibition, `LineageInhibitor`) and what `dqmon lineage`
/// shows per dataset (its checks' latest status and its open incidents).
extension HistoryStore {
    /// The incident `id` was linked to (its root), and the incidents linked to `id`, for `dqmon incidents show`.
    public func lineageLinks(incidentID id: Int64) throws(HistoryError) -> (causedBy: LinkedIncident?, linked: [LinkedIncident]) {
        try snapshot { transaction in
            let cause = try transaction.causedBy(incidentID: id).flatMap { try transaction.linkedIncident(id: $0) }
            return (cause, try transaction.incidentsLinked(to: id))
        }
    }

    /// Per dataset: the latest status of each of its checks and its open incidents (most severe first).
    public func lineageStatuses(datasets: [String]) throws(HistoryError) -> [String: DatasetLineageStatus] {
        try snapshot { transaction in
            var statuses: [String: DatasetLineageStatus] = [:]
            for dataset in datasets {
                statuses[dataset] = DatasetLineageStatus(latest: try transaction.latestStatuses(dataset: dataset),
                                                         openIncidents: try transaction.openLinkedIncidents(datasets: [dataset]))
            }
            return statuses
        }
    }
}

/// An incident as lineage shows it: which check, where, how bad, whether open, and its root if it has one.
public struct LinkedIncident: Sendable, Hashable, Codable {
    public var id: Int64
    public var checkID: String
    public var dataset: String
    public var tier: Int
    public var owner: String?
    public var severity: AlertSeverity
    public var isOpen: Bool
    public var detectedAt: Date
    public var resolvedAt: Date?
    public var causedBy: Int64?

    public init(id: Int64, checkID: String, dataset: String, tier: Int, owner: String?, severity: AlertSeverity, isOpen: Bool,
                detectedAt: Date, resolvedAt: Date? = nil, causedBy: Int64? = nil) {
        self.id = id
        self.checkID = checkID
        self.dataset = dataset
        self.tier = tier
        self.owner = owner
        self.severity = severity
        self.isOpen = isOpen
        self.detectedAt = detectedAt
        self.resolvedAt = resolvedAt
        self.causedBy = causedBy
    }
}

/// What `dqmon lineage` shows for one dataset: each check's latest status, and the open incidents.
public struct DatasetLineageStatus: Sendable {
    /// check id → its latest recorded status (none when never run).
    public var latest: [String: CheckStatus]
    public var openIncidents: [LinkedIncident]

    /// The worst latest status (fail > error > warn > pass), nil when nothing ran.
    public var worst: CheckStatus? {
        let rank: [CheckStatus: Int] = [.fail: 4, .error: 3, .warn: 2, .pass: 1, .skipped: 0]
        return latest.values.max { rank[$0, default: 0] < rank[$1, default: 0] }
    }
}

/// The `caused_by` statements, run in the engine's run transaction or in a read snapshot.
extension HistoryTransaction {
    static let linkedColumns = "id, check_id, dataset, tier, owner, severity, status, detected_at, resolved_at, caused_by"

    static func linkedIncident(_ row: Row) -> LinkedIncident {
        LinkedIncident(id: row.stored(0), checkID: row.stored(1), dataset: row.stored(2), tier: row.stored(3), owner: row.stored(4),
                       severity: AlertSeverity(rawValue: row.stored(5)) ?? .none, isOpen: (row.stored(6) as String) == "open",
                       detectedAt: row.stored(7) as Date, resolvedAt: row.stored(8) as Date?,
                       causedBy: row.stored(9))
    }

    /// Incident `id` as lineage sees it. (This and the per-incident statements below are prepared once per connection.)
    func linkedIncident(id: Int64) throws -> LinkedIncident? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT \(Self.linkedColumns) FROM incidents WHERE id = ?"), arguments: [id]).map(Self.linkedIncident)
    }

    /// Open incidents on any of `datasets`, most severe first, then oldest.
    func openLinkedIncidents(datasets: [String]) throws -> [LinkedIncident] {
        guard !datasets.isEmpty else { return [] }
        var found: [LinkedIncident] = []
        // In chunks: SQLite limits bound parameters per statement.
        for start in stride(from: 0, to: datasets.count, by: 500) {
            let chunk = Array(datasets[start..<min(start + 500, datasets.count)])
            let marks = Array(repeating: "?", count: chunk.count).joined(separator: ", ")
            found += try Row.fetchAll(db, sql: "SELECT \(Self.linkedColumns) FROM incidents WHERE status = 'open' AND dataset IN (\(marks))",
                                      arguments: StatementArguments(chunk)).map(Self.linkedIncident)
        }
        return found.sorted { ($1.severity, $0.detectedAt.timeIntervalSince1970, $0.id) < ($0.severity, $1.detectedAt.timeIntervalSince1970, $1.id) }
    }

    func causedBy(incidentID id: Int64) throws -> Int64? {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT caused_by FROM incidents WHERE id = ?"), arguments: [id])
    }

    /// Links incident `id` to its root (nil clears the link).
    func setCausedBy(_ id: Int64, root: Int64?) throws {
        try db.cachedStatement(sql: "UPDATE incidents SET caused_by = ? WHERE id = ?").execute(arguments: [root, id])
    }

    /// Incidents linked to `root`, oldest first.
    func incidentsLinked(to root: Int64) throws -> [LinkedIncident] {
        try Row.fetchAll(db, sql: "SELECT \(Self.linkedColumns) FROM incidents WHERE caused_by = ? ORDER BY id", arguments: [root])
            .map(Self.linkedIncident)
    }

    /// The latest status of each check of `dataset` that has run (from `check_state`, one row per check).
    func latestStatuses(dataset: String) throws -> [String: CheckStatus] {
        var statuses: [String: CheckStatus] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT check_id, last_status FROM check_state WHERE substr(check_id, 1, length(?) + 1) = ? || '/'",
                                    arguments: [dataset, dataset]) {
            statuses[row.stored(0)] = CheckStatus(rawValue: row.stored(1)) ?? .error
        }
        return statuses
    }
}
