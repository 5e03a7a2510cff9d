/// A warehouse session a `ConnectionPool` can hand out: it says when the server dropped it, and closes.
protocol PooledSession: Sendable {
    var isClosed: Bool { get }
    func close() async
}

/// A session a pooled warehouse opens from its settings and turns read-only before any statement of a check runs.
/// The one shape `ConnectionPool.connectReadOnly` needs, so each warehouse type writes only its own session.
protocol ReadOnlySession: PooledSession {
    associatedtype Settings: Sendable
    /// Connects; throws `.unavailable` with a message naming the warehouse and the cause.
    static func open(settings: Settings, warehouse: String, id: Int) async throws(WarehouseError) -> Self
    /// Makes every later transaction of the session read-only.
    func makeReadOnly() async throws(WarehouseError)
    /// Runs one statement and returns its rows.
    func rows(_ statement: SQLStatement) async throws(WarehouseError) -> [[SQLValue]]
}

/// Up to `maxConnections` sessions of one warehouse, opened on demand and reused, for every warehouse type that
/// keeps connections (PostgreSQL, MySQL). A session the server dropped is discarded and the next caller opens a
/// fresh one, so one killed connection costs one check, not the rest of the run.
actor ConnectionPool<Session: PooledSession> {
    let maxConnections: Int
    let open: @Sendable (Int) async throws(WarehouseError) -> Session
    let closedError: WarehouseError
    private var idle: [Session] = []
    private var openCount = 0
    private var nextID = 1
    private var waiters: [CheckedContinuation<Void, Never>] = []
    private var isClosed = false

    init(maxConnections: Int, closedError: WarehouseError, open: @escaping @Sendable (Int) async throws(WarehouseError) -> Session) {
        self.maxConnections = max(1, maxConnections)
        self.closedError = closedError
        self.open = open
    }

    /// Adds an already open session (the one `connect` opened to check the warehouse is reachable).
    func adopt(_ session: Session) {
        openCount += 1
        idle.append(session)
    }

    /// Runs `body` with a session to itself, waiting while all `maxConnections` are busy.
    func withSession<T: Sendable>(_ body: @Sendable (Session) async throws(WarehouseError) -> T) async throws(WarehouseError) -> T {
        let session = try await acquire()
        do {
            let result = try await body(session)
            release(session)
            return result
        } catch {
            // A connection-level failure (e.g. the backend was terminated) may reach us before the socket
            // is seen closed: never hand that session out again.
            release(session, discard: error.kind == .unavailable)
            throw error
        }
    }

    func acquire() async throws(WarehouseError) -> Session {
        while true {
            if isClosed { throw closedError }
            while let session = idle.popLast() {
                if !session.isClosed { return session }
                openCount -= 1
            }
            if openCount < maxConnections {
                openCount += 1
                let id = nextID
                nextID += 1
                do {
                    return try await open(id)
                } catch {
                    openCount -= 1
                    wakeOne()
                    throw error
                }
            }
            await withCheckedContinuation { waiters.append($0) }
        }
    }

    func release(_ session: Session, discard: Bool = false) {
        if discard || session.isClosed || isClosed {
            openCount -= 1
            if !session.isClosed { Task { await session.close() } }
        } else {
            idle.append(session)
        }
        wakeOne()
    }

    private func wakeOne() {
        if !waiters.isEmpty { waiters.removeFirst().resume() }
    }

    /// Closes idle sessions now and busy ones when they are released; waiting callers get `closedError`.
    func close() async {
        isClosed = true
        let sessions = idle
        idle = []
        openCount -= sessions.count
        for waiter in waiters { waiter.resume() }
        waiters = []
        for session in sessions { await session.close() }
    }
}

extension ConnectionPool where Session: ReadOnlySession {
    /// A pool of read-only sessions with one opened right away, so an unreachable server, a wrong password or a
    /// TLS mismatch is one warehouse-level error before any check runs. `location` is the redacted server address
    /// the "already closed" error names (never the password).
    static func connectReadOnly(warehouse: String, settings: Session.Settings, maxConnections: Int,
                                location: String) async throws(WarehouseError) -> ConnectionPool<Session> {
        let closed = WarehouseError(warehouse: warehouse, kind: .unavailable, message: "connections to \(location) were already closed")
        let pool = ConnectionPool(maxConnections: maxConnections, closedError: closed) { (id: Int) async throws(WarehouseError) -> Session in
            try await openReadOnly(settings: settings, warehouse: warehouse, id: id)
        }
        let first = try await openReadOnly(settings: settings, warehouse: warehouse, id: 0)
        await pool.adopt(first)
        return pool
    }

    /// A session whose transactions are all read-only; closed again when it cannot be made so.
    static func openReadOnly(settings: Session.Settings, warehouse: String, id: Int) async throws(WarehouseError) -> Session {
        let session = try await Session.open(settings: settings, warehouse: warehouse, id: id)
        do {
            try await session.makeReadOnly()
        } catch {
            await session.close()
            throw error
        }
        return session
    }

    /// The rows of `statement`, on a session of the pool.
    func rows(_ statement: SQLStatement) async throws(WarehouseError) -> [[SQLValue]] {
        try await withSession { (session: Session) async throws(WarehouseError) -> [[SQLValue]] in
            try await session.rows(statement)
        }
    }

    /// The first row of `statement`; a statement that returns none is a query error of `warehouse`.
    func firstRow(_ statement: SQLStatement, warehouse: String) async throws(WarehouseError) -> [SQLValue] {
        guard let first = try await rows(statement).first else {
            throw WarehouseError(warehouse: warehouse, kind: .query, message: "query returned no row")
        }
        return first
    }
}
