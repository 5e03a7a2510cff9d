import Foundation

/// `type: mysql` — MySQL 8 and MariaDB 10.6+, through the MariaDB Connector/C library loaded at run time
/// (`MySQLClientLibrary`).
///
/// Keys: `url` (a secret: may hold a password, usually via `${VAR}`; the database is the default schema for bare
/// dataset names), `ssl_mode` (`disabled | preferred | required | verify_identity`; default `preferred`),
/// `max_connections` (connections, each on a thread of its own, and default parallelism; default 4),
/// `statement_timeout` (`max_execution_time` on MySQL, `max_statement_time` on MariaDB), `connect_timeout`
/// (default 10s).
public struct MySQLSettings: WarehouseSettings {
    public static let typeName = "mysql"
    public static var typeNormalizer: any TypeNormalizer { MySQLTypeNormalizer() }
    public static let keys = ["url", "ssl_mode", "max_connections", "statement_timeout", "connect_timeout"]

    public enum SSLMode: String, Sendable, CaseIterable {
        /// Plain TCP only.
        case disabled
        /// TLS when the server offers it, without verifying the certificate; plain TCP otherwise (MySQL's default).
        case preferred
        /// TLS or fail, without verifying the certificate.
        case required
        /// TLS or fail; the certificate must chain to a trusted root and match the host name.
        case verifyIdentity = "verify_identity"
    }

    /// - warning: holds the password. Use `url.redacted` in anything printed or stored.
    public var url: MySQLURL
    public var sslMode: SSLMode
    public var maxConnections: Int
    public var statementTimeout: Interval?
    public var connectTimeout: Interval

    public init(url: MySQLURL, sslMode: SSLMode = .preferred, maxConnections: Int = 4, statementTimeout: Interval? = nil,
                connectTimeout: Interval = Interval(seconds: 10)) {
        self.url = url
        self.sslMode = sslMode
        self.maxConnections = maxConnections
        self.statementTimeout = statementTimeout
        self.connectTimeout = connectTimeout
    }

    public static func parse(_ fields: ConfigFields, directory: URL) -> MySQLSettings? {
        let url = parseURL(fields)
        let sslMode = parseSSLMode(fields)
        let limits = ConnectionLimits(fields)
        // Only a configured mysql warehouse needs the client library: say so here, so `dqmon validate` tells too.
        if case .failure(let problem) = MySQLClientLibrary.shared {
            (fields["type"] ?? fields.owner).error(problem.reason)
            return nil
        }
        guard let url, let sslMode else { return nil }
        return MySQLSettings(url: url, sslMode: sslMode, maxConnections: limits.maxConnections,
                             statementTimeout: limits.statementTimeout, connectTimeout: limits.connectTimeout)
    }

    /// Why `type: mysql` cannot be used on this machine (the client library is missing), or nil when it can.
    public static var clientLibraryProblem: String? {
        if case .failure(let problem) = MySQLClientLibrary.shared { return problem.reason }
        return nil
    }

    static func parseURL(_ fields: ConfigFields) -> MySQLURL? {
        guard let node = fields.require("url"), let text = fields.string("url") else { return nil }
        do {
            return try MySQLURL(parsing: text)
        } catch {
            // The value is never quoted back: it may carry a password.
            node.error("'url' \(error.reason)")
            return nil
        }
    }

    static func parseSSLMode(_ fields: ConfigFields) -> SSLMode? {
        guard let text = fields.string("ssl_mode") else { return .preferred }
        let names = SSLMode.allCases.map(\.rawValue)
        guard let mode = SSLMode(rawValue: text.lowercased()) else {
            fields["ssl_mode"]?.error("unknown ssl_mode '\(text)'\(Suggestion.hint(for: text, in: names)); use one of: \(names.joined(separator: ", "))")
            return nil
        }
        return mode
    }

    public var defaultParallelism: Int { maxConnections }
    public var dialect: any SQLDialect { MySQLDialect(defaultSchema: url.database) }

    public func connect(name: String) async throws(WarehouseError) -> any Warehouse {
        try await MySQLWarehouse.connect(name: name, settings: self)
    }
}
