import Foundation

/// What one delivery pass did. `problems` are one-line, secret-free messages for stderr.
public struct AlertDeliveryReport: Sendable {
    public var sent = 0
    public var failed = 0
    /// Notifications still pending after the pass (including ones not due yet).
    public var pending = 0
    public var problems: [String] = []

    public init() {}

    /// Exit code 4 applies: something could not be delivered.
    public var hasUndelivered: Bool { pending > 0 || failed > 0 }
}

/// Sends pending outbox notifications after the run's transaction committed, at least once: a receiver may see a
/// retried notification twice, with the same id.
///
/// Each notification is tried, and transient failures retried with full-jitter backoff, until the pass's
/// budget is spent; what is left stays pending for the next run or `dqmon alerts flush`. A receiver that
/// stays down is not tried again in the same pass. Permanent failures are marked failed with the response.
/// Delivery is at-least-once: a crash after sending but before marking sent sends again next time.
public struct AlertDelivery: Sendable {
    public let alerts: AlertsConfig
    public let history: HistoryStore
    public let transport: any AlertTransport
    public var retrier = Retrier()
    /// How a wait between attempts (backoff or `Retry-After`) is spent: a real sleep. Tests put in one that
    /// records the wait and returns at once, so no test spends a receiver's `Retry-After`.
    public var sleep: @Sendable (TimeInterval) async -> Void = { seconds in
        try? await Task.sleep(nanoseconds: UInt64(seconds * 1_000_000_000))
    }

    public init(alerts: AlertsConfig, history: HistoryStore, transport: any AlertTransport = URLSessionTransport()) {
        self.alerts = alerts
        self.history = history
        self.transport = transport
    }

    /// Delivers what is due at `now` (run clock), or everything pending when `flush` is set.
    public func deliver(now: Date, flush: Bool = false) async -> AlertDeliveryReport {
        var report = AlertDeliveryReport()
        let started = Date()
        let deadline = started.addingTimeInterval(alerts.delivery.budget.seconds)
        do {
            var down = Set<String>()
            for notification in try history.pendingNotifications(dueAt: flush ? nil : now) where !down.contains(notification.receiver) {
                let outcome = try await deliver(notification, deadline: deadline, clock: { now.addingTimeInterval(Date().timeIntervalSince(started)) })
                switch outcome {
                case .sent: report.sent += 1
                case .failed(let problem):
                    report.failed += 1
                    report.problems.append(problem)
                case .postponed(let problem):
                    down.insert(notification.receiver)
                    report.problems.append(problem)
                }
            }
            report.pending = try history.notificationCount(status: .pending)
        } catch {
            report.problems.append("alert delivery stopped: \(error.description)")
            report.pending = (try? history.notificationCount(status: .pending)) ?? 1
        }
        return report
    }

    enum Outcome {
        case sent
        case failed(String)
        case postponed(String)
    }

    func deliver(_ notification: OutboxNotification, deadline: Date, clock: () -> Date) async throws(HistoryError) -> Outcome {
        let label = "alert #\(notification.id) to '\(notification.receiver)'"
        guard let receiver = alerts.receiver(named: notification.receiver), receiver.isEnabled else {
            let why = "receiver '\(notification.receiver)' is no longer configured (or is switched off)"
            try history.markNotificationFailed(notification.id, attempts: 0, error: why, status: nil, body: nil, at: clock())
            return .failed("\(label) failed: \(why)")
        }
        let settings = receiver.settings
        let where_ = "\(label) (\(settings.destination))"
        var attempts = 0
        // Why the last attempt that had its full time failed: an attempt cut short by the end of the budget that
        // then times out says nothing about the receiver, so the reason reported is this one.
        var earlierReason: String?
        while true {
            await Spacing.shared.wait(for: receiver.name, spacing: settings.minimumSpacing)
            let request = settings.request(body: notification.body, webhookID: notification.webhookID, sentAt: Date())
            let timeout = min(alerts.delivery.timeout.seconds, max(0.5, deadline.timeIntervalSinceNow))
            let attemptStarted = Date()
            let result = scrub(await transport.send(request, timeout: timeout))
            DQMonLog.alertAttempt(notification.id, receiver: receiver.name, attempt: notification.attempts + attempts + 1,
                                  result: result, since: attemptStarted)
            let cutShort = timeout < alerts.delivery.timeout.seconds && Self.timedOut(result)
            attempts += 1
            Spacing.shared.sent(receiver.name)
            switch Retrier.classify(result, accepts: settings.accepts) {
            case .delivered(let status):
                try history.markNotificationSent(notification.id, attempts: attempts, status: status, at: clock())
                return .sent
            case .permanent(let reason, let status):
                try history.markNotificationFailed(notification.id, attempts: attempts, error: reason, status: status,
                                                   body: responseBody(result), at: clock())
                return .failed("\(where_) failed permanently: \(reason); see 'dqmon alerts'")
            case .transient(var reason, let status, let retryAfter):
                if cutShort, let earlierReason {
                    reason = "\(earlierReason) (a later attempt ran out of the delivery budget)"
                } else {
                    earlierReason = reason
                }
                // Retry-After is capped (Retrier.retryAfterCap): a receiver cannot park a notification for days.
                let wait = min(retryAfter ?? retrier.backoff(attempt: notification.attempts + attempts - 1), Retrier.retryAfterCap)
                if Date().addingTimeInterval(wait) < deadline {
                    await sleep(wait)
                    continue
                }
                try history.markNotificationForRetry(notification.id, attempts: attempts, error: reason, status: status,
                                                     body: responseBody(result), next: clock().addingTimeInterval(wait), at: clock())
                return .postponed("\(where_) not delivered: \(reason); left pending (attempt \(notification.attempts + attempts)), retried by the next run or 'dqmon alerts flush'")
            }
        }
    }

