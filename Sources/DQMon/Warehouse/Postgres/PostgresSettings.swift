import Foundation

/// `type: postgres` — PostgreSQL, and warehouses that speak its protocol (Redshift and others).
///
/// Keys: `url` (a secret: may hold a password, usually via `${VAR}`), `schema` (for bare dataset names;
/// default `public`), `sslmode` (`disable | prefer | require | verify-full`; default `prefer`),
/// `max_connections` (pool size and default parallelism; default 4), `statement_timeout` (set per session),
/// `connect_timeout` (default 10s).
public struct PostgresSettings: WarehouseSettings {
    public static let typeName = "postgres"
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

    /// `statement_timeout` is at most a day: PostgreSQL stores it as 32-bit milliseconds (about 24.8 days), and a
    /// monitoring query that runs longer than a day is a mistake to report, not to wait for.
    public static let maximumStatementTimeout = Interval(seconds: 86_400)
    /// `connect_timeout` is at most an hour.
    public static let maximumConnectTimeout = Interval(seconds: 3_600)

    public static func parse(_ fields: ConfigFields, directory: URL) -> PostgresSettings? {
        let url = parseURL(fields)
        let sslMode = parseSSLMode(fields, url: url)
        let maxConnections = fields.int("max_connections", in: 1...100) ?? 4
        let statementTimeout = fields.interval("statement_timeout", atMost: maximumStatementTimeout)
        let connectTimeout = fields.interval("connect_timeout", atMost: maximumConnectTimeout) ?? Interval(seconds: 10)
        let schema = fields.string("schema") ?? "public"
        guard let url, let sslMode else { return nil }
        return PostgresSettings(url: url, schema: schema, sslMode: sslMode, maxConnections: maxConnections,
                                statementTimeout: statementTimeout, connectTimeout: connectTimeout)
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
        guard let text = url?.parameters["sslmode"] else { return .prefer }
        guard let mode = SSLMode(rawValue: text) else {
            fields["url"]?.error("unknown sslmode '\(text)' in 'url'; use one of: \(names.joined(separator: ", "))")
            return nil
        }
        return mode
    }

    public var defaultParallelism: Int { maxConnections }
    public var dialect: any SQLDialect { PostgresDialect(defaultSchema: schema) }

    public func connect(name: String) async throws(WarehouseError) -> any Warehouse {
        try await PostgresWarehouse.connect(name: name, settings: self)
    }
}
