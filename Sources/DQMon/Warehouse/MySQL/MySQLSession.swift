import Foundation

/// One MySQL/MariaDB connection opened from `MySQLSettings`, on a thread of its own (`MySQLThread`): utf8mb4,
/// `time_zone = '+00:00'`, the configured TLS mode, and `statement_timeout` as the server's own limit
/// (`max_statement_time` on MariaDB, `max_execution_time` on MySQL, chosen from the server's version). Every
/// failure becomes a `WarehouseError` naming the warehouse and the cause, with the URL redacted.
///
/// Read-only contract: a warehouse's sessions run `SET SESSION TRANSACTION READ ONLY` when opened
/// (`makeReadOnly()`), so every later transaction, autocommit statements included, refuses writes. `rows(_:)`
/// runs a user's `sql:` (`SQLStatement.isUserSQL`) inside its own `START TRANSACTION READ ONLY` … `ROLLBACK`, and
/// refuses, before running it, a statement that returns no result set (`SET`, `CALL`, `INSERT` …: prepared
/// statements hold one statement only, so nothing can follow a `;`). Values are always bound (`mysql_stmt_*`).
/// `execute(_:)` and `write(_:)` are the writable paths for the demo loader and test fixtures only.
///
/// Not for concurrent use: one statement at a time (the pool hands each session to one task).
public final class MySQLSession: @unchecked Sendable {
    let library: MySQLClientLibrary
    let thread: MySQLThread
    let failures: MySQLFailures
    /// Touched on `thread` only.
    private let handle: OpaquePointer
    /// The server's version string, e.g. `10.11.6-MariaDB-0+deb12u1` or `8.0.36`.
    public let serverVersion: String
    private let state = NSLock()
    private var closed = false
    /// Client-side backstop: a server that does not answer within statement_timeout plus this closes the connection.
    static let readTimeoutGrace: Double = 10

    init(library: MySQLClientLibrary, thread: MySQLThread, failures: MySQLFailures, handle: OpaquePointer, serverVersion: String) {
        self.library = library
        self.thread = thread
        self.failures = failures
        self.handle = handle
        self.serverVersion = serverVersion
    }

    public var isMariaDB: Bool { serverVersion.localizedCaseInsensitiveContains("mariadb") }

    /// Connects and prepares the session. Throws `.unavailable` (library missing, server down, wrong password…).
    public static func open(settings: MySQLSettings, warehouse: String, id: Int = 0) async throws(WarehouseError) -> MySQLSession {
        let failures = MySQLFailures(warehouse: warehouse, settings: settings)
        let library: MySQLClientLibrary
        switch MySQLClientLibrary.shared {
        case .success(let loaded): library = loaded
        case .failure(let problem): throw failures.error(.unavailable, problem.reason)
        }
        let thread = MySQLThread(name: "dqmon-mysql-\(id)", library: library)
        let connected = await thread.run { Self.connect(library: library, settings: settings, failures: failures) }
        let session: MySQLSession
        switch connected {
        case .success(let (handle, version)):
            session = MySQLSession(library: library, thread: thread, failures: failures, handle: handle.pointer, serverVersion: version)
        case .failure(let error):
            thread.stop()
            throw error
        }
        do {
            try await session.execute("SET time_zone = '+00:00'")
            if let timeout = settings.statementTimeout { try await session.execute(session.statementTimeoutSQL(timeout)) }
        } catch {
            await session.close()
            throw error
        }
        return session
    }

    /// `max_statement_time` (seconds) on MariaDB, `max_execution_time` (milliseconds, SELECT only) on MySQL.
    func statementTimeoutSQL(_ timeout: Interval) -> String {
        if isMariaDB { return "SET SESSION max_statement_time = \(String(format: "%.3f", max(0.001, timeout.seconds)))" }
        return "SET SESSION max_execution_time = \(max(1, Int((min(timeout.seconds, 86_400) * 1000).rounded())))"
    }

