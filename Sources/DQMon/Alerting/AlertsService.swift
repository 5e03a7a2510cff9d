import Foundation

/// The library side of `dqmon alerts` and `dqmon silence`, so the CLI stays a thin layer the tests can bypass.
public enum AlertsService {
    /// `dqmon alerts flush`: takes the run lock (a concurrent run must not send the same notification)
    /// and tries every pending notification now, whatever its next-attempt time.
    public static func flush(configuration: Configuration, now: Date, lockTimeout: TimeInterval,
                             transport: any AlertTransport = URLSessionTransport()) async throws(RunError) -> AlertDeliveryReport {
        let lock: RunLock
        do { lock = try RunLock.acquire(for: configuration.project.history.path, timeout: lockTimeout) } catch { throw .lock(error) }
        defer { withExtendedLifetime(lock) {} }
        let history: HistoryStore
        do { history = try HistoryStore(path: configuration.project.history.path) } catch { throw .history(error) }
        return await AlertDelivery(alerts: configuration.alerts, history: history, transport: transport).deliver(now: now, flush: true)
    }

    /// Pending and failed notifications, and events held back by silences or maintenance.
    public struct Listing: Sendable {
        public var undelivered: [OutboxNotification]
        public var held: [HeldAlert]
    }

    public struct HeldAlert: Sendable {
        public var incidentID: Int64
        public var receiver: String
        public var checkID: String
        public var severity: AlertSeverity
        public var reason: String
    }

    public static func list(history: HistoryStore) throws(HistoryError) -> Listing {
        let undelivered = try history.undeliveredNotifications()
        let held = try history.heldAlertStates().map {
            HeldAlert(incidentID: $0.incidentID, receiver: $0.receiver, checkID: $0.event.checkID, severity: $0.event.severity,
                      reason: $0.heldReason ?? "held")
        }
        return Listing(undelivered: undelivered, held: held)
    }

    /// A stored error as shown: scrubbed again with this process's `${VAR}` values (rows written by a dqmon
    /// before scrubbing covered query strings and echoed bodies may still hold a secret).
    static func shown(_ text: String) -> String { Secret.scrub(text, secrets: []) }

    /// `dqmon alerts` as a table.
    public static func table(_ listing: Listing) -> String {
        var lines: [String] = []
        if listing.undelivered.isEmpty {
            lines.append("No pending or failed alerts.")
        } else {
            var table = TextTable(headers: ["ID", "STATUS", "RECEIVER", "CREATED", "ATTEMPTS", "NEXT TRY", "EVENTS", "LAST ERROR"])
            for item in listing.undelivered {
                table.append([String(item.id), item.status.rawValue, item.receiver, Format.timestamp(item.createdAt), String(item.attempts),
                              item.status == .pending ? Format.timestamp(item.nextAttemptAt) : "-", item.summary,
                              item.lastError.map(shown) ?? "-"])
            }
            lines.append(table.render())
        }
        if !listing.held.isEmpty {
            var table = TextTable(headers: ["INCIDENT", "RECEIVER", "CHECK", "SEVERITY", "HELD BY"])
            for item in listing.held {
                table.append(["#\(item.incidentID)", item.receiver, item.checkID, item.severity.rawValue, item.reason])
            }
            lines.append("\nHeld back (sent when the silence or maintenance window ends, if still open):\n" + table.render())
        }
        return lines.joined(separator: "\n")
    }

    public static func json(_ listing: Listing) -> String {
        let items: [JSONValue] = listing.undelivered.map { item in
            .object([
                ("id", .number(Double(item.id))), ("status", .string(item.status.rawValue)), ("receiver", .string(item.receiver)),
                ("receiver_type", .string(item.receiverType)), ("webhook_id", .string(item.webhookID)),
                ("created_at", .string(ISO8601.string(from: item.createdAt))), ("attempts", .number(Double(item.attempts))),
                ("next_attempt_at", .string(ISO8601.string(from: item.nextAttemptAt))), ("event_count", .number(Double(item.eventCount))),
                ("summary", .string(item.summary)), ("last_error", item.lastError.map { .string(shown($0)) } ?? .null),
                ("response_status", item.responseStatus.map { .number(Double($0)) } ?? .null),
            ])
        }
        let held: [JSONValue] = listing.held.map { item in
            .object([("incident_id", .number(Double(item.incidentID))), ("receiver", .string(item.receiver)),
                     ("check_id", .string(item.checkID)), ("severity", .string(item.severity.rawValue)), ("reason", .string(item.reason))])
        }
        // "version" first, as in every other --format json document (version 1: add fields, never rename).
        return JSONValue.object([("version", .string("1")), ("notifications", .array(items)), ("held", .array(held))]).serialized()
    }

    public static func silencesTable(_ silences: [Silence], now: Date) -> String {
        guard !silences.isEmpty else { return "No active or upcoming silences." }
        var table = TextTable(headers: ["ID", "MATCH", "STARTS", "ENDS", "BY", "REASON"])
        for silence in silences {
            let ends = silence.expiredAt.map { "expired \(Format.timestamp($0))" } ?? Format.timestamp(silence.endsAt)
            table.append([String(silence.id ?? 0), silence.matchersText, Format.timestamp(silence.startsAt), ends,
                          silence.createdBy ?? "-", silence.reason])
        }
        return table.render()
    }
}
