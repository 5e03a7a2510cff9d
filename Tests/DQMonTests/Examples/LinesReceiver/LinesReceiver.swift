import DQMon
import Foundation

/// A test-only receiver type, to show that a new receiver is a new folder plus one registry line
/// (`Registries.builtIn.adding(receiver: LinesReceiver.self)`): POSTs each event as one line of plain text.
struct LinesReceiver: ReceiverSettings {
    static let typeName = "lines"
    static let keys = ["url"]

    let url: URL

    static func parse(_ fields: ConfigFields, directory: URL) -> LinesReceiver? {
        guard fields.require("url") != nil, let text = fields.string("url"), let url = URL(string: text) else { return nil }
        return LinesReceiver(url: url)
    }

    var destination: String { url.absoluteString }
    var secrets: [Secret] { [] }

    func messages(for events: [AlertEvent], context: MessageContext) -> [JSONValue] {
        [.string(events.map { "\($0.kind.rawValue) \($0.checkID): \($0.message)" }.joined(separator: "\n"))]
    }

    func request(body: String, webhookID: String, sentAt: Date) -> DeliveryRequest {
        let text = (try? JSONDecoder().decode(String.self, from: Data(body.utf8))) ?? body
        return .http(url: url, headers: [("Content-Type", "text/plain")], body: Data(text.utf8))
    }
}
