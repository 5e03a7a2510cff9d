import Foundation
import GRDB

/// The alert outbox's tables: `alert_notifications` (one row per message to send) with the incident events each
/// carries (`alert_notification_events`), and `alert_state` (what each receiver has been told about each incident).
///
/// Delivery marks notifications one short transaction at a time; notifications and alert state are written in the
/// run's transaction (`AlertOutbox.enqueue`), so a killed run leaves both or neither.
extension HistoryStore {
    /// Pending notifications, oldest first; only those due at `time` unless `time` is nil (a flush).
    ///
    /// A notification is due at its `next_attempt_at`, and never later than `Retrier.retryAfterCap` after its last
    /// attempt (so one parked by an older dqmon that honoured any Retry-After is tried again too).
    public func pendingNotifications(dueAt time: Date?) throws(HistoryError) -> [OutboxNotification] {
        let at = time?.timeIntervalSince1970 ?? Double.greatestFiniteMagnitude
        return try read { db in
            try Row.fetchAll(db, sql: """
                SELECT \(Self.notificationColumns) FROM alert_notifications
                WHERE status = 'pending' AND (next_attempt_at <= ? OR last_attempt_at <= ?) ORDER BY id
                """, arguments: [at, at - Retrier.retryAfterCap]).map(Self.notification)
        }
    }

    /// Pending and failed notifications, for `dqmon alerts`.
    public func undeliveredNotifications(limit: Int = 200) throws(HistoryError) -> [OutboxNotification] {
        try read { db in
            try Row.fetchAll(db, sql: """
                SELECT \(Self.notificationColumns) FROM alert_notifications WHERE status != 'sent' ORDER BY status DESC, id LIMIT ?
                """, arguments: [limit]).map(Self.notification)
        }
    }

    /// Every notification, oldest first.
    public func allNotifications() throws(HistoryError) -> [OutboxNotification] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT \(Self.notificationColumns) FROM alert_notifications ORDER BY id").map(Self.notification)
        }
    }

    public func notificationCount(status: OutboxNotification.Status) throws(HistoryError) -> Int {
        try read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM alert_notifications WHERE status = ?", arguments: [status.rawValue]) ?? 0
        }
    }

    /// The receiver accepted notification `id` after `attempts` more attempts.
    func markNotificationSent(_ id: Int64, attempts: Int, status: Int?, at time: Date) throws(HistoryError) {
        try write { db in
            try db.execute(sql: """
                UPDATE alert_notifications SET status = 'sent', attempts = attempts + ?, sent_at = ?, last_attempt_at = ?,
                    response_status = ?, last_error = NULL WHERE id = ?
                """, arguments: [attempts, time.timeIntervalSince1970, time.timeIntervalSince1970, status, id])
        }
    }

    /// Notification `id` will never be delivered (a permanent refusal, or its receiver is gone).
    func markNotificationFailed(_ id: Int64, attempts: Int, error: String, status: Int?, body: String?,
                                at time: Date) throws(HistoryError) {
        try write { db in
            try db.execute(sql: """
                UPDATE alert_notifications SET status = 'failed', attempts = attempts + ?, last_attempt_at = ?, last_error = ?,
                    response_status = ?, response_body = ? WHERE id = ?
                """, arguments: [attempts, time.timeIntervalSince1970, error, status, body, id])
        }
    }

    /// Notification `id` stays pending, to be tried again at `next`.
    func markNotificationForRetry(_ id: Int64, attempts: Int, error: String, status: Int?, body: String?, next: Date,
                                  at time: Date) throws(HistoryError) {
        try write { db in
            try db.execute(sql: """
                UPDATE alert_notifications SET attempts = attempts + ?, last_attempt_at = ?, next_attempt_at = ?, last_error = ?,
                    response_status = ?, response_body = ? WHERE id = ?
                """, arguments: [attempts, time.timeIntervalSince1970, next.timeIntervalSince1970, error, status, body, id])
        }
    }

    /// Events held back right now by a silence or maintenance window, for `dqmon alerts`.
    func heldAlertStates() throws(HistoryError) -> [AlertState] {
        try snapshot { transaction in try transaction.heldAlertStates() }
    }

    static let notificationColumns = """
        id, receiver, receiver_type, webhook_id, created_at, event_count, summary, body, status, attempts, next_attempt_at,
        last_error, response_status, response_body
        """

    static func notification(_ row: Row) -> OutboxNotification {
        OutboxNotification(
            id: row.stored(0), receiver: row.stored(1), receiverType: row.stored(2), webhookID: row.stored(3), createdAt: row.stored(4) as Date,
            eventCount: row.stored(5), summary: row.stored(6), body: row.stored(7), status: OutboxNotification.Status(rawValue: row.stored(8)) ?? .pending,
            attempts: row.stored(9), nextAttemptAt: row.stored(10) as Date, lastError: row.stored(11), responseStatus: row.stored(12),
            responseBody: row.stored(13))
    }
}

