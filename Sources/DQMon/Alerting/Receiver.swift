import Foundation

/// One receiver type: how its config reads, what its messages look like, and how one is sent.
///
/// A receiver never decides whether to retry: it describes the request and whether a response means
/// success; `Retrier` classifies everything else.
public protocol ReceiverSettings: Sendable {
    /// The `type:` that selects it, e.g. `slack`.
    static var typeName: String { get }
    /// Keys it accepts besides `type`.
    static var keys: [String] { get }
    /// Reads its settings; problems go to the fields' diagnostics.
    static func parse(_ fields: ConfigFields, directory: URL) -> Self?

    /// Where messages go, safe to print (secrets redacted).
    var destination: String { get }
    /// Values that must never be printed or stored.
    var secrets: [Secret] { get }
    /// The stored bodies for one receiver's events of one run: one grouped message for most receivers,
    /// one per event for PagerDuty (its API takes one event per request). Bodies hold no secrets.
    func messages(for events: [AlertEvent], context: MessageContext) -> [JSONValue]
    /// The request that sends a stored body; secrets are added here, never stored.
    func request(body: String, webhookID: String, sentAt: Date) -> DeliveryRequest
    /// Whether a 2xx answer really means delivered (Slack answers `ok`).
    func accepts(status: Int, body: String) -> Bool
    /// The shortest time between two messages to this destination (Slack: about 1 per second).
    var minimumSpacing: TimeInterval { get }
    /// Whether it is told when an incident is acknowledged in dqmon (an `acknowledged` event; PagerDuty: stop
    /// paging). Default false: chat channels and files hear of the incident again only when it changes.
    var wantsAcknowledgements: Bool { get }
}

extension ReceiverSettings {
    public func accepts(status: Int, body: String) -> Bool { (200..<300).contains(status) }
    public var minimumSpacing: TimeInterval { 0 }
    public var wantsAcknowledgements: Bool { false }
}

/// How to send one message: an HTTP POST, or a line appended to a file.
public enum DeliveryRequest: Sendable {
    case http(url: URL, headers: [(String, String)], body: Data)
    case appendLine(path: URL, line: String)
}

/// The receiver types dqmon knows. Adding one means a new folder under Alerting/ and a line in `builtIn`
/// (a test adds its own with `Registries.adding(receiver:)`).
public struct ReceiverRegistry: Sendable {
    public static let builtIn = ReceiverRegistry(types: [
        SlackReceiver.self, TeamsReceiver.self, PagerDutyReceiver.self, WebhookReceiver.self, FileReceiver.self,
    ])

    public let types: [any ReceiverSettings.Type]

    public init(types: [any ReceiverSettings.Type]) { self.types = types }

    public var typeNames: [String] { types.map { $0.typeName } }

    public func type(named name: String) -> (any ReceiverSettings.Type)? {
        types.first { $0.typeName == name }
    }
}

/// A named receiver from `receivers:`.
public struct ReceiverConfig: Sendable {
    public var name: String
    public var settings: any ReceiverSettings
    public var location: SourceLocation
    /// False when its URL was written as `${VAR:-}` and the variable is unset: the demo's optional Slack/Teams.
    public var isEnabled: Bool
    /// `include_samples: true`: its messages carry failing-row samples, unless the route that sent it says
    /// `include_samples: false` (`AlertsConfig.includesSamples`). Default false: samples may hold personal data.
    public var includeSamples: Bool = false

    /// The key every receiver type accepts besides `type` and its own keys.
    public static let commonKeys = ["type", "include_samples"]
}

/// Shared by receivers that take `url:`: an http(s) URL with a host, or an error at the value.
enum ReceiverURL {
    /// nil (and an error) for a malformed URL; an empty Secret when the value expanded to nothing.
    static func parse(_ fields: ConfigFields, key: String = "url", required: Bool = true) -> Secret? {
        guard required ? fields.require(key) != nil : fields.has(key), let text = fields.string(key) else { return nil }
        if text.isEmpty { return Secret("") }
        guard let components = URLComponents(string: text), let scheme = components.scheme, ["http", "https"].contains(scheme.lowercased()),
              components.host?.isEmpty == false else {
            fields[key]?.error("'\(key)' must be an http(s) URL, got '\(Secret.redact(text))'")
            return nil
        }
        // Schemes are case-insensitive (RFC 3986), but URLSession sends only to a lowercase `http`/`https`.
        if scheme != scheme.lowercased(), text.hasPrefix(scheme) { return Secret(scheme.lowercased() + text.dropFirst(scheme.count)) }
        return Secret(text)
    }
}

/// Helpers the message builders share.
enum AlertText {
    static func severityLabel(_ severity: AlertSeverity) -> String { severity.rawValue.uppercased() }

    /// `2 alerts: CRITICAL orders` / `CRITICAL firing: orders`.
    static func title(_ events: [AlertEvent]) -> String {
        let worst = events.map(\.severity).max() ?? .info
        let datasets = orderedUnique(events.map(\.dataset))
        let shown = datasets.prefix(3).joined(separator: ", ") + (datasets.count > 3 ? " and \(datasets.count - 3) more" : "")
        if events.count == 1, let event = events.first {
            return "\(severityLabel(event.severity)) \(event.kind.rawValue): \(event.dataset)"
        }
        return "\(severityLabel(worst)): \(events.count) alerts on \(shown)"
    }

    static func orderedUnique(_ values: [String]) -> [String] {
        var seen = Set<String>()
        return values.filter { seen.insert($0).inserted }
    }

    /// Most severe first, then firing before repeats before resolved, then by check id: what on-call reads first.
    static func ordered(_ events: [AlertEvent]) -> [AlertEvent] {
        let rank: [AlertEventKind: Int] = [.firing: 0, .escalated: 0, .linked: 1, .repeat: 1, .acknowledged: 2, .resolved: 3, .test: 4]
        return events.sorted { left, right in
            if left.severity != right.severity { return left.severity > right.severity }
            if rank[left.kind]! != rank[right.kind]! { return rank[left.kind]! < rank[right.kind]! }
            return left.checkID < right.checkID
        }
    }
}
