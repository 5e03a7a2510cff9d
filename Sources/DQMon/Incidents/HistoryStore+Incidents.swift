import Foundation
import GRDB

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

/// The on-call side of incidents: listing, one incident's timeline, and ack / resolve / note.
extension HistoryStore {
    /// Open incidents first, then most severe, then newest; at most `filter.limit`.
    public func incidents(_ filter: IncidentFilter) throws(HistoryError) -> [Incident] {
        try read { db in
            let (sql, arguments) = Self.listingQuery(filter)
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map(IncidentQueries.decode)
        }
    }

    /// The listing SQL; its ORDER BY matches the `incidents_listing` / `incidents_dataset_listing` indexes.
    static func listingQuery(_ filter: IncidentFilter) -> (String, StatementArguments) {
        var conditions: [String] = []
        var arguments: StatementArguments = []
        if let dataset = filter.dataset {
            conditions.append("dataset = ?")
            arguments += [dataset]
        }
        if let status = filter.status {
            conditions.append("status = ?")
            arguments += [status.rawValue]
        }
        if let severity = filter.minimumSeverity {
            conditions.append("severity_rank >= ?")
            arguments += [severity.rank]
        }
        if let since = filter.detectedSince {
            conditions.append("detected_at >= ?")
            arguments += [since.timeIntervalSince1970]
        }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let sql = "SELECT \(IncidentQueries.columns) FROM incidents \(whereClause) ORDER BY status, severity_rank DESC, detected_at DESC LIMIT ?"
        arguments += [filter.limit]
        return (sql, arguments)
    }

    /// One incident, or an `IncidentError` naming the unknown id.
    public func incident(id: Int64) throws -> Incident {
        guard let incident = try read({ db in try IncidentQueries.incident(id: id, db: db) }) else { throw Self.unknown(id) }
        return incident
    }

    public func incidentEvents(id: Int64) throws(HistoryError) -> [IncidentEvent] {
        try read { db in try IncidentQueries.events(incidentID: id, db: db) }
    }

    /// Results of the incident's check from its onset (or detection) to its resolution (or now), oldest first.
    public func incidentResults(_ incident: Incident, until now: Date, limit: Int = 200) throws(HistoryError) -> [CheckResult] {
        let start = min(incident.onsetAt, incident.detectedAt).timeIntervalSince1970
        let end = (incident.resolvedAt ?? now).timeIntervalSince1970
        return try read { db in
            try Row.fetchAll(db, sql: """
                SELECT check_id, dataset, warehouse, check_type, status, observed, observed_text, expected, message,
                       query_ms, data_timestamp, evaluated_at
                FROM results WHERE check_id = ? AND evaluated_at >= ? AND evaluated_at <= ? ORDER BY evaluated_at DESC, id DESC LIMIT ?
                """, arguments: [incident.checkID, start, end, limit]).map(Self.result).reversed().map { $0 }
        }
    }

    /// Acknowledges an open incident (keeps the first acknowledgement's time for MTTA).
    public func acknowledgeIncident(id: Int64, by person: String, note: String?, at: Date) throws {
        try writeIncident { db in
            let incident = try Self.existing(id, db: db)
            guard incident.status == .open else { throw IncidentError("incident #\(id) is already resolved; nothing to acknowledge") }
            if let by = incident.acknowledgedBy, let when = incident.acknowledgedAt {
                throw IncidentError("incident #\(id) was already acknowledged by \(by) at \(Format.timestamp(when))")
            }
            try db.execute(sql: "UPDATE incidents SET acknowledged_at = ?, acknowledged_by = ? WHERE id = ?",
                           arguments: [at.timeIntervalSince1970, person, id])
            try IncidentQueries.addEvent(id, at: at.timeIntervalSince1970, kind: .acknowledged, detail: note ?? "acknowledged", by: person, db: db)
        }
    }

    /// Resolves an open incident by hand. If its check still fails, the next run reopens it and says so.
    public func resolveIncident(id: Int64, by person: String, note: String?, at: Date) throws {
        try writeIncident { db in
            let incident = try Self.existing(id, db: db)
            guard incident.status == .open else { throw IncidentError("incident #\(id) is already resolved (at \(incident.resolvedAt.map(Format.timestamp) ?? "?"))") }
            try db.execute(sql: "UPDATE incidents SET status = 'resolved', resolved_at = ?, resolved_by = ?, resolve_reason = 'manual' WHERE id = ?",
                           arguments: [at.timeIntervalSince1970, person, id])
            try IncidentQueries.addEvent(id, at: at.timeIntervalSince1970, kind: .resolved, detail: note ?? "resolved by hand", by: person, db: db)
        }
    }

    public func addIncidentNote(id: Int64, text: String, by person: String, at: Date) throws {
        try writeIncident { db in
            _ = try Self.existing(id, db: db)
            try IncidentQueries.addEvent(id, at: at.timeIntervalSince1970, kind: .note, detail: text, by: person, db: db)
        }
    }

    static func existing(_ id: Int64, db: Database) throws -> Incident {
        guard let incident = try IncidentQueries.incident(id: id, db: db) else { throw unknown(id) }
        return incident
    }

    static func unknown(_ id: Int64) -> IncidentError {
        IncidentError("no incident #\(id) in this history ('dqmon incidents' lists them)")
    }

    /// A write transaction in which an `IncidentError` (unknown id, wrong state) reaches the caller as itself.
    func writeIncident(_ body: (Database) throws -> Void) throws {
        try verifyBeforeFirstWrite()
        do { try pool.write(body) } catch let error as IncidentError { throw error } catch {
            throw mapped(error, doing: "write")
        }
    }
}
