import Foundation

/// `type: webhook` — POSTs the versioned JSON body (schema `"version": "1"`, README "Alerts") to `url`.
///
/// Headers follow the Standard Webhooks convention: `webhook-id` (the notification's id, the same on every
/// retry, so receivers can drop duplicates), `webhook-timestamp`, and with `secret:` a
/// `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`.
public struct WebhookReceiver: ReceiverSettings {
    public static let typeName = "webhook"
    public static let keys = ["url", "secret", "headers"]
    /// Events beyond this are counted in `omitted`, so one body stays a reasonable size.
    public static let maximumEvents = 500

    public var url: Secret
    public var secret: Secret?

    public init(url: Secret, secret: Secret?) {
        self.url = url
        self.secret = secret
    }

    public static func parse(_ fields: ConfigFields, directory: URL) -> WebhookReceiver? {
        guard let url = ReceiverURL.parse(fields) else { return nil }
        let secret = fields.string("secret").map(Secret.init)
        if fields.has("headers") { fields["headers"]?.error("'headers' is not supported yet; remove it") }
        return WebhookReceiver(url: url, secret: secret)
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
            ("events", .array(shown.map(\.webhookJSON))),
        ])
    }

    public func request(body: String, webhookID: String, sentAt: Date) -> DeliveryRequest {
        .http(url: URL(string: url.revealed)!, headers: Self.headers(body: body, webhookID: webhookID, sentAt: sentAt, secret: secret), body: Data(body.utf8))
    }

    static func headers(body: String, webhookID: String, sentAt: Date, secret: Secret?) -> [(String, String)] {
        let timestamp = String(Int(sentAt.timeIntervalSince1970))
        var headers = [("Content-Type", "application/json"), ("User-Agent", "dqmon/\(DQMonVersion.current)"),
                       ("webhook-id", webhookID), ("webhook-timestamp", timestamp)]
        if let secret, !secret.isEmpty {
            headers.append(("webhook-signature", signature(body: body, webhookID: webhookID, timestamp: timestamp, secret: secret)))
        }
        return headers
    }

    /// `v1,<base64 HMAC-SHA256(secret, "<webhook-id>.<webhook-timestamp>.<body>")>`.
    public static func signature(body: String, webhookID: String, timestamp: String, secret: Secret) -> String {
        let mac = SHA256.hmac(key: Array(secret.revealed.utf8), message: Array("\(webhookID).\(timestamp).\(body)".utf8))
        return "v1," + Data(mac).base64EncodedString()
    }
}