    /// Blocking: runs on the session's thread.
    private static func connect(library: MySQLClientLibrary, settings: MySQLSettings,
                                failures: MySQLFailures) -> Result<(MySQLHandle, String), WarehouseError> {
        guard let handle = library.mysql_init(nil) else { return .failure(failures.error(.unavailable, "out of memory (mysql_init)")) }
        let url = settings.url
        var connectSeconds = UInt32(max(1, min(settings.connectTimeout.seconds, 3_600)).rounded(.up))
        _ = library.mysql_options(handle, MySQLABI.optConnectTimeout, &connectSeconds)
        if let timeout = settings.statementTimeout {
            var readSeconds = UInt32((min(timeout.seconds, 86_400) + readTimeoutGrace).rounded(.up))
            _ = library.mysql_options(handle, MySQLABI.optReadTimeout, &readSeconds)
            _ = library.mysql_options(handle, MySQLABI.optWriteTimeout, &readSeconds)
        }
        _ = "utf8mb4".withCString { library.mysql_options(handle, MySQLABI.optSetCharsetName, $0) }
        // `localhost` means "the default socket" to the client library: a URL without ?socket= always uses TCP.
        var transport = url.socket == nil ? MySQLABI.protocolTCP : MySQLABI.protocolSocket
        _ = library.mysql_options(handle, MySQLABI.optProtocol, &transport)
        var useTLS: Int8 = settings.sslMode == .disabled ? 0 : 1
        var verify: Int8 = settings.sslMode == .verifyIdentity ? 1 : 0
        _ = library.mysql_options(handle, MySQLABI.optSSLEnforce, &useTLS)
        _ = library.mysql_options(handle, MySQLABI.optSSLVerifyServerCert, &verify)
        let connected = url.host.withCString { host in
            url.user.withCString { user in
                withOptionalCString(url.password) { password in
                    url.database.withCString { database in
                        withOptionalCString(url.socket) { socket in
                            library.mysql_real_connect(handle, host, user, password, database, UInt32(url.port), socket, 0)
                        }
                    }
                }
            }
        }
        guard connected != nil else {
            let failure = failures.connecting(library.mysql_errno(handle), text(library.mysql_error(handle)))
            library.mysql_close(handle)
            return .failure(failure)
        }
        // Connector/C falls back to plain TCP when the server offers no TLS unless the certificate is verified:
        // `required` is enforced here.
        if settings.sslMode == .required || settings.sslMode == .verifyIdentity, library.mysql_get_ssl_cipher(handle) == nil {
            library.mysql_close(handle)
            return .failure(failures.error(.unavailable, "TLS required (ssl_mode \(settings.sslMode.rawValue)) but the server at \(failures.endpoint) does not offer TLS (use ssl_mode: preferred or disabled, or enable TLS on the server)"))
        }
        return .success((MySQLHandle(pointer: handle), text(library.mysql_get_server_info(handle))))
    }

    public var isClosed: Bool {
        state.lock()
        defer { state.unlock() }
        return closed
    }

    /// Marks the session closed; true when it was open (the caller then closes the connection).
    private func markClosed() -> Bool {
        state.lock()
        defer { state.unlock() }
        if closed { return false }
        closed = true
        return true
    }

    /// Makes every later transaction of this session read-only, autocommit statements included.
    public func makeReadOnly() async throws(WarehouseError) {
        try await execute("SET SESSION TRANSACTION READ ONLY")
    }

    /// Runs a statement, binding its `?` arguments, and returns every row. A user's `sql:` runs in its own
    /// read-only transaction, always rolled back; a session whose rollback fails is closed.
    public func rows(_ statement: SQLStatement) async throws(WarehouseError) -> [[SQLValue]] {
        guard statement.isUserSQL else { return try await perform { $0.prepared(statement) } }
        try await execute("START TRANSACTION READ ONLY")
        let result: Result<[[SQLValue]], WarehouseError>
        do { result = .success(try await perform { $0.prepared(statement) }) } catch { result = .failure(error) }
        do {
            try await execute("ROLLBACK")
        } catch {
            await close()
            if case .success = result { throw error }
        }
        return try result.get()
    }

    /// Runs SQL without arguments (session `SET`s, and the DDL of the demo loader and test fixtures).
    public func execute(_ sql: String) async throws(WarehouseError) {
        _ = try await perform { $0.plain(sql) }
    }

    /// Runs a statement with bound arguments and no result (the demo loader's batched `INSERT`s).
    public func write(_ statement: SQLStatement) async throws(WarehouseError) {
        _ = try await perform { $0.prepared(statement) }
    }

    /// The server's id of this connection (`CONNECTION_ID()`), for tests that kill it.
    public var connectionID: UInt { get async { isClosed ? 0 : await thread.run { [self] in library.mysql_thread_id(handle) } } }

    /// Runs `body` on the session's thread; a lost connection closes the session.
    private func perform(_ body: @escaping @Sendable (MySQLSession) -> Result<[[SQLValue]], MySQLCallError>) async throws(WarehouseError) -> [[SQLValue]] {
        guard !isClosed else { throw failures.error(.unavailable, "connection to \(failures.endpoint) was closed before the query finished") }
        let started = ContinuousClock.now
        let result = await thread.run { [self] in body(self) }
        switch result {
        case .success(let rows):
            return rows
        case .failure(let call):
            if MySQLFailures.connectionLost.contains(call.code) { await close() }
            if call.code == 2013, let limit = failures.statementTimeout,
               ContinuousClock.now - started >= .seconds(limit.seconds + Self.readTimeoutGrace) {
                throw failures.error(.timeout, "no answer from \(failures.endpoint) within statement_timeout (\(limit)) plus \(Int(Self.readTimeoutGrace))s: connection closed")
            }
            if let refusal = call.refusal { throw failures.error(.query, refusal) }
            throw failures.statement(call.code, call.message)
        }
    }

