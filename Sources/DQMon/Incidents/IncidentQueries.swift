import Foundation
import GRDB

/// SQL over the incidents tables, shared by the tracker (inside a run's transaction) and the on-call commands.
enum IncidentQueries {
    static let columns = """
        id, check_id, dataset, check_type, tier, owner, runbook, status, severity, detected_at, onset_at, onset_basis,
        acknowledged_at, acknowledged_by, resolved_at, resolved_by, resolve_reason, flap_count, last_status,
        last_seen_at, last_observed_text, last_expected, last_message
        """

    static func decode(_ row: Row) -> Incident {
        let date = { (index: Int) -> Date? in (row[index] as Double?).map(Date.init(timeIntervalSince1970:)) }
        return Incident(
            id: row[0], checkID: row[1], dataset: row[2], checkType: row[3], tier: row[4], owner: row[5], runbook: row[6],
            status: Incident.Status(rawValue: row[7]) ?? .open, severity: AlertSeverity(rawValue: row[8]) ?? .none,
            detectedAt: date(9)!, onsetAt: date(10)!, onsetBasis: Incident.OnsetBasis(rawValue: row[11]) ?? .firstRun,
            acknowledgedAt: date(12), acknowledgedBy: row[13], resolvedAt: date(14), resolvedBy: row[15],
            resolveReason: (row[16] as String?).flatMap(Incident.ResolveReason.init(rawValue:)), flapCount: row[17],
            lastStatus: CheckStatus(rawValue: row[18]) ?? .error, lastSeenAt: date(19)!, lastObservedText: row[20],
            lastExpected: row[21], lastMessage: row[22])
    }

    static func openIncident(checkID: String, db: Database) throws -> Incident? {
        try Row.fetchOne(db, sql: "SELECT \(columns) FROM incidents WHERE check_id = ? AND status = 'open'", arguments: [checkID]).map(decode)
    }

    static func latestIncident(checkID: String, db: Database) throws -> Incident? {
        try Row.fetchOne(db, sql: "SELECT \(columns) FROM incidents WHERE check_id = ? ORDER BY id DESC LIMIT 1", arguments: [checkID]).map(decode)
    }

    static func incident(id: Int64, db: Database) throws -> Incident? {
        try Row.fetchOne(db, sql: "SELECT \(columns) FROM incidents WHERE id = ?", arguments: [id]).map(decode)
    }

    /// The time of the check's last `pass` before `time` (runs are instantaneous on the run clock: a run ends at its evaluated_at).
    static func lastPass(checkID: String, before time: Double, db: Database) throws -> Double? {
        try Double.fetchOne(db, sql: """
            SELECT evaluated_at FROM results WHERE check_id = ? AND evaluated_at < ? AND status = 'pass'
            ORDER BY evaluated_at DESC LIMIT 1
            """, arguments: [checkID, time])
    }

    static func passed(checkID: String, after start: Double, before end: Double, db: Database) throws -> Bool {
        try Bool.fetchOne(db, sql: """
            SELECT EXISTS (SELECT 1 FROM results WHERE check_id = ? AND evaluated_at > ? AND evaluated_at < ? AND status = 'pass')
            """, arguments: [checkID, start, end]) ?? false
    }

    static func recordLastResult(_ id: Int64, result: CheckResult, severity: AlertSeverity?, db: Database) throws {
        try db.execute(sql: """
            UPDATE incidents SET last_status = ?, last_seen_at = ?, last_observed_text = ?, last_expected = ?, last_message = ?,
                                 severity = coalesce(?, severity), severity_rank = coalesce(?, severity_rank)
            WHERE id = ?
            """, arguments: [result.status.rawValue, result.evaluatedAt.timeIntervalSince1970, result.observedText, result.expected,
                             result.message, severity?.rawValue, severity?.rank, id])
    }

    static func addEvent(_ id: Int64, at: Double, kind: IncidentEvent.Kind, detail: String, by: String, db: Database) throws {
        try db.execute(sql: "INSERT INTO incident_events (incident_id, at, kind, detail, by) VALUES (?, ?, ?, ?, ?)",
                       arguments: [id, at, kind.rawValue, detail, by])
    }

    static func events(incidentID: Int64, db: Database) throws -> [IncidentEvent] {
        try Row.fetchAll(db, sql: "SELECT incident_id, at, kind, detail, by FROM incident_events WHERE incident_id = ? ORDER BY at, id",
                         arguments: [incidentID]).map { row in
            IncidentEvent(incidentID: row[0], at: Date(timeIntervalSince1970: row[1]),
                          kind: IncidentEvent.Kind(rawValue: row[2]) ?? .note, detail: row[3], by: row[4])
        }
    }
}
