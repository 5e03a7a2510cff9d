import Foundation
import GRDB

/// One stored message to one receiver (table `alert_notifications`).
public struct OutboxNotification: Sendable {
    public enum Status: String, Sendable, Codable { case pending, sent, failed }
    public var id: Int64
    public var receiver: String
    public var receiverType: String
    public var webhookID: String
    public var createdAt: Date
    public var eventCount: Int
    public var summary: String
    public var body: String
    public var status: Status
    public var attempts: Int
    public var nextAttemptAt: Date
    public var lastError: String?
    public var responseStatus: Int?
    public var responseBody: String?
}

/// Reads and writes the outbox. Every write is its own short transaction except `insert`, which runs in
/// the caller's (the run's) transaction.
public enum OutboxStore {
    static let columns = """
        id, receiver, receiver_type, webhook_id, created_at, event_count, summary, body, status, attempts, next_attempt_at,
        last_error, response_status, response_body
        """

    static func insert(receiver: ReceiverConfig, body: String, events: [AlertEvent], runID: Int64?, at time: Date, db: Database) throws {
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

    /// Pending notifications, oldest first; only those due at `time` unless `time` is nil (a flush).
    ///
    /// A notification is due at its `next_attempt_at`, and never later than `Retrier.retryAfterCap` after its last
    /// attempt (so one parked by an older dqmon that honoured any Retry-After is tried again too).
    public static func pending(history: HistoryStore, dueAt time: Date?) throws(HistoryError) -> [OutboxNotification] {
        let at = time?.timeIntervalSince1970 ?? Double.greatestFiniteMagnitude
        return try history.read { db in
            try Row.fetchAll(db, sql: """
                SELECT \(columns) FROM alert_notifications
                WHERE status = 'pending' AND (next_attempt_at <= ? OR last_attempt_at <= ?) ORDER BY id
                """, arguments: [at, at - Retrier.retryAfterCap]).map(make)
        }
    }

    /// Pending and failed notifications, for `dqmon alerts`.
    public static func undelivered(history: HistoryStore, limit: Int = 200) throws(HistoryError) -> [OutboxNotification] {
        try history.read { db in
            try Row.fetchAll(db, sql: """
                SELECT \(columns) FROM alert_notifications WHERE status != 'sent' ORDER BY status DESC, id LIMIT ?
                """, arguments: [limit]).map(make)
        }
    }

    public static func all(history: HistoryStore) throws(HistoryError) -> [OutboxNotification] {
        try history.read { db in try Row.fetchAll(db, sql: "SELECT \(columns) FROM alert_notifications ORDER BY id").map(make) }
    }

    public static func count(history: HistoryStore, status: OutboxNotification.Status) throws(HistoryError) -> Int {
        try history.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM alert_notifications WHERE status = ?", arguments: [status.rawValue]) ?? 0
        }
    }

    static func make(_ row: Row) -> OutboxNotification {
        OutboxNotification(
            id: row[0], receiver: row[1], receiverType: row[2], webhookID: row[3], createdAt: Date(timeIntervalSince1970: row[4]),
            eventCount: row[5], summary: row[6], body: row[7], status: OutboxNotification.Status(rawValue: row[8]) ?? .pending,
            attempts: row[9], nextAttemptAt: Date(timeIntervalSince1970: row[10]), lastError: row[11], responseStatus: row[12],
            responseBody: row[13])
    }

    static func markSent(_ id: Int64, attempts: Int, status: Int?, at time: Date, history: HistoryStore) throws(HistoryError) {
        try history.write { db in
            try db.execute(sql: """
                UPDATE alert_notifications SET status = 'sent', attempts = attempts + ?, sent_at = ?, last_attempt_at = ?,
                    response_status = ?, last_error = NULL WHERE id = ?
                """, arguments: [attempts, time.timeIntervalSince1970, time.timeIntervalSince1970, status, id])
        }
    }

    static func markFailed(_ id: Int64, attempts: Int, error: String, status: Int?, body: String?, at time: Date,
                           history: HistoryStore) throws(HistoryError) {
        try history.write { db in
            try db.execute(sql: """
                UPDATE alert_notifications SET status = 'failed', attempts = attempts + ?, last_attempt_at = ?, last_error = ?,
                    response_status = ?, response_body = ? WHERE id = ?
                """, arguments: [attempts, time.timeIntervalSince1970, error, status, body, id])
        }
    }

    static func markRetry(_ id: Int64, attempts: Int, error: String, status: Int?, body: String?, next: Date, at time: Date,
                          history: HistoryStore) throws(HistoryError) {
        try history.write { db in
            try db.execute(sql: """
                UPDATE alert_notifications SET attempts = attempts + ?, last_attempt_at = ?, next_attempt_at = ?, last_error = ?,
                    response_status = ?, response_body = ? WHERE id = ?
                """, arguments: [attempts, time.timeIntervalSince1970, next.timeIntervalSince1970, error, status, body, id])
        }
    }
}
