import DQMon
import Foundation

/// The throwaway PostgreSQL 15 cluster that `scripts/test` starts (scripts/lib/postgres-cluster.sh) and
/// announces in `DQMON_TEST_POSTGRES_URL`. Under plain `swift test` it is absent and PostgreSQL tests skip.
public enum PostgresTestServer {
    public static let environmentVariable = "DQMON_TEST_POSTGRES_URL"

    public static var urlText: String? {
        let value = ProcessInfo.processInfo.environment[environmentVariable]
        return value?.isEmpty == false ? value : nil
    }

    public static var isAvailable: Bool { urlText != nil }

    /// The server's URL (with its password: a secret the tests check never leaks).
    public static var url: PostgresURL {
        get throws { try PostgresURL(parsing: urlText ?? "") }
    }

    /// Settings for the test server, with the given overrides.
    public static func settings(schema: String = "public", sslMode: PostgresSettings.SSLMode = .disable, maxConnections: Int = 4,
                                statementTimeout: Interval? = nil) throws -> PostgresSettings {
        PostgresSettings(url: try url, schema: schema, sslMode: sslMode, maxConnections: maxConnections, statementTimeout: statementTimeout)
    }

    /// A session for setting up fixtures (DDL, inserts) and for interfering with runs (terminating backends).
    public static func adminSession() async throws -> PostgresSession {
        try await PostgresSession.open(settings: try settings(), warehouse: "test-admin")
    }

    /// A port on 127.0.0.1 where nothing listens: "server down".
    public static func closedPort() -> Int {
        let (descriptor, port) = boundSocket()
        close(descriptor)
        return port
    }

    /// A listening socket that never answers (the kernel accepts TCP connections, nobody reads):
    /// a server that hangs. Close the descriptor when done.
    public static func silentListener() -> (descriptor: Int32, port: Int) {
        let (descriptor, port) = boundSocket()
        listen(descriptor, 16)
        return (descriptor, port)
    }

    static func boundSocket() -> (Int32, Int) {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
        }
        _ = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        return (descriptor, Int(UInt16(bigEndian: address.sin_port)))
    }
}

/// Runs `body` with a fresh schema on the test server and drops the schema when `body` returns or throws.
///
/// The drop is awaited before this returns: a `defer { Task { await db.drop() } }` may never run once the test
/// process exits, and leaves schemas (and sessions) behind on the shared cluster.
public func withTemporarySchema<Value>(_ prefix: String = "t", _ body: (PostgresSchemaFixture) async throws -> Value)
    async throws -> Value {
    try await withClosing(try await PostgresSchemaFixture.create(prefix), close: { await $0.drop() }, body)
}

/// A fresh schema on the test server for one test (tests run in parallel), dropped by `drop()`;
/// `withTemporarySchema` creates one and drops it when the test is done.
public final class PostgresSchemaFixture: @unchecked Sendable {
    public let name: String
    public let session: PostgresSession

    public static func create(_ prefix: String = "t") async throws -> PostgresSchemaFixture {
        let session = try await PostgresTestServer.adminSession()
        let name = "\(prefix)_\(UUID().uuidString.prefix(8).lowercased())"
        try await session.execute("SET TIME ZONE 'UTC'")
        try await session.execute("CREATE SCHEMA \"\(name)\"")
        return PostgresSchemaFixture(name: name, session: session)
    }

    init(name: String, session: PostgresSession) {
        self.name = name
        self.session = session
    }

    public func execute(_ sql: String) async throws {
        try await session.execute(sql)
    }

    /// `CREATE TABLE "<schema>"."<table>" (id serial, "<column>" <type>)` with one row per timestamp.
    public func table(_ table: String, column: String = "updated_at", type: String = "timestamp", timestamps: [Date]) async throws {
        try await execute("CREATE TABLE \"\(name)\".\"\(table)\" (id serial PRIMARY KEY, \"\(column)\" \(type))")
        guard !timestamps.isEmpty else { return }
        let values = timestamps.map { "('\(WarehouseFixture.text($0))')" }.joined(separator: ", ")
        try await execute("INSERT INTO \"\(name)\".\"\(table)\" (\"\(column)\") VALUES \(values)")
    }

    public func drop() async {
        try? await session.execute("DROP SCHEMA \"\(name)\" CASCADE")
        await session.close()
    }
}

/// A dqmon project whose warehouses are PostgreSQL: dqmon.yml reads the URL from `${DQMON_TEST_POSTGRES_URL}`,
/// as users are told to, so the password is never written in the project.
public final class PostgresProjectFixture: @unchecked Sendable {
    public let project: ProjectFixture

    /// `warehouses` is the YAML under `warehouses:`, e.g. `pg: { type: postgres, url: "${DQMON_TEST_POSTGRES_URL}" }`.
    public init(warehouses: String, defaultWarehouse: String = "pg") {
        project = ProjectFixture(projectYAML: """
            version: 1
            warehouses:
            \(warehouses)
            default_warehouse: \(defaultWarehouse)
            history: { path: .dqmon/history.sqlite }
            """)
    }

    public func checks(_ name: String, _ yaml: String) { project.checks(name, yaml) }

    public func load(environment: [String: String] = [:]) throws -> Configuration {
        try ConfigLoader.load(configPath: project.configURL,
                              environment: ProcessInfo.processInfo.environment.merging(environment) { $1 })
    }

    public func run(now: Date = ProjectFixture.now, parallelism: Int? = nil, environment: [String: String] = [:]) async throws -> RunReport {
        try await CheckRunner.run(configuration: load(environment: environment),
                                  options: RunOptions(now: now, runAll: true, parallelism: parallelism), lockTimeout: 5)
    }
}
