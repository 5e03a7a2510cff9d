import Foundation

/// One stored message to one receiver (table `alert_notifications`; see `HistoryStore+Outbox`).
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
