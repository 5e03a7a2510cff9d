import Foundation
import Logging
import PostgresNIO

/// One PostgreSQL connection opened from `PostgresSettings`: `application_name=dqmon`, the configured TLS mode,
/// and `statement_timeout` set for the session. Every failure becomes a `WarehouseError` naming the warehouse
/// and the cause, with the URL redacted.
///
/// Read-only contract: a warehouse's sessions are made read-only when opened (`makeReadOnly()`), and `rows(_:)`,
/// the only path checks and metrics use, runs a user's `sql:` (`SQLStatement.isUserSQL`) in its own
/// `BEGIN READ ONLY` … `ROLLBACK`: a `sql:` that tries to write (a data-modifying CTE, `nextval`, a writing
/// function) fails with PostgreSQL's "cannot execute … in a read-only transaction" and changes nothing, and
/// whatever it does to session settings (`set_config('default_transaction_read_only', 'off', false)`) is rolled
/// back with it. A statement is parsed with the extended protocol, which refuses a second command
/// (`…; COMMIT; DELETE …`).
/// `execute(_:)` is the writable path for the demo loader and test fixtures only.
///
/// Not for concurrent use: one statement at a time (the pool hands each session to one task).
public final class PostgresSession: Sendable {
    let connection: PostgresConnection
    let failures: PostgresFailures

    init(connection: PostgresConnection, failures: PostgresFailures) {
        self.connection = connection
        self.failures = failures
    }

