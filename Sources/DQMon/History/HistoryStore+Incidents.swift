import Foundation
import GRDB

/// The incidents tables (`incidents`, `incident_events`): the on-call side (listing, one incident's timeline,
/// ack / resolve / note) as whole operations, and below, the statements the incident tracker runs in the run's
/// transaction.
extension HistoryStore {
    /// Open incidents first, then most severe, then newest; at most `filter.limit`.
    public func incidents(_ filter: IncidentFilter) throws(HistoryError) -> [Incident] {
        try read { db in
            let (sql, arguments) = Self.listingQuery(filter)
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map(HistoryTransaction.incident)
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
        let sql = "SELECT \(HistoryTransaction.incidentColumns) FROM incidents \(whereClause) ORDER BY status, severity_rank DESC, detected_at DESC LIMIT ?"
        arguments += [filter.limit]
        return (sql, arguments)
    }

    /// One incident, or an `IncidentError` naming the unknown id.
    public func incident(id: Int64) throws -> Incident {
        guard let incident = try snapshot({ transaction in try transaction.incident(id: id) }) else { throw Self.unknown(id) }
        return incident
    }

    public func incidentEvents(id: Int64) throws(HistoryError) -> [IncidentEvent] {
        try snapshot { transaction in try transaction.incidentEvents(incidentID: id) }
    }

    /// Results of the incident's check from its onset (or detection) to its resolution (or now), oldest first.
    public func incidentResults(_ incident: Incident, until now: Date, limit: Int = 200) throws(HistoryError) -> [CheckResult] {
        let start = min(incident.onsetAt, incident.detectedAt).timeIntervalSince1970
        let end = (incident.resolvedAt ?? now).timeIntervalSince1970
        return try snapshot { transaction in
            Array(try transaction.results(checkID: incident.checkID, from: start, through: end, limit: limit).reversed())
        }
    }

    /// Acknowledges an open incident (keeps the first acknowledgement's time for MTTA).
    public func acknowledgeIncident(id: Int64, by person: String, note: String?, at: Date) throws {
        try writeIncident { transaction in
            let incident = try Self.existing(id, in: transaction)
            guard incident.status == .open else { throw IncidentError("incident #\(id) is already resolved; nothing to acknowledge") }
            if let by = incident.acknowledgedBy, let when = incident.acknowledgedAt {
                throw IncidentError("incident #\(id) was already acknowledged by \(by) at \(Format.timestamp(when))")
            }
            try transaction.acknowledgeIncident(id, at: at.timeIntervalSince1970, by: person)
            try transaction.addIncidentEvent(id, at: at.timeIntervalSince1970, kind: .acknowledged, detail: note ?? "acknowledged", by: person)
        }
    }

    /// Resolves an open incident by hand. If its check still fails, the next run reopens it and says so.
    public func resolveIncident(id: Int64, by person: String, note: String?, at: Date) throws {
        try writeIncident { transaction in
            let incident = try Self.existing(id, in: transaction)
            guard incident.status == .open else { throw IncidentError("incident #\(id) is already resolved (at \(incident.resolvedAt.map(Format.timestamp) ?? "?"))") }
            try transaction.resolveIncident(id, at: at.timeIntervalSince1970, by: person, reason: .manual)
            try transaction.addIncidentEvent(id, at: at.timeIntervalSince1970, kind: .resolved, detail: note ?? "resolved by hand", by: person)
        }
    }

    public func addIncidentNote(id: Int64, text: String, by person: String, at: Date) throws {
        try writeIncident { transaction in
            _ = try Self.existing(id, in: transaction)
            try transaction.addIncidentEvent(id, at: at.timeIntervalSince1970, kind: .note, detail: text, by: person)
        }
    }

    static func existing(_ id: Int64, in transaction: HistoryTransaction) throws -> Incident {
        guard let incident = try transaction.incident(id: id) else { throw unknown(id) }
        return incident
    }

    static func unknown(_ id: Int64) -> IncidentError {
        IncidentError("no incident #\(id) in this history ('dqmon incidents' lists them)")
    }

    /// A write transaction in which an `IncidentError` (unknown id, wrong state) reaches the caller as itself.
    func writeIncident(_ body: (HistoryTransaction) throws -> Void) throws {
        try verifyBeforeFirstWrite()
        do { try pool.write { db in try body(HistoryTransaction(db)) } } catch let error as IncidentError { throw error } catch {
            throw mapped(error, doing: "write")
        }
    }
}

/// The incident statements that run inside a transaction: the tracker's (in the run's transaction) and the
/// on-call operations' above.
extension HistoryTransaction {
    static let incidentColumns = """
        id, check_id, dataset, check_type, tier, owner, runbook, status, severity, detected_at, onset_at, onset_basis,
        acknowledged_at, acknowledged_by, resolved_at, resolved_by, resolve_reason, flap_count, last_status,
        last_seen_at, last_observed_text, last_expected, last_message
        """

