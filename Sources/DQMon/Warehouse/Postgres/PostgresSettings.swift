import Foundation

/// `type: postgres` — PostgreSQL, and warehouses that speak its protocol (Redshift and others).
///
/// Keys: `url` (a secret: may hold a password, usually via `${VAR}`), `schema` (for bare dataset names;
/// default `public`), `sslmode` (`disable | prefer | require | verify-full`; default `prefer`),
/// `max_connections` (pool size and default parallelism; default 4), `statement_timeout` (set per session),
/// `connect_timeout` (default 10s).
public struct PostgresSettings: WarehouseSettings {
    public static let typeName = "postgres"
    public static var typeNormalizer: any TypeNormalizer { PostgresTypeNormalizer() }
    public static let keys = ["url", "schema", "sslmode", "max_connections", "statement_timeout", "connect_timeout"]

    public enum SSLMode: String, Sendable, CaseIterable {
        /// Plain TCP only.
        case disable
        /// TLS when the server offers it, without verifying the certificate; plain TCP otherwise.
        case prefer
        /// TLS or fail, without verifying the certificate (libpq's `require`).
        case require
        /// TLS or fail; the certificate must chain to a trusted root and match the host name.
        case verifyFull = "verify-full"
    }

    /// - warning: holds the password. Use `url.redacted` in anything printed or stored.
    public var url: PostgresURL
    public var schema: String
    public var sslMode: SSLMode
    public var maxConnections: Int
    public var statementTimeout: Interval?
    public var connectTimeout: Interval

    public init(url: PostgresURL, schema: String = "public", sslMode: SSLMode = .prefer, maxConnections: Int = 4,
                statementTimeout: Interval? = nil, connectTimeout: Interval = Interval(seconds: 10)) {
        self.url = url
        self.schema = schema
        self.sslMode = sslMode
        self.maxConnections = maxConnections
        self.statementTimeout = statementTimeout
        self.connectTimeout = connectTimeout
    }

    public static func parse(_ fields: ConfigFields, directory: URL) -> PostgresSettings? {
        let url = parseURL(fields)
        let sslMode = parseSSLMode(fields, url: url)
        let limits = ConnectionLimits(fields)
        let schema = fields.string("schema") ?? "public"
        guard let url, let sslMode else { return nil }
        return PostgresSettings(url: url, schema: schema, sslMode: sslMode, maxConnections: limits.maxConnections,
                                statementTimeout: limits.statementTimeout, connectTimeout: limits.connectTimeout)
    }

    static func parseURL(_ fields: ConfigFields) -> PostgresURL? {
        guard let node = fields.require("url"), let text = fields.string("url") else { return nil }
        do {
            return try PostgresURL(parsing: text)
        } catch {
            // The value is never quoted back: it may carry a password.
            node.error("'url' \(error.reason)")
            return nil
        }
    }

    /// `sslmode:` wins over `?sslmode=` in the URL; `prefer` when neither is given (libpq's default).
    static func parseSSLMode(_ fields: ConfigFields, url: PostgresURL?) -> SSLMode? {
        let names = SSLMode.allCases.map(\.rawValue)
        if let text = fields.string("sslmode") {
            guard let mode = SSLMode(rawValue: text) else {
                fields["sslmode"]?.error("unknown sslmode '\(text)'\(Suggestion.hint(for: text, in: names)); use one of: \(names.joined(separator: ", "))")
                return nil
            }
            return mode
        }
        guard let url else { return .prefer }
        do { return try sslMode(in: url) } catch {
            fields["url"]?.error(error.message(in: "'url'"))
            return nil
        }
    }

    /// `?sslmode=` in `url`, `prefer` (libpq's default) when absent: the rule for a URL without a `sslmode:` key,
    /// shared by config and `dqmon demo --postgres`. An unknown mode is an error, never a silent `prefer`.
    public static func sslMode(in url: PostgresURL) throws(UnknownSSLMode) -> SSLMode {
        guard let text = url.parameters["sslmode"] else { return .prefer }
        guard let mode = SSLMode(rawValue: text) else { throw UnknownSSLMode(text: text) }
        return mode
    }

    /// A `?sslmode=` value that is none of `SSLMode`'s.
    public struct UnknownSSLMode: Error, Sendable {
        public let text: String

        /// `unknown sslmode 'x' in <place>; use one of: disable, prefer, require, verify-full`.
        public func message(in place: String) -> String {
            "unknown sslmode '\(text)' in \(place); use one of: \(SSLMode.allCases.map(\.rawValue).joined(separator: ", "))"
        }
    }

    public var defaultParallelism: Int { maxConnections }
    public var dialect: any SQLDialect { PostgresDialect(defaultSchema: schema) }

    public func connect(name: String) async throws(WarehouseError) -> any Warehouse {
        try await PostgresWarehouse.connect(name: name, settings: self)
    }
}