    static func timedOut(_ result: TransportResult) -> Bool {
        if case .failure(_, let timedOut) = result { return timedOut }
        return false
    }

    /// What is stored of a response body: its first 1,000 characters, already scrubbed (see `scrub(_:)`).
    func responseBody(_ result: TransportResult) -> String? {
        if case .response(_, _, let body) = result, !body.isEmpty { return body.truncated(to: 1_000) }
        return nil
    }

    func scrub(_ text: String) -> String { Secret.scrub(text, secrets: alerts.secrets) }

    /// The result with every secret removed from its body, reason and redirect target, before anything is
    /// truncated, printed or stored (a receiver may echo the request line, headers or body).
    func scrub(_ result: TransportResult) -> TransportResult {
        switch result {
        case .response(let status, let retryAfter, let body):
            let cut = body.utf8.count >= URLSessionTransport.responseBodyLimit - 4
            return .response(status: status, retryAfter: retryAfter, body: Secret.scrub(body, secrets: alerts.secrets, cut: cut))
        case .redirect(let status, let location):
            return .redirect(status: status, location: location.map(scrub))
        case .failure(let reason, let timedOut):
            return .failure(reason: scrub(reason), timedOut: timedOut)
        }
    }

    /// Sends one test message to `receiver` directly (not through the outbox); returns a problem or nil.
    public func sendTest(to receiverName: String, now: Date) async -> Result<String, AlertTestError> {
        guard let receiver = alerts.receiver(named: receiverName) else {
            let names = alerts.receivers.map(\.name)
            return .failure(AlertTestError(message: "unknown receiver '\(receiverName)'\(Suggestion.hint(for: receiverName, in: names)); receivers: \(names.joined(separator: ", "))"))
        }
        guard receiver.isEnabled else { return .failure(AlertTestError(message: "receiver '\(receiverName)' is switched off (its url is empty)")) }
        let event = AlertEvent(kind: .test, incidentID: 0, checkID: "dqmon/test", checkType: "test", dataset: "dqmon", warehouse: "-",
                               severity: .info, status: "pass", observed: "test", expected: "test",
                               message: "Test message from 'dqmon alerts test \(receiverName)': if you can read this, alerts reach you.",
                               owner: nil, tier: 3, tags: [], runbook: nil, at: now)
        let bodies = receiver.settings.messages(for: [event], context: MessageContext(receiver: receiverName, runAt: now))
        for body in bodies {
            let request = receiver.settings.request(body: body.serialized(), webhookID: "msg_test_" + UUID().uuidString.lowercased(), sentAt: Date())
            let result = scrub(await transport.send(request, timeout: alerts.delivery.timeout.seconds))
            switch Retrier.classify(result, accepts: receiver.settings.accepts) {
            case .delivered: continue
            case .permanent(let reason, _), .transient(let reason, _, _):
                return .failure(AlertTestError(message: "test message to '\(receiverName)' (\(receiver.settings.destination)) failed: \(reason)"))
            }
        }
        return .success("test message delivered to '\(receiverName)' (\(receiver.settings.destination))")
    }
}

public struct AlertTestError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

/// Keeps messages to one receiver at least its `minimumSpacing` apart within this process (Slack: ~1/s).
final class Spacing: @unchecked Sendable {
    static let shared = Spacing()
    private let lock = NSLock()
    private var lastSent: [String: Date] = [:]

    func wait(for receiver: String, spacing: TimeInterval) async {
        guard spacing > 0 else { return }
        let last = lock.withLock { lastSent[receiver] }
        guard let last else { return }
        let remaining = spacing - Date().timeIntervalSince(last)
        if remaining > 0 { try? await Task.sleep(nanoseconds: UInt64(remaining * 1_000_000_000)) }
    }

    func sent(_ receiver: String) {
        lock.withLock { lastSent[receiver] = Date() }
    }
}