    static func incident(_ row: Row) -> Incident {
        let date = { (index: Int) -> Date? in row.stored(index) as Date? }
        return Incident(
            id: row.stored(0), checkID: row.stored(1), dataset: row.stored(2), checkType: row.stored(3), tier: row.stored(4), owner: row.stored(5), runbook: row.stored(6),
            status: Incident.Status(rawValue: row.stored(7)) ?? .open, severity: AlertSeverity(rawValue: row.stored(8)) ?? .none,
            detectedAt: row.stored(9), onsetAt: row.stored(10), onsetBasis: Incident.OnsetBasis(rawValue: row.stored(11)) ?? .firstRun,
            acknowledgedAt: date(12), acknowledgedBy: row.stored(13), resolvedAt: date(14), resolvedBy: row.stored(15),
            resolveReason: (row.stored(16) as String?).flatMap(Incident.ResolveReason.init(rawValue:)), flapCount: row.stored(17),
            lastStatus: CheckStatus(rawValue: row.stored(18)) ?? .error, lastSeenAt: row.stored(19), lastObservedText: row.stored(20),
            lastExpected: row.stored(21), lastMessage: row.stored(22))
    }

    func incident(id: Int64) throws -> Incident? {
        try Row.fetchOne(db, sql: "SELECT \(Self.incidentColumns) FROM incidents WHERE id = ?", arguments: [id]).map(Self.incident)
    }

    /// The check's open incident (there is at most one: a unique partial index enforces it).
    func openIncident(checkID: String) throws -> Incident? {
        // Cached: a run asks this once per result, and preparing it 5,000 times was a quarter of a 1,000-table run.
        let statement = try db.cachedStatement(sql: "SELECT \(Self.incidentColumns) FROM incidents WHERE check_id = ? AND status = 'open'")
        return try Row.fetchOne(statement, arguments: [checkID]).map(Self.incident)
    }

    /// Every open incident (at most one per check), read once for a whole run instead of once per result.
    func openIncidents() throws -> [Incident] {
        try Row.fetchAll(db, sql: "SELECT \(Self.incidentColumns) FROM incidents WHERE status = 'open'").map(Self.incident)
    }

