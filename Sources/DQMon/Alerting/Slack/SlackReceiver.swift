import Foundation

/// `type: slack` — an incoming webhook. One Block Kit message per run: a header with the severity and
/// dataset, a section per event, "and N more" when cut, and a context line with the run time; `text`
/// (the notification fallback) is always set.
///
/// Limits kept (Slack Block Kit reference): ≤ 50 blocks, header ≤ 150 chars, section text ≤ 3000 chars,
/// about 40,000 chars of text per message, about 1 message per second per webhook.
public struct SlackReceiver: ReceiverSettings {
    public static let typeName = "slack"
    public static let keys = ["url"]
    static let maximumBlocks = 50
    static let headerLimit = 150
    /// Per-section budget: 47 sections of this size plus the fallback stay under Slack's 40,000 chars.
    static let sectionLimit = 700
    static let fallbackLimit = 2_000

    public var url: Secret

    public init(url: Secret) { self.url = url }

    public static func parse(_ fields: ConfigFields, directory: URL) -> SlackReceiver? {
        ReceiverURL.parse(fields).map(SlackReceiver.init)
    }

    public var destination: String { url.redacted }
    public var secrets: [Secret] { [url] }
    public var minimumSpacing: TimeInterval { 1 }

    public func accepts(status: Int, body: String) -> Bool { status == 200 }

    public func messages(for events: [AlertEvent], context: MessageContext) -> [JSONValue] {
        [Self.message(events, context: context)]
    }

    static func message(_ events: [AlertEvent], context: MessageContext) -> JSONValue {
        let ordered = AlertText.ordered(events)
        // header + sections + "and N more" + context
        let room = maximumBlocks - 3
        let shown = ordered.count <= room + 1 ? ordered : Array(ordered.prefix(room))
        let header = AlertText.title(events).truncated(to: headerLimit)
        let more = shown.count < ordered.count ? "… and \(ordered.count - shown.count) more (see `dqmon incidents`)" : nil
        let footer = "dqmon run at \(ISO8601.string(from: context.runAt)) · \(events.count) event\(events.count == 1 ? "" : "s")"
        let text = fallback(ordered)
        var sections = shown.map(section)
        // Samples get what the events leave of the message's text budget, most severe event first.
        let used = ([text, header, footer] + sections + (more.map { [$0] } ?? [])).reduce(0) { $0 + $1.unicodeScalars.count }
        sections = withSamples(sections, events: shown, room: messageTextBudget - used)
        var blocks: [JSONValue] = [.object([("type", .string("header")), ("text", plain(header))])]
        blocks += sections.map { .object([("type", .string("section")), ("text", mrkdwn($0))]) }
        if let more { blocks.append(.object([("type", .string("section")), ("text", mrkdwn(more))])) }
        blocks.append(.object([("type", .string("context")), ("elements", .array([mrkdwn(footer)]))]))
        return .object([("text", .string(text)), ("blocks", .array(blocks))])
    }

    static func section(_ event: AlertEvent) -> String {
        var severity = AlertText.severityLabel(event.severity)
        if let previous = event.previousSeverity, previous != event.severity { severity += " (was \(AlertText.severityLabel(previous)))" }
        var lines = ["*\(event.kind.rawValue.uppercased())* `\(escape(event.checkID))` · \(severity)"]
        lines.append(escape(event.message.truncated(to: 300)))
        lines.append("Observed: *\(escape(event.observed.truncated(to: 100)))* · Expected: \(escape(event.expected.truncated(to: 100)))")
        lines += event.lineageLines.map { escape($0.truncated(to: 300)) }
        var facts = ["Owner: \(escape(event.owner ?? "unowned"))"]
        if let runbook = event.runbook {
            facts.append(runbook.hasPrefix("http") ? "Runbook: <\(runbook)|\(escape(URL(string: runbook)?.lastPathComponent ?? "runbook"))>"
                                                   : "Runbook: \(escape(runbook))")
        }
        if let report = event.report {
            facts.append("Report: <\(report.incident)|incident #\(event.incidentID)> · <\(report.dataset)|dataset>")
        } else {
            facts.append("Incident #\(event.incidentID)")
        }
        lines.append(facts.joined(separator: " · "))
        return lines.joined(separator: "\n").truncated(to: sectionLimit)
    }

    static func fallback(_ events: [AlertEvent]) -> String {
        let lines = ["dqmon: " + AlertText.title(events)] + events.prefix(10).map(\.oneLine)
            + (events.count > 10 ? ["… and \(events.count - 10) more"] : [])
        return lines.joined(separator: "\n").truncated(to: fallbackLimit)
    }

    /// Slack mrkdwn treats `&`, `<` and `>` as control characters.
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }

    static func plain(_ text: String) -> JSONValue { .object([("type", .string("plain_text")), ("text", .string(text))]) }
    static func mrkdwn(_ text: String) -> JSONValue { .object([("type", .string("mrkdwn")), ("text", .string(text))]) }

    public func request(body: String, webhookID: String, sentAt: Date) -> DeliveryRequest {
        .http(url: URL(string: url.revealed)!, headers: [("Content-Type", "application/json")], body: Data(body.utf8))
    }
}
