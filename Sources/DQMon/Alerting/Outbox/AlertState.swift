import Foundation
import GRDB

/// What one receiver has been told about one incident (table `alert_state`).
struct AlertState {
    var incidentID: Int64
    var receiver: String
    var isOpen: Bool
    /// A firing for this incident reached the outbox.
    var notified: Bool
    /// An event held back by a silence or maintenance window, sent when it ends.
    var owed: AlertEventKind?
    var heldReason: String?
    var acknowledgedSent: Bool
    var lastNotifiedAt: Date?
    var repeatInterval: TimeInterval
    var sendResolved: Bool
    /// The latest event, which repeats, releases and resolves are built from.
    var event: AlertEvent

    static let columns = "incident_id, receiver, is_open, notified, owed, held_reason, acknowledged_sent, last_notified_at, repeat_interval, send_resolved, event"

    static func fetch(incident: Int64, receiver: String, db: Database) throws -> AlertState? {
        try Row.fetchOne(db, sql: "SELECT \(columns) FROM alert_state WHERE incident_id = ? AND receiver = ?",
                         arguments: [incident, receiver]).flatMap(make)
    }

    static func fetchOpen(incident: Int64, db: Database) throws -> [AlertState] {
        try Row.fetchAll(db, sql: "SELECT \(columns) FROM alert_state WHERE incident_id = ? AND is_open = 1 ORDER BY receiver",
                         arguments: [incident]).compactMap(make)
    }

    static func fetchAllOpen(_ db: Database) throws -> [AlertState] {
        try Row.fetchAll(db, sql: "SELECT \(columns) FROM alert_state WHERE is_open = 1 ORDER BY incident_id, receiver").compactMap(make)
    }

    /// Events held back right now, for `dqmon alerts`.
    static func fetchHeld(_ db: Database) throws -> [AlertState] {
        try Row.fetchAll(db, sql: "SELECT \(columns) FROM alert_state WHERE is_open = 1 AND owed IS NOT NULL ORDER BY incident_id").compactMap(make)
    }

    static func make(_ row: Row) -> AlertState? {
        guard let event = AlertEvent.decode(row[10]) else { return nil }
        return AlertState(
            incidentID: row[0], receiver: row[1], isOpen: row[2], notified: row[3], owed: (row[4] as String?).flatMap(AlertEventKind.init),
            heldReason: row[5], acknowledgedSent: row[6], lastNotifiedAt: (row[7] as Double?).map(Date.init(timeIntervalSince1970:)),
            repeatInterval: row[8], sendResolved: row[9], event: event)
    }

    func save(_ db: Database) throws {
        try db.execute(sql: "INSERT OR REPLACE INTO alert_state (\(Self.columns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", arguments: [
            incidentID, receiver, isOpen, notified, owed?.rawValue, heldReason, acknowledgedSent,
            lastNotifiedAt?.timeIntervalSince1970, repeatInterval, sendResolved, event.encoded,
        ])
    }
}