/// The outbox statements that run inside the run's transaction.
extension HistoryTransaction {
    /// Stores one pending message to `receiver` carrying `events`, with a fresh `webhook-id`.
    func insertNotification(receiver: ReceiverConfig, body: String, events: [AlertEvent], runID: Int64?, at time: Date) throws {
        let summary = events.count == 1 ? events[0].oneLine.truncated(to: 200) : AlertText.title(events)
        try db.execute(sql: """
            INSERT INTO alert_notifications (receiver, receiver_type, webhook_id, run_id, created_at, event_count, summary, body,
                                             status, next_attempt_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?)
            """, arguments: [receiver.name, type(of: receiver.settings).typeName, "msg_" + UUID().uuidString.lowercased(), runID,
                             time.timeIntervalSince1970, events.count, summary, body, time.timeIntervalSince1970])
        let notificationID = db.lastInsertedRowID
        let statement = try db.cachedStatement(sql: """
            INSERT INTO alert_notification_events (notification_id, incident_id, kind, check_id, dataset, severity) VALUES (?, ?, ?, ?, ?, ?)
            """)
        for event in events {
            try statement.execute(arguments: [notificationID, event.incidentID, event.kind.rawValue, event.checkID, event.dataset, event.severity.rawValue])
        }
    }

    /// What `receiver` has been told about `incident`, if anything. (This and the statements below that a run makes
    /// per incident are prepared once per connection: a run that opens many incidents prepared them for each.)
    func alertState(incident: Int64, receiver: String) throws -> AlertState? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT \(Self.alertStateColumns) FROM alert_state WHERE incident_id = ? AND receiver = ?"),
                         arguments: [incident, receiver]).flatMap(Self.alertState)
    }

    /// The open alert states of one incident, by receiver.
    func openAlertStates(incident: Int64) throws -> [AlertState] {
        try Row.fetchAll(db.cachedStatement(sql: "SELECT \(Self.alertStateColumns) FROM alert_state WHERE incident_id = ? AND is_open = 1 ORDER BY receiver"),
                         arguments: [incident]).compactMap(Self.alertState)
    }

    /// Every open alert state, by incident and receiver.
    func openAlertStates() throws -> [AlertState] {
        try Row.fetchAll(db, sql: "SELECT \(Self.alertStateColumns) FROM alert_state WHERE is_open = 1 ORDER BY incident_id, receiver")
            .compactMap(Self.alertState)
    }

    /// Open alert states that owe a held-back event.
    func heldAlertStates() throws -> [AlertState] {
        try Row.fetchAll(db, sql: "SELECT \(Self.alertStateColumns) FROM alert_state WHERE is_open = 1 AND owed IS NOT NULL ORDER BY incident_id")
            .compactMap(Self.alertState)
    }

    /// Inserts or replaces the state of (`state.incidentID`, `state.receiver`).
    func save(_ state: AlertState) throws {
        try db.cachedStatement(sql: "INSERT OR REPLACE INTO alert_state (\(Self.alertStateColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)").execute(arguments: [
            state.incidentID, state.receiver, state.isOpen, state.notified, state.owed?.rawValue, state.heldReason, state.acknowledgedSent,
            state.lastNotifiedAt?.timeIntervalSince1970, state.repeatInterval, state.sendResolved, state.event.encoded,
        ])
    }

    static let alertStateColumns = """
        incident_id, receiver, is_open, notified, owed, held_reason, acknowledged_sent, last_notified_at, repeat_interval, send_resolved, event
        """

    /// A stored state, or nil when its event no longer decodes (it is then ignored, as if never stored).
    static func alertState(_ row: Row) -> AlertState? {
        guard let event = AlertEvent.decode(row.stored(10)) else { return nil }
        return AlertState(
            incidentID: row.stored(0), receiver: row.stored(1), isOpen: row.stored(2), notified: row.stored(3), owed: (row.stored(4) as String?).flatMap(AlertEventKind.init),
            heldReason: row.stored(5), acknowledgedSent: row.stored(6), lastNotifiedAt: row.stored(7) as Date?,
            repeatInterval: row.stored(8), sendResolved: row.stored(9), event: event)
    }
}
