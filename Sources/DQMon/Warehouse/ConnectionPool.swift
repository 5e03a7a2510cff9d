/// A warehouse session a `ConnectionPool` can hand out: it says when the server dropped it, and closes.
protocol PooledSession: Sendable {
    var isClosed: Bool { get }
    func close() async
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
