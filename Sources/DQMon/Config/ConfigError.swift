/// One problem in the configuration, located at `file:line:column` when the YAML says where.
///
/// Messages are lowercase, name the key as written, quote the bad value and say how to fix it,
/// e.g. `checks/orders.yml:14:7: unknown check type 'freshnes' (did you mean 'freshness'?)`.
public struct ConfigError: Error, Sendable, Hashable, CustomStringConvertible {
    public let location: SourceLocation?
    public let file: String?
    public let message: String

    public init(_ message: String, at location: SourceLocation) {
        self.location = location
        self.file = location.file
        self.message = message
    }

    /// A problem with a whole file (missing, empty, unreadable): placed at its first line and column, so every
    /// config error reads `file:line:column: message` and editors can jump to it.
    public init(_ message: String, file: String?) {
        self.location = file.map { SourceLocation(file: $0, line: 1, column: 1) }
        self.file = file
        self.message = message
    }

    public var description: String {
        if let location { return "\(location): \(message)" }
        if let file { return "\(file): \(message)" }
        return message
    }
}

/// Every error found while loading the configuration; `dqmon validate` prints them all.
public struct ConfigErrors: Error, Sendable, CustomStringConvertible {
    public let errors: [ConfigError]

    public init(_ errors: [ConfigError]) { self.errors = errors }

    public var description: String { errors.map(\.description).joined(separator: "\n") }
}

/// Collects errors while a config file is read, so that one pass reports all of them.
///
/// Not thread-safe: config loading is synchronous and single-threaded.
public final class Diagnostics {
    public private(set) var errors: [ConfigError] = []

    public init() {}

    public func report(_ error: ConfigError) {
        if !errors.contains(error) { errors.append(error) }
    }

    public func report(_ message: String, at location: SourceLocation) {
        report(ConfigError(message, at: location))
    }
}