    /// The check's newest incident, open or resolved.
    func latestIncident(checkID: String) throws -> Incident? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT \(Self.incidentColumns) FROM incidents WHERE check_id = ? ORDER BY id DESC LIMIT 1"),
                         arguments: [checkID]).map(Self.incident)
    }

    /// Opens a new incident for `result`; returns its id.
    func insertIncident(for result: CheckResult, severity: AlertSeverity, onset: Double, basis: Incident.OnsetBasis) throws -> Int64 {
        try db.cachedStatement(sql: """
            INSERT INTO incidents (check_id, dataset, check_type, tier, owner, runbook, status, severity, severity_rank,
                                   detected_at, onset_at, onset_basis, flap_count, last_status, last_seen_at,
                                   last_observed_text, last_expected, last_message)
            VALUES (?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?)
            """).execute(arguments: [
                result.checkID, result.dataset, result.checkType, result.tier, result.owner, result.runbook,
                severity.rawValue, severity.rank, result.evaluatedAt.timeIntervalSince1970, onset, basis.rawValue,
                result.status.rawValue, result.evaluatedAt.timeIntervalSince1970, result.observedText, result.expected, result.message,
            ])
        return db.lastInsertedRowID
    }

    /// The latest non-pass result seen for an incident, and its new severity when it escalated (nil keeps it).
    ///
    /// Without an escalation the severity columns are left out of the statement, not set to themselves: SQLite
    /// rewrites the entries of every index holding a column the UPDATE names (`incidents_listing`,
    /// `incidents_dataset_listing`) and re-evaluates the severity CHECK constraint, even when the value is unchanged.
    /// A run updates each open incident of a failing check, and the escalation is the rare case. Both statements
    /// are prepared once per connection (cached).
    func recordLastResult(_ id: Int64, result: CheckResult, severity: AlertSeverity?) throws {
        let common: [(any DatabaseValueConvertible)?] = [result.status.rawValue, result.evaluatedAt.timeIntervalSince1970,
                                                         result.observedText, result.expected, result.message]
        guard let severity else {
            return try db.cachedStatement(sql: """
                UPDATE incidents SET last_status = ?, last_seen_at = ?, last_observed_text = ?, last_expected = ?, last_message = ?
                WHERE id = ?
                """).execute(arguments: StatementArguments(common + [id]))
        }
        try db.cachedStatement(sql: """
            UPDATE incidents SET last_status = ?, last_seen_at = ?, last_observed_text = ?, last_expected = ?, last_message = ?,
                                 severity = ?, severity_rank = ?
            WHERE id = ?
            """).execute(arguments: StatementArguments(common + [severity.rawValue, severity.rank, id]))
    }

    /// Resolves an incident: by dqmon when its check passed (`auto`), or by a person (`manual`).
    func resolveIncident(_ id: Int64, at time: Double, by person: String, reason: Incident.ResolveReason) throws {
        try db.cachedStatement(sql: "UPDATE incidents SET status = 'resolved', resolved_at = ?, resolved_by = ?, resolve_reason = ? WHERE id = ?")
            .execute(arguments: [time, person, reason.rawValue, id])
    }

    /// Reopens a resolved incident at `severity`; a flap also counts one more in `flap_count`.
    func reopenIncident(_ id: Int64, severity: AlertSeverity, isFlap: Bool) throws {
        try db.execute(sql: """
            UPDATE incidents SET status = 'open', resolved_at = NULL, resolved_by = NULL, resolve_reason = NULL,
                                 severity = ?, severity_rank = ?, flap_count = flap_count + ?
            WHERE id = ?
            """, arguments: [severity.rawValue, severity.rank, isFlap ? 1 : 0, id])
    }

    func acknowledgeIncident(_ id: Int64, at time: Double, by person: String) throws {
        try db.execute(sql: "UPDATE incidents SET acknowledged_at = ?, acknowledged_by = ? WHERE id = ?", arguments: [time, person, id])
    }

    /// Adds one line to an incident's timeline.
    func addIncidentEvent(_ id: Int64, at time: Double, kind: IncidentEvent.Kind, detail: String, by person: String) throws {
        // Cached: a run adds one per opened, resolved or changed incident.
        try db.cachedStatement(sql: "INSERT INTO incident_events (incident_id, at, kind, detail, by) VALUES (?, ?, ?, ?, ?)")
            .execute(arguments: [id, time, kind.rawValue, detail, person])
    }

    /// An incident's timeline, oldest first.
    func incidentEvents(incidentID: Int64) throws -> [IncidentEvent] {
        try Row.fetchAll(db, sql: "SELECT incident_id, at, kind, detail, by FROM incident_events WHERE incident_id = ? ORDER BY at, id",
                         arguments: [incidentID]).map { row in
            IncidentEvent(incidentID: row.stored(0), at: row.stored(1) as Date,
                          kind: IncidentEvent.Kind(rawValue: row.stored(2)) ?? .note, detail: row.stored(3), by: row.stored(4))
        }
    }

    /// The time of the check's last `pass` before `time` (runs are instantaneous on the run clock: a run ends at its
    /// evaluated_at).
    func lastPass(checkID: String, before time: Double) throws -> Double? {
        try Double.fetchOne(db.cachedStatement(sql: """
            SELECT evaluated_at FROM results WHERE check_id = ? AND evaluated_at < ? AND status = 'pass'
            ORDER BY evaluated_at DESC LIMIT 1
            """), arguments: [checkID, time])
    }

    /// Whether the check passed strictly between `start` and `end`.
    func passed(checkID: String, after start: Double, before end: Double) throws -> Bool {
        try Bool.fetchOne(db.cachedStatement(sql: """
            SELECT EXISTS (SELECT 1 FROM results WHERE check_id = ? AND evaluated_at > ? AND evaluated_at < ? AND status = 'pass')
            """), arguments: [checkID, start, end]) ?? false
    }

    /// Every open incident and whether it is acknowledged: what the outbox needs to repeat, release or close.
    func openIncidentStatuses() throws -> [Int64: OpenIncidentStatus] {
        var open: [Int64: OpenIncidentStatus] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT id, acknowledged_at IS NOT NULL FROM incidents WHERE status = 'open'") {
            open[row.stored(0)] = OpenIncidentStatus(acknowledged: row.stored(1))
        }
        return open
    }

    /// Deletes incidents resolved before `cutoff`, with their events and alert state. Kept whatever their age: open
    /// incidents, incidents a receiver still owes a message for, and the newest incident (deleting the highest id
    /// would let SQLite hand it out again, and alert state is keyed by incident id).
    func pruneIncidents(resolvedBefore cutoff: Double) throws {
        try db.execute(sql: """
            CREATE TEMP TABLE pruned_incidents AS
                SELECT id FROM incidents
                WHERE status = 'resolved' AND resolved_at < ? AND id < (SELECT max(id) FROM incidents)
                  AND NOT EXISTS (SELECT 1 FROM alert_state WHERE incident_id = incidents.id AND (is_open = 1 OR owed IS NOT NULL));
            DELETE FROM alert_state WHERE incident_id IN (SELECT id FROM pruned_incidents);
            DELETE FROM incident_events WHERE incident_id IN (SELECT id FROM pruned_incidents);
            DELETE FROM incidents WHERE id IN (SELECT id FROM pruned_incidents);
            DROP TABLE pruned_incidents;
            """, arguments: [cutoff])
    }
}
