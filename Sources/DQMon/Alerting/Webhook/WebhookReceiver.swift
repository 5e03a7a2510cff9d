import Foundation

/// `type: webhook` — POSTs the versioned JSON body (schema `"version": "1"`, README "Alerts") to `url`.
///
/// Headers follow the Standard Webhooks convention: `webhook-id` (the notification's id, the same on every
/// retry, so receivers can drop duplicates), `webhook-timestamp` (this attempt's Unix seconds), and with `secret:` a
/// `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`. The HMAC key is the base64-decoded part of a
/// `whsec_…` secret, as the spec says, else the secret's UTF-8 bytes (`WebhookSigningKey`).
public struct WebhookReceiver: ReceiverSettings {
    public static let typeName = "webhook"
    public static let keys = ["url", "secret", "headers"]
    /// Events beyond this are counted in `omitted`, so one body stays a reasonable size.
    public static let maximumEvents = 500
    /// Failing-row samples (`include_samples`) in one body stay under this many bytes, shared by its events most
    /// severe first; rows that do not fit are counted in the event's `samples.omitted_rows`.
    public static let maximumSampleBytes = 262_144

    public var url: Secret
    public var secret: Secret?

    public init(url: Secret, secret: Secret?) {
        self.url = url
        self.secret = secret
    }

    public static func parse(_ fields: ConfigFields, directory: URL) -> WebhookReceiver? {
        // Both keys are read before giving up, so a bad url and a bad secret show in one pass.
        let url = ReceiverURL.parse(fields)
        let secret = parseSecret(fields)
        if fields.has("headers") { fields["headers"]?.error("'headers' is not supported yet; remove it") }
        guard let url, secret.isValid else { return nil }
        return WebhookReceiver(url: url, secret: secret.value)
    }

    /// `secret:` after `${VAR}` expansion (nil when absent: an unsigned receiver). A `whsec_` secret that does not
    /// decode is an error at the value, worded without the value (`WebhookSigningKey.Problem`).
    static func parseSecret(_ fields: ConfigFields) -> (value: Secret?, isValid: Bool) {
        guard fields.has("secret") else { return (nil, true) }
        guard let text = fields.string("secret") else { return (nil, false) }
        if case .failure(let problem) = WebhookSigningKey.key(for: text), let node = fields["secret"] {
            // Reported as worded: it holds no part of the value. (`node.error` would also put `${VAR}` back in place
            // of the value wherever the text happens to contain it, which garbles the message for a value like `whsec_`.)
            node.diagnostics.report(problem.message, at: node.location)
            return (nil, false)
        }
        return (Secret(text), true)
    }

    public var destination: String { url.redacted }
    public var secrets: [Secret] { [url] + (secret.map { [$0] } ?? []) }

    public func messages(for events: [AlertEvent], context: MessageContext) -> [JSONValue] {
        [Self.body(events, context: context)]
    }

    /// The webhook schema v1 body, shared with the `file` receiver.
    static func body(_ events: [AlertEvent], context: MessageContext) -> JSONValue {
        let ordered = AlertText.ordered(events)
        let shown = ordered.prefix(maximumEvents)
        return .object([
            ("version", .string("1")),
            ("source", .string("dqmon")),
            ("dqmon_version", .string(DQMonVersion.current)),
            ("receiver", .string(context.receiver)),
            ("run_at", .string(ISO8601.string(from: context.runAt))),
            ("title", .string(AlertText.title(events))),
            ("event_count", .number(Double(events.count))),
            ("omitted", .number(Double(events.count - shown.count))),
            ("events", .array(withSamples(Array(shown)))),
        ])
    }

    public func request(body: String, webhookID: String, sentAt: Date) -> DeliveryRequest {
        let signedAt = sentAt.addingTimeInterval(Self.faultClockOffset)
        return .http(url: URL(string: url.revealed)!, headers: Self.headers(body: body, webhookID: webhookID, sentAt: signedAt, secret: secret),
                     body: Data(body.utf8))
    }

    /// Fault injection for the retry tests: `DQMON_FAULT_WEBHOOK_CLOCK_OFFSET=SECONDS` (whole seconds within ±300,
    /// the Standard Webhooks tolerance) moves this process's `webhook-timestamp`, so a test can show that a retry
    /// made by a later run is stamped and signed anew without waiting for the wall clock to tick. 0 when unset.
    static let faultClockOffset: TimeInterval = {
        guard let text = ProcessInfo.processInfo.environment["DQMON_FAULT_WEBHOOK_CLOCK_OFFSET"], let seconds = Int(text),
              (-300...300).contains(seconds) else { return 0 }
        return TimeInterval(seconds)
    }()

    static func headers(body: String, webhookID: String, sentAt: Date, secret: Secret?) -> [(String, String)] {
        let timestamp = unixSeconds(sentAt)
        var headers = [("Content-Type", "application/json"), ("User-Agent", "dqmon/\(DQMonVersion.current)"),
                       ("webhook-id", webhookID), ("webhook-timestamp", timestamp)]
        if let secret, !secret.isEmpty {
            headers.append(("webhook-signature", signature(body: body, webhookID: webhookID, timestamp: timestamp, secret: secret)))
        }
        return headers
    }

    /// Whole Unix seconds (rounded down, as the reference libraries do); a date outside Int's range cannot trap.
    static func unixSeconds(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970.rounded(.down)
        guard seconds.isFinite, abs(seconds) < 1e15 else { return "0" }
        return String(Int64(seconds))
    }

    /// `v1,<base64 HMAC-SHA256(key, "<webhook-id>.<webhook-timestamp>.<body>")>`, the key as `WebhookSigningKey`
    /// derives it. A `whsec_` secret that cannot be decoded never gets here from config (loading refuses it); one
    /// built in code is signed with its text.
    public static func signature(body: String, webhookID: String, timestamp: String, secret: Secret) -> String {
        let key = (try? WebhookSigningKey.key(for: secret.revealed).get()) ?? Array(secret.revealed.utf8)
        let mac = SHA256.hmac(key: key, message: Array("\(webhookID).\(timestamp).\(body)".utf8))
        return "v1," + Data(mac).base64EncodedString()
    }
}