    /// Connects and prepares the session. Throws `.unavailable` (server down, wrong password, TLS required…).
    public static func open(settings: PostgresSettings, warehouse: String, id: Int = 0) async throws(WarehouseError) -> PostgresSession {
        let failures = PostgresFailures(warehouse: warehouse, settings: settings)
        let configuration = try await failures.catching { () async throws -> PostgresConnection.Configuration in
            try makeConfiguration(settings)
        }
        let deadline = Duration.milliseconds(Int64(settings.connectTimeout.seconds * 1000))
        let connection = try await failures.catching {
            try await withThrowingTaskGroup(of: PostgresConnection?.self) { group in
                // The whole handshake (TCP, TLS, authentication) must finish within connect_timeout: a server
                // that accepts connections but never answers must not hang the run.
                group.addTask { try await PostgresConnection.connect(configuration: configuration, id: id, logger: silentLogger) }
                group.addTask {
                    try await Task.sleep(for: deadline)
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let connection = first else {
                    throw PostgresFailures.ConnectDeadlineExceeded()
                }
                return connection
            }
        }
        let session = PostgresSession(connection: connection, failures: failures)
        if let timeout = settings.statementTimeout {
            do {
                try await session.execute("SET statement_timeout = \(max(1, Int((timeout.seconds * 1000).rounded())))")
            } catch {
                await session.close()
                throw error
            }
        }
        return session
    }

    /// Runs a statement in a read-only transaction, binding its `?` arguments as `$1…$n`, and returns every row.
    ///
    /// Three round trips: `BEGIN READ ONLY`, the statement, `ROLLBACK` (each a few tens of microseconds on a
    /// local server; see the README). The transaction is always rolled back, even after a failure; a session
    /// whose rollback fails is closed, so the pool never hands out a connection stuck in a transaction.
    public func rows(_ statement: SQLStatement) async throws(WarehouseError) -> [[SQLValue]] {
        guard statement.isUserSQL else { return try await run(Self.query(for: statement)) }
        try await run(PostgresQuery(unsafeSQL: "BEGIN READ ONLY"))
        let result: Result<[[SQLValue]], WarehouseError>
        do { result = .success(try await run(Self.query(for: statement))) } catch { result = .failure(error) }
        do {
            try await run(PostgresQuery(unsafeSQL: "ROLLBACK"))
        } catch {
            await close()
            if case .success = result { throw error }
        }
        return try result.get()
    }

    /// Makes every later transaction of this session read-only (`default_transaction_read_only`): the warehouse
    /// sessions of checks and metrics. Statements dqmon writes itself then cost one round trip; a user's `sql:`
    /// still runs in its own `BEGIN READ ONLY` … `ROLLBACK`, and the rollback also undoes any setting it changed
    /// (`set_config('default_transaction_read_only', 'off', false)` included), so the session stays read-only.
    public func makeReadOnly() async throws(WarehouseError) {
        try await execute("SET default_transaction_read_only = on")
    }

    /// Runs SQL without arguments and outside any read-only transaction: `SET` at session start, and the DDL and
    /// `INSERT … VALUES` of the demo loader and test fixtures. Never used for checks or metrics.
    public func execute(_ sql: String) async throws(WarehouseError) {
        _ = try await run(PostgresQuery(unsafeSQL: sql))
    }

    /// Runs a statement with bound arguments outside any read-only transaction: the demo loader's batched
    /// `INSERT`s. Never used for checks or metrics.
    public func write(_ statement: SQLStatement) async throws(WarehouseError) {
        _ = try await run(Self.query(for: statement))
    }

    /// One statement as sent, with the statement-timeout watchdog.
    @discardableResult
    private func run(_ query: PostgresQuery) async throws(WarehouseError) -> [[SQLValue]] {
        let started = ContinuousClock.now
        // Client-side backstop for statement_timeout: if the server does not answer at all within the limit
        // plus a grace period, the connection is closed so the run goes on.
        let watchdog = failures.statementTimeout.map { limit in
            Task { [connection] in
                try await Task.sleep(for: .seconds(limit.seconds + Self.watchdogGrace))
                try? await connection.close()
            }
        }
        defer { watchdog?.cancel() }
        do {
            return try await failures.catching {
                var rows: [[SQLValue]] = []
                for try await row in try await connection.query(query, logger: Self.silentLogger) {
                    rows.append(row.map(Self.value))
                }
                return rows
            }
        } catch {
            if let limit = failures.statementTimeout, ContinuousClock.now - started >= .seconds(limit.seconds + Self.watchdogGrace) {
                throw WarehouseError(warehouse: failures.warehouse, kind: .timeout,
                                     message: "no answer from \(failures.endpoint) within statement_timeout (\(limit)) plus \(Int(Self.watchdogGrace))s: connection closed")
            }
            throw error
        }
    }

    static let watchdogGrace: Double = 10

    public var isClosed: Bool { connection.isClosed }

    public func close() async {
        try? await connection.close()
    }

    /// Postgres-nio logs nothing by default here: its debug output can carry connection details.
    static let silentLogger = Logger(label: "dqmon.postgres", factory: { _ in SwiftLogNoOpLogHandler() })

    static func makeConfiguration(_ settings: PostgresSettings) throws -> PostgresConnection.Configuration {
        let url = settings.url
        var configuration: PostgresConnection.Configuration
        if let directory = url.socketDirectory {
            configuration = .init(unixSocketPath: directory + "/.s.PGSQL.\(url.port)", username: url.user,
                                  password: url.password, database: url.database)
        } else {
            configuration = .init(host: url.host, port: url.port, username: url.user, password: url.password,
                                  database: url.database, tls: try tls(settings.sslMode))
        }
        configuration.options.connectTimeout = .milliseconds(Int64(settings.connectTimeout.seconds * 1000))
        configuration.options.additionalStartupParameters = [("application_name", "dqmon")]
        return configuration
    }

    static func tls(_ mode: PostgresSettings.SSLMode) throws -> PostgresConnection.Configuration.TLS {
        var tls = TLSConfiguration.makeClientConfiguration()
        switch mode {
        case .disable:
            return .disable
        case .prefer:
            tls.certificateVerification = .none
            return .prefer(try NIOSSLContext(configuration: tls))
        case .require:
            tls.certificateVerification = .none
            return .require(try NIOSSLContext(configuration: tls))
        case .verifyFull:
            tls.certificateVerification = .fullVerification
            return .require(try NIOSSLContext(configuration: tls))
        }
    }

    /// `?` placeholders (outside quotes) become `$1…$n`; arguments are bound, never spliced.
    static func query(for statement: SQLStatement) -> PostgresQuery {
        var sql = ""
        var index = 0
        var quote: Character?
        for character in statement.sql {
            if let open = quote {
                if character == open { quote = nil }
            } else if character == "'" || character == "\"" {
                quote = character
            } else if character == "?", index < statement.arguments.count {
                index += 1
                sql += "$\(index)"
                continue
            }
            sql.append(character)
        }
        var bindings = PostgresBindings(capacity: statement.arguments.count)
        for argument in statement.arguments {
            switch argument {
            case .null: bindings.appendNull()
            case .integer(let value): bindings.append(value)
            case .real(let value): bindings.append(value)
            case .text(let value): bindings.append(value)
            }
        }
        return PostgresQuery(unsafeSQL: sql, binds: bindings)
    }

    static func value(_ cell: PostgresCell) -> SQLValue {
        guard cell.bytes != nil else { return .null }
        switch cell.dataType {
        case .int2, .int4, .int8:
            return (try? cell.decode(Int64.self)).map(SQLValue.integer) ?? .null
        case .float4, .float8:
            return (try? cell.decode(Double.self)).map(SQLValue.real) ?? .null
        case .numeric:
            return (try? cell.decode(Decimal.self)).map { .real(NSDecimalNumber(decimal: $0).doubleValue) } ?? .null
        case .bool:
            return (try? cell.decode(Bool.self)).map { .integer($0 ? 1 : 0) } ?? .null
        default:
            return (try? cell.decode(String.self)).map(SQLValue.text) ?? .null
        }
    }
}
