import Foundation

/// `type: file` — appends each message as one JSON line (the webhook schema v1 body) to `path`.
/// For local use, the demo and tests: nothing leaves the machine.
public struct FileReceiver: ReceiverSettings {
    public static let typeName = "file"
    public static let keys = ["path"]

    public var path: URL

    public init(path: URL) { self.path = path }

    public static func parse(_ fields: ConfigFields, directory: URL) -> FileReceiver? {
        guard fields.require("path") != nil, let path = fields.string("path"), !path.isEmpty else { return nil }
        return FileReceiver(path: URL(fileURLWithPath: path, relativeTo: directory).standardizedFileURL)
    }

    public var destination: String { ConfigLoader.displayPath(path) }
    public var secrets: [Secret] { [] }

    public func messages(for events: [AlertEvent], context: MessageContext) -> [JSONValue] {
        [WebhookReceiver.body(events, context: context)]
    }

    public func request(body: String, webhookID: String, sentAt: Date) -> DeliveryRequest {
        .appendLine(path: path, line: body)
    }
}