    public func close() async {
        guard markClosed() else { return }
        await thread.run { [self] in library.mysql_close(handle) }
        thread.stop()
    }

    // MARK: - Blocking calls, on `thread` only

    private func plain(_ sql: String) -> Result<[[SQLValue]], MySQLCallError> {
        let status = sql.withCString { library.mysql_real_query(handle, $0, UInt(strlen($0))) }
        guard status == 0 else { return .failure(connectionError()) }
        if let result = library.mysql_store_result(handle) { library.mysql_free_result(result) }
        return .success([])
    }

    private func connectionError() -> MySQLCallError {
        MySQLCallError(code: library.mysql_errno(handle), message: Self.text(library.mysql_error(handle)))
    }

    private func prepared(_ statement: SQLStatement) -> Result<[[SQLValue]], MySQLCallError> {
        guard let stmt = library.mysql_stmt_init(handle) else { return .failure(connectionError()) }
        defer { _ = library.mysql_stmt_close(stmt) }
        let statementError = { [library] in
            MySQLCallError(code: library.mysql_stmt_errno(stmt), message: Self.text(library.mysql_stmt_error(stmt)))
        }
        let prepared = statement.sql.withCString { library.mysql_stmt_prepare(stmt, $0, UInt(strlen($0))) }
        guard prepared == 0 else { return .failure(statementError()) }
        guard Int(library.mysql_stmt_param_count(stmt)) == statement.arguments.count else {
            return .failure(MySQLCallError(refusal: "the statement has \(library.mysql_stmt_param_count(stmt)) placeholders for \(statement.arguments.count) values"))
        }
        let fieldCount = Int(library.mysql_stmt_field_count(stmt))
        if statement.isUserSQL, fieldCount == 0 {
            return .failure(MySQLCallError(refusal: "sql: must be a query that returns rows (SELECT …); dqmon runs it read-only and never runs SET, CALL or writes"))
        }
        let parameters = MySQLBindings(count: statement.arguments.count)
        defer { parameters.deallocate() }
        for (index, argument) in statement.arguments.enumerated() { parameters.bind(argument, at: index) }
        if !statement.arguments.isEmpty, library.mysql_stmt_bind_param(stmt, parameters.binds) != 0 { return .failure(statementError()) }
        guard library.mysql_stmt_execute(stmt) == 0 else { return .failure(statementError()) }
        guard fieldCount > 0 else { return .success([]) }
        var updateMaxLength: Int8 = 1
        _ = library.mysql_stmt_attr_set(stmt, MySQLABI.stmtAttrUpdateMaxLength, &updateMaxLength)
        guard library.mysql_stmt_store_result(stmt) == 0 else { return .failure(statementError()) }
        guard let metadata = library.mysql_stmt_result_metadata(stmt) else { return .failure(statementError()) }
        defer { library.mysql_free_result(metadata) }
        let results = MySQLBindings(count: fieldCount)
        defer { results.deallocate() }
        var kinds: [MySQLBindings.ResultKind] = []
        for index in 0..<fieldCount {
            guard let field = library.mysql_fetch_field_direct(metadata, UInt32(index)) else { return .failure(statementError()) }
            kinds.append(results.bindResult(field: field, at: index))
        }
        guard library.mysql_stmt_bind_result(stmt, results.binds) == 0 else { return .failure(statementError()) }
        var rows: [[SQLValue]] = []
        while true {
            let status = library.mysql_stmt_fetch(stmt)
            if status == MySQLABI.noData { break }
            guard status == 0 || status == MySQLABI.dataTruncated else { return .failure(statementError()) }
            rows.append((0..<fieldCount).map { index in
                guard results.isTruncated(at: index) else { return results.value(at: index, kind: kinds[index]) }
                let long = MySQLBindings(count: 1)
                defer { long.deallocate() }
                long.prepareText(at: 0, byteCount: results.fetchedLength(at: index))
                guard library.mysql_stmt_fetch_column(stmt, long.binds, UInt32(index), 0) == 0 else { return .null }
                return long.value(at: 0, kind: kinds[index])
            })
        }
        return .success(rows)
    }

    static func text(_ pointer: UnsafePointer<CChar>?) -> String {
        pointer.map { String(cString: $0) } ?? ""
    }
}

/// A connection handle handed from the session's thread to the session, which uses it on that thread only.
struct MySQLHandle: @unchecked Sendable {
    let pointer: OpaquePointer
}

/// A failed client call: the library's error number and message, or dqmon's own refusal.
struct MySQLCallError: Error, Sendable {
    let code: UInt32
    let message: String
    let refusal: String?

    init(code: UInt32, message: String) {
        self.code = code
        self.message = message
        refusal = nil
    }

    init(refusal: String) {
        code = 0
        message = refusal
        self.refusal = refusal
    }
}

private func withOptionalCString<T>(_ text: String?, _ body: (UnsafePointer<CChar>?) -> T) -> T {
    guard let text else { return body(nil) }
    return text.withCString { body($0) }
}
