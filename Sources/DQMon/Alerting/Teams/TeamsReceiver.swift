import Foundation

/// `type: teams` — a Teams Workflows webhook ("When a Teams webhook request is received"). One Adaptive
/// Card 1.4 per run in the `{"type":"message","attachments":[…]}` envelope; any 2xx is success (it answers
/// 202). Events are added while the message stays under Teams' 28 KB, then "and N more".
public struct TeamsReceiver: ReceiverSettings {
    public static let typeName = "teams"
    public static let keys = ["url"]
    /// Below Teams' 28 KB, measured as Python's `json.dumps` would (the conservative measure).
    static let byteBudget = 26_000

    public var url: Secret

    public init(url: Secret) { self.url = url }

    public static func parse(_ fields: ConfigFields, directory: URL) -> TeamsReceiver? {
        ReceiverURL.parse(fields).map(TeamsReceiver.init)
    }

    public var destination: String { url.redacted }
    public var secrets: [Secret] { [url] }

    public func messages(for events: [AlertEvent], context: MessageContext) -> [JSONValue] {
        [Self.message(events, context: context)]
    }

    static func message(_ events: [AlertEvent], context: MessageContext) -> JSONValue {
        let ordered = AlertText.ordered(events)
        var body: [JSONValue] = [
            textBlock(AlertText.title(events), extra: [("size", .string("Medium")), ("weight", .string("Bolder"))]),
        ]
        let footer = textBlock("dqmon run at \(ISO8601.string(from: context.runAt)) · \(events.count) event\(events.count == 1 ? "" : "s")",
                               extra: [("isSubtle", .bool(true)), ("size", .string("Small"))])
        var shown = 0
        for event in ordered {
            let candidate = body + [container(event)]
            let more = ordered.count - shown - 1
            let trial = envelope(candidate + (more > 0 ? [textBlock("… and \(more) more")] : []) + [footer])
            if trial.pythonStyleByteCount > byteBudget { break }
            body = candidate
            shown += 1
        }
        let tail = (shown < ordered.count ? [textBlock("… and \(ordered.count - shown) more (see `dqmon incidents`)")] : []) + [footer]
        // Samples get what the events leave of the byte budget, most severe event first: they are cut before any event.
        return withSamples(Array(ordered.prefix(shown)), title: body[0], tail: tail)
    }

    static func envelope(_ body: [JSONValue]) -> JSONValue {
        let card: JSONValue = .object([
            ("$schema", .string("http://adaptivecards.io/schemas/adaptive-card.json")),
            ("type", .string("AdaptiveCard")), ("version", .string("1.4")), ("body", .array(body)),
        ])
        return .object([("type", .string("message")), ("attachments", .array([
            .object([("contentType", .string("application/vnd.microsoft.card.adaptive")), ("contentUrl", .null), ("content", card)]),
        ]))])
    }

    static func container(_ event: AlertEvent, samples: JSONValue? = nil) -> JSONValue {
        var severity = AlertText.severityLabel(event.severity)
        if let previous = event.previousSeverity, previous != event.severity { severity += " (was \(AlertText.severityLabel(previous)))" }
        var facts: [(String, String)] = [
            ("Observed", event.observed.truncated(to: 200)), ("Expected", event.expected.truncated(to: 200)),
            ("Owner", event.owner ?? "unowned"), ("Incident", "#\(event.incidentID)"),
        ]
        facts += event.lineageLines.map { line in
            let parts = line.split(separator: ":", maxSplits: 1)
            return parts.count == 2 ? (String(parts[0]), String(parts[1]).trimmingCharacters(in: .whitespaces).truncated(to: 500)) : ("Lineage", line)
        }
        if let runbook = event.runbook {
            facts.append(("Runbook", runbook.hasPrefix("http") ? "[\(URL(string: runbook)?.lastPathComponent ?? "runbook")](\(runbook))" : runbook))
        }
        if let report = event.report { facts.append(("Report", "[incident #\(event.incidentID)](\(report.incident)) · [dataset](\(report.dataset))")) }
        let color = event.kind == .resolved ? "Good" : (event.severity == .critical ? "Attention" : "Warning")
        return .object([
            ("type", .string("Container")), ("separator", .bool(true)),
            ("items", .array([
                textBlock("\(event.kind.rawValue.uppercased()) \(event.checkID) · \(severity)", extra: [("weight", .string("Bolder")), ("color", .string(color))]),
                textBlock(event.message.truncated(to: 500)),
                .object([("type", .string("FactSet")), ("facts", .array(facts.map { .object([("title", .string($0.0)), ("value", .string($0.1))]) }))]),
            ] + (samples.map { [$0] } ?? []))),
        ])
    }

    static func textBlock(_ text: String, extra: [(String, JSONValue)] = []) -> JSONValue {
        .object([("type", .string("TextBlock")), ("text", .string(text)), ("wrap", .bool(true))] + extra)
    }

    public func request(body: String, webhookID: String, sentAt: Date) -> DeliveryRequest {
        .http(url: URL(string: url.revealed)!, headers: [("Content-Type", "application/json")], body: Data(body.utf8))
    }
}
