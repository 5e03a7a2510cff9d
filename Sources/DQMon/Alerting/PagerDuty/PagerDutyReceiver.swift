import Foundation

/// `type: pagerduty` — Events API v2 (`/v2/enqueue`). One event per incident event, since the API takes
/// one per request: firing/escalated/repeat → `trigger`, acknowledged → `acknowledge`, resolved → `resolve`,
/// all with `dedup_key` = the dqmon incident id so PagerDuty folds them into one PagerDuty incident.
///
/// The stored body has no `routing_key`; it is added when the request is built, so history never holds it.
public struct PagerDutyReceiver: ReceiverSettings {
    public static let typeName = "pagerduty"
    /// PagerDuty stops escalating when told that the incident was acknowledged.
    public var wantsAcknowledgements: Bool { true }
    public static let keys = ["routing_key", "url", "source"]
    public static let defaultURL = "https://events.pagerduty.com/v2/enqueue"
    static let summaryLimit = 1_024
    /// PagerDuty refuses an event over 512 KB; a body stays below this, leaving room for the routing key and `source`,
    /// which are added later. Only failing-row samples (`include_samples`) make a body this large, and they are cut first.
    static let maximumBodyBytes = 500_000

    public var routingKey: Secret
    public var url: Secret
    /// `payload.source`: where the problem is; default "dqmon".
    public var source: String

    public init(routingKey: Secret, url: Secret, source: String) {
        self.routingKey = routingKey
        self.url = url
        self.source = source
    }

    public static func parse(_ fields: ConfigFields, directory: URL) -> PagerDutyReceiver? {
        guard fields.require("routing_key") != nil, let key = fields.string("routing_key") else { return nil }
        let url = fields.has("url") ? ReceiverURL.parse(fields, required: false) : Secret(defaultURL)
        guard let url else { return nil }
        return PagerDutyReceiver(routingKey: Secret(key), url: url, source: fields.string("source") ?? "dqmon")
    }

    public var destination: String { url.redacted }
    public var secrets: [Secret] { [routingKey, url] }
    /// PagerDuty answers 202 Accepted.
    public func accepts(status: Int, body: String) -> Bool { (200..<300).contains(status) }

    public func messages(for events: [AlertEvent], context: MessageContext) -> [JSONValue] {
        events.flatMap { event -> [JSONValue] in
            if event.kind == .test {
                // A test opens and closes one PagerDuty incident, so nobody stays paged.
                var resolved = event
                resolved.kind = .resolved
                return [Self.event(event), Self.event(resolved)]
            }
            return [Self.event(event)]
        }.map { body in
            guard case .object(var pairs) = body else { return body }
            if case .object(var payload)? = body["payload"], let index = payload.firstIndex(where: { $0.0 == "source" }) {
                payload[index].1 = .string(source)
                pairs[pairs.firstIndex { $0.0 == "payload" }!].1 = .object(payload)
            }
            return .object(pairs)
        }
    }

    static func action(_ kind: AlertEventKind) -> String {
        switch kind {
        // `linked` re-triggers the same dedup_key: PagerDuty updates its incident, nobody is paged again.
        case .firing, .escalated, .repeat, .test, .linked: return "trigger"
        case .acknowledged: return "acknowledge"
        case .resolved: return "resolve"
        }
    }

    /// `critical | error | warning | info`: a warning that comes from a check error is `error`.
    static func severity(_ event: AlertEvent) -> String {
        switch event.severity {
        case .critical: return "critical"
        case .warning: return event.status == "error" ? "error" : "warning"
        case .info, .none: return "info"
        }
    }

    static func event(_ event: AlertEvent) -> JSONValue {
        let plain = body(event, samples: nil)
        guard let samples = event.samples else { return plain }
        // Samples get what the event leaves of PagerDuty's 512 KB (`,"samples":` holds them in custom_details).
        let overhead = ",\"samples\":".utf8.count
        guard let shown = samples.json(budget: maximumBodyBytes - plain.serialized().utf8.count, overhead: overhead) else { return plain }
        return body(event, samples: shown)
    }

    static func body(_ event: AlertEvent, samples: JSONValue?) -> JSONValue {
        let dedupKey = event.kind == .test ? "dqmon-test-\(Int(event.at.timeIntervalSince1970))" : String(event.incidentID)
        var pairs: [(String, JSONValue)] = [("event_action", .string(action(event.kind))), ("dedup_key", .string(dedupKey))]
        let summary = "\(AlertText.severityLabel(event.severity)) \(event.checkID): \(event.message)".truncated(to: summaryLimit)
        pairs.append(("payload", .object([
            ("summary", .string(summary)), ("source", .string("dqmon")), ("severity", .string(severity(event))),
            ("timestamp", .string(ISO8601.string(from: event.at))), ("component", .string(event.dataset)),
            ("group", .string(event.owner ?? "unowned")), ("class", .string(event.checkType)),
            ("custom_details", .object([
                ("event", .string(event.kind.rawValue)), ("incident_id", .number(Double(event.incidentID))),
                ("check_id", .string(event.checkID)), ("dataset", .string(event.dataset)),
                ("observed", .string(event.observed)), ("expected", .string(event.expected)),
                ("owner", .string(event.owner ?? "unowned")), ("tier", .number(Double(event.tier))),
                ("runbook", event.runbook.map(JSONValue.string) ?? .null),
            ] + event.lineageWebhookPairs + (samples.map { [("samples", $0)] } ?? []))),
        ])))
        var links: [JSONValue] = []
        if let runbook = event.runbook, runbook.hasPrefix("http") { links.append(.object([("href", .string(runbook)), ("text", .string("Runbook"))])) }
        if let report = event.report { links.append(.object([("href", .string(report.incident)), ("text", .string("dqmon report"))])) }
        if !links.isEmpty { pairs.append(("links", .array(links))) }
        pairs.append(("client", .string("dqmon")))
        return .object(pairs)
    }

    public func request(body: String, webhookID: String, sentAt: Date) -> DeliveryRequest {
        // The stored body is `{…}` without the key; insert it as the first field.
        let key = JSONValue.string(routingKey.revealed).serialized()
        let withKey = "{\"routing_key\":\(key)," + body.dropFirst()
        return .http(url: URL(string: url.revealed)!, headers: [("Content-Type", "application/json")], body: Data(withKey.utf8))
    }
}
