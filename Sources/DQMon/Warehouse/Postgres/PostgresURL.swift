import Foundation

/// A `postgres://user:password@host:port/database?sslmode=…` URL, split into what a connection needs.
///
/// A unix socket is written as `postgres://user@/database?host=/path/to/socket/dir` (as libpq does).
/// - warning: `password` is a secret. Print `redacted` (scheme and host only), never the URL itself.
public struct PostgresURL: Sendable, Hashable {
    public var host: String
    public var port: Int
    /// The directory holding `.s.PGSQL.<port>`, when connecting over a unix socket.
    public var socketDirectory: String?
    public var user: String
    public var password: String?
    public var database: String
    /// Query parameters other than `host` (e.g. `sslmode`), lowercased keys.
    public var parameters: [String: String]

    public init(host: String, port: Int = 5432, socketDirectory: String? = nil, user: String, password: String?,
                database: String, parameters: [String: String] = [:]) {
        self.host = host
        self.port = port
        self.socketDirectory = socketDirectory
        self.user = user
        self.password = password
        self.database = database
        self.parameters = parameters
    }

    public struct ParseError: Error, Sendable, CustomStringConvertible {
        public let reason: String
        public var description: String { reason }
    }

    /// Parses the URL. Error reasons never repeat the URL (it may hold a password).
    public init(parsing text: String) throws(ParseError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let components = URLComponents(string: trimmed) else {
            throw ParseError(reason: "is not a valid URL (expected postgres://user:password@host:5432/database)")
        }
        guard let scheme = components.scheme?.lowercased(), ["postgres", "postgresql"].contains(scheme) else {
            throw ParseError(reason: "must start with postgres:// or postgresql://")
        }
        var parameters: [String: String] = [:]
        for item in components.queryItems ?? [] { parameters[item.name.lowercased()] = item.value ?? "" }
        let socket = parameters.removeValue(forKey: "host").flatMap { $0.hasPrefix("/") ? $0 : nil }
        let host = components.percentEncodedHost.flatMap { $0.removingPercentEncoding } ?? ""
        let hostIsSocket = host.hasPrefix("/")
        guard !host.isEmpty || socket != nil else {
            throw ParseError(reason: "has no host (expected postgres://user:password@host:5432/database)")
        }
        guard let user = components.percentEncodedUser?.removingPercentEncoding, !user.isEmpty else {
            throw ParseError(reason: "has no user name (expected postgres://user:password@host:5432/database)")
        }
        let database = String(components.percentEncodedPath.drop { $0 == "/" }).removingPercentEncoding ?? ""
        let port = try Self.port(in: components, query: parameters.removeValue(forKey: "port"))
        self.init(host: hostIsSocket ? "localhost" : (host.isEmpty ? "localhost" : host), port: port,
                  socketDirectory: socket ?? (hostIsSocket ? host : nil), user: user,
                  password: components.percentEncodedPassword?.removingPercentEncoding,
                  database: database.isEmpty ? user : database, parameters: parameters)
    }

    /// The TCP port, 1...65535: from `host:port`, else `?port=` (libpq's form), else 5432.
    static func port(in components: URLComponents, query: String?) throws(ParseError) -> Int {
        let expected = "a port is 1 to 65535 (expected postgres://user:password@host:5432/database)"
        if let port = components.port {
            guard (1...65_535).contains(port) else { throw ParseError(reason: "has port \(port): \(expected)") }
            return port
        }
        if let query {
            guard let port = Int(query), (1...65_535).contains(port) else {
                throw ParseError(reason: "has port \(ConfigText.quoted(query)) in '?port=': \(expected)")
            }
            return port
        }
        return 5432
    }

    /// `postgres://host:port` (or `postgres://[socket dir]`): safe to print in errors and logs.
    public var redacted: String {
        if let socketDirectory { return "postgres://[\(socketDirectory)]" }
        return "postgres://\(host.contains(":") ? "[\(host)]" : host):\(port)"
    }
}

/// Removes secrets from text that may have picked them up (server or library messages).
public enum SecretRedaction {
    /// Replaces every occurrence of each non-trivial secret with `***`.
    public static func scrub(_ text: String, secrets: [String]) -> String {
        var result = text
        for secret in secrets where secret.count >= 3 {
            result = result.replacingOccurrences(of: secret, with: "***")
        }
        return result
    }
}

/// Printing, interpolating or dumping a URL shows only `redacted`, so a stray `"\(url)"` cannot leak the password.
extension PostgresURL: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { redacted }
    public var debugDescription: String { redacted }
    public var customMirror: Mirror { Mirror(self, children: ["redacted": redacted], displayStyle: .struct) }
}
