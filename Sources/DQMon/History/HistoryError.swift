/// The history database could not be opened, migrated, read or written.
public struct HistoryError: Error, Sendable, CustomStringConvertible {
    public let path: String
    public let message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "history \(path): \(message)" }
}
