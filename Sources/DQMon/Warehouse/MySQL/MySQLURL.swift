import Foundation

/// A `mysql://user:password@host:3306/database` URL, split into what a connection needs. `mariadb://` is the same.
///
/// A unix socket is written `mysql://user@localhost/database?socket=/run/mysqld/mysqld.sock`.
/// - warning: `password` is a secret. Print `redacted` (scheme and host only), never the URL itself.
public struct MySQLURL: Sendable, Hashable {
    public var host: String
    public var port: Int
    /// The server's unix socket file, when connecting over one.
    public var socket: String?
    public var user: String
    public var password: String?
    public var database: String

    public init(host: String, port: Int = 3306, socket: String? = nil, user: String, password: String?, database: String) {
        self.host = host
        self.port = port
        self.socket = socket
        self.user = user
        self.password = password
        self.database = database
    }

    public struct ParseError: Error, Sendable, CustomStringConvertible {
        public let reason: String
        public var description: String { reason }
    }

    static let expected = "expected mysql://user:password@host:3306/database"

    /// Parses the URL. Error reasons never repeat the URL (it may hold a password).
    public init(parsing text: String) throws(ParseError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let components = URLComponents(string: trimmed) else {
            throw ParseError(reason: "is not a valid URL (\(Self.expected))")
        }
        guard let scheme = components.scheme?.lowercased(), ["mysql", "mariadb"].contains(scheme) else {
            throw ParseError(reason: "must start with mysql:// or mariadb://")
        }
        var parameters: [String: String] = [:]
        for item in components.queryItems ?? [] { parameters[item.name.lowercased()] = item.value ?? "" }
        let socket = parameters.removeValue(forKey: "socket").flatMap { $0.isEmpty ? nil : $0 }
        if let unknown = parameters.keys.sorted().first {
            throw ParseError(reason: "has an unknown parameter '?\(unknown)=' (only ?socket=/path/to/mysqld.sock; TLS is the 'ssl_mode' key)")
        }
        if let socket, !socket.hasPrefix("/") {
            throw ParseError(reason: "has '?socket=' that is not an absolute path (e.g. ?socket=/run/mysqld/mysqld.sock)")
        }
        let host = components.percentEncodedHost.flatMap { $0.removingPercentEncoding } ?? ""
        guard !host.isEmpty || socket != nil else { throw ParseError(reason: "has no host (\(Self.expected))") }
        guard let user = components.percentEncodedUser?.removingPercentEncoding, !user.isEmpty else {
            throw ParseError(reason: "has no user name (\(Self.expected))")
        }
        let database = String(components.percentEncodedPath.drop { $0 == "/" }).removingPercentEncoding ?? ""
        guard !database.isEmpty, !database.contains("/") else {
            throw ParseError(reason: "has no database name after the host (\(Self.expected))")
        }
        var port = 3306
        if let given = components.port {
            guard (1...65_535).contains(given) else { throw ParseError(reason: "has port \(given): a port is 1 to 65535 (\(Self.expected))") }
            port = given
        }
        self.init(host: host.isEmpty ? "localhost" : host, port: port, socket: socket, user: user,
                  password: components.percentEncodedPassword?.removingPercentEncoding, database: database)
    }

    /// `mysql://host:port` (or `mysql://[socket]`): safe to print in errors and logs.
    public var redacted: String {
        if let socket { return "mysql://[\(socket)]" }
        return "mysql://\(host.contains(":") ? "[\(host)]" : host):\(port)"
    }
}

/// Printing, interpolating or dumping a URL shows only `redacted`, so a stray `"\(url)"` cannot leak the password.
extension MySQLURL: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { redacted }
    public var debugDescription: String { redacted }
    public var customMirror: Mirror { Mirror(self, children: ["redacted": redacted], displayStyle: .struct) }
}
