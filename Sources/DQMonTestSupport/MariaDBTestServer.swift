import DQMon
import Foundation

/// The throwaway MariaDB server that `scripts/test` starts (scripts/lib/mariadb-cluster.sh) and announces in
/// `DQMON_TEST_MYSQL_URL` (and its socket in `DQMON_TEST_MYSQL_SOCKET`). Under plain `swift test` it is absent
/// and the MySQL tests skip, saying why.
public enum MariaDBTestServer {
    public static let environmentVariable = "DQMON_TEST_MYSQL_URL"

    public static var urlText: String? {
        let value = ProcessInfo.processInfo.environment[environmentVariable]
        return value?.isEmpty == false ? value : nil
    }

    public static var isAvailable: Bool { urlText != nil }

    /// The server's unix socket, when scripts/test started it.
    public static var socket: String? { ProcessInfo.processInfo.environment["DQMON_TEST_MYSQL_SOCKET"] }

    /// The server's URL (with its password: a secret the tests check never leaks).
    public static var url: MySQLURL {
        get throws { try MySQLURL(parsing: urlText ?? "") }
    }

    /// Settings for the test server, with the given overrides.
    public static func settings(database: String? = nil, maxConnections: Int = 4, statementTimeout: Interval? = nil) throws -> MySQLSettings {
        var url = try url
        if let database { url.database = database }
        return MySQLSettings(url: url, sslMode: .disabled, maxConnections: maxConnections, statementTimeout: statementTimeout)
    }

    /// A writable session for fixtures (DDL, inserts) and for interfering with runs (`KILL CONNECTION`).
    public static func adminSession(database: String? = nil) async throws -> MySQLSession {
        try await MySQLSession.open(settings: try settings(database: database), warehouse: "test-admin")
    }
}

/// Runs `body` with a fresh database on the test server and drops it when `body` returns or throws (awaited, so
/// nothing is left behind on the shared server).
public func withTemporaryDatabase<Value>(_ prefix: String = "t", _ body: (MySQLDatabaseFixture) async throws -> Value)
    async throws -> Value {
    try await withClosing(try await MySQLDatabaseFixture.create(prefix), close: { await $0.drop() }, body)
}

/// A fresh database on the test server for one test (tests run in parallel), dropped by `drop()`.
public final class MySQLDatabaseFixture: @unchecked Sendable {
    public let name: String
    public let session: MySQLSession

    public static func create(_ prefix: String = "t") async throws -> MySQLDatabaseFixture {
        let name = "\(prefix)_\(UUID().uuidString.prefix(8).lowercased())"
        let admin = try await MariaDBTestServer.adminSession()
        try await admin.execute("CREATE DATABASE `\(name)`")
        await admin.close()
        return MySQLDatabaseFixture(name: name, session: try await MariaDBTestServer.adminSession(database: name))
    }

    init(name: String, session: MySQLSession) {
        self.name = name
        self.session = session
    }

    public func execute(_ sql: String) async throws {
        try await session.execute(sql)
    }

    public func rows(_ sql: String, _ arguments: [SQLValue] = []) async throws -> [[SQLValue]] {
        try await session.rows(SQLStatement(sql, arguments: arguments))
    }

    /// `CREATE TABLE <table> (id auto_increment, <column> <type>, KEY (<column>))` with one row per timestamp.
    public func table(_ table: String, column: String = "updated_at", type: String = "datetime", indexed: Bool = true,
                      timestamps: [Date]) async throws {
        try await execute("CREATE TABLE `\(table)` (id bigint AUTO_INCREMENT PRIMARY KEY, `\(column)` \(type)\(indexed ? ", KEY (`\(column)`)" : ""))")
        guard !timestamps.isEmpty else { return }
        let values = timestamps.map { "('\(WarehouseFixture.text($0))')" }.joined(separator: ", ")
        try await execute("INSERT INTO `\(table)` (`\(column)`) VALUES \(values)")
    }

    public func drop() async {
        try? await session.execute("DROP DATABASE `\(name)`")
        await session.close()
    }
}

/// A dqmon project whose warehouse `my` is the test server's database `database`: dqmon.yml reads the URL from
/// `${DQMON_TEST_MYSQL_URL}` with the database swapped in, so the password is never written in the project.
public final class MySQLProjectFixture: @unchecked Sendable {
    public let project: ProjectFixture

    /// `settings` are extra keys of `my` (e.g. `statement_timeout: 1s`); `warehouses` more YAML under `warehouses:`.
    public init(database: String, settings: String = "", warehouses: String = "") {
        project = ProjectFixture(projectYAML: """
            version: 1
            warehouses:
              my: { type: mysql, url: "${MY_URL}", ssl_mode: disabled\(settings.isEmpty ? "" : ", " + settings) }
            \(warehouses)
            default_warehouse: my
            history: { path: .dqmon/history.sqlite }
            """)
        let base = MariaDBTestServer.urlText ?? ""
        let withoutDatabase = base.range(of: "/", options: .backwards).map { String(base[..<$0.lowerBound]) } ?? base
        project.environment["MY_URL"] = withoutDatabase + "/" + database
    }

    public func checks(_ name: String, _ yaml: String) { project.checks(name, yaml) }

    /// `dqmon check --all --now <now> --format json` through the real binary.
    public func check(now: Date = ProjectFixture.now, arguments: [String] = [], environment: [String: String] = [:]) throws -> CommandLineRunner.Output {
        try dqmon(["check", "--all", "--now", ISO8601.string(from: now), "--format", "json"] + arguments, in: project, environment: environment)
    }
}
