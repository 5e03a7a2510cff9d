import Foundation
import GRDB

/// Read-only connections to one SQLite file, each lent to one statement at a time, so datasets checked concurrently
/// read concurrently (issue 12): SQLite readers on separate connections of one file run in parallel (each takes a
/// shared lock; pages already cached are read without contention), while one connection serializes every statement.
///
/// Contract:
/// - A connection is checked out for one statement and checked in after it: never two statements on one connection
///   at once, so each keeps GRDB's serialized access, its interrupt on task cancellation and its busy timeout.
/// - Connections are opened on demand, only when every open one is busy: the pool holds as many as the caller runs
///   statements at once (`dqmon check`: the run's parallelism), and a run that reads one dataset opens one. Never
///   more than `limit`; a caller past it waits for a connection to be checked in.
/// - A connection that fails to open costs that statement only (the caller gets the error); the next statement
///   tries again.
/// - `close()` closes idle connections now and busy ones when they are checked in; later check-outs fail.
final class SQLiteReaderPool: @unchecked Sendable {
    /// The most connections a pool opens, whatever the callers' concurrency (`--parallel` and `max_connections` are
    /// at most 100 too).
    static let maximumConnections = ConnectionLimits.maxConnectionsRange.upperBound

    private let open: @Sendable () throws(WarehouseError) -> DatabaseQueue
    private let closedError: WarehouseError
    private let limit: Int
    private let lock = NSLock()
    private var idle: [DatabaseQueue]
    private var openCount: Int
    /// Callers waiting at the limit: resumed with a connection checked in, or nil to look again (a failed open freed
    /// a slot, or the pool closed).
    private var waiters: [CheckedContinuation<DatabaseQueue?, Never>] = []
    private var isClosed = false

    /// A pool holding `first` (opened by the caller, so a file that cannot be opened fails before any check runs);
    /// `open` opens each further connection the same way.
    init(first: DatabaseQueue, limit: Int = maximumConnections, closedError: WarehouseError,
         open: @escaping @Sendable () throws(WarehouseError) -> DatabaseQueue) {
        self.idle = [first]
        self.openCount = 1
        self.limit = max(1, limit)
        self.closedError = closedError
        self.open = open
    }

    /// How many connections are open (idle or lent): for tests and diagnostics.
    var connectionCount: Int { lock.withLock { openCount } }

    /// Runs `body` with a connection to itself.
    func withConnection<T>(_ body: (DatabaseQueue) async throws -> T) async throws -> T {
        let connection = try await checkOut()
        defer { checkIn(connection) }
        return try await body(connection)
    }

    private enum Step {
        case lend(DatabaseQueue)
        case openNew
        case wait
        case closed
    }

    private func checkOut() async throws(WarehouseError) -> DatabaseQueue {
        while true {
            switch lock.withLock({ nextStep() }) {
            case .lend(let connection):
                return connection
            case .closed:
                throw closedError
            case .openNew:
                do {
                    return try open()
                } catch {
                    lock.withLock { openCount -= 1 }
                    wakeOne(with: nil)
                    throw error
                }
            case .wait:
                if let handed = await waitForConnection() { return handed }
            }
        }
    }

    /// Under the lock: an idle connection, else a slot to open one (counted now), else wait.
    private func nextStep() -> Step {
        if isClosed { return .closed }
        if let connection = idle.popLast() { return .lend(connection) }
        guard openCount < limit else { return .wait }
        openCount += 1
        return .openNew
    }

    /// Waits for a checked-in connection; nil when the caller should look again. Registered under the lock, so a
    /// check-in between `nextStep` and here is not missed.
    private func waitForConnection() async -> DatabaseQueue? {
        await withCheckedContinuation { (waiter: CheckedContinuation<DatabaseQueue?, Never>) in
            lock.withLock {
                if let connection = idle.popLast() {
                    waiter.resume(returning: connection)
                } else if isClosed || openCount < limit {
                    waiter.resume(returning: nil)
                } else {
                    waiters.append(waiter)
                }
            }
        }
    }

    private func checkIn(_ connection: DatabaseQueue) {
        let closeNow: Bool = lock.withLock {
            if isClosed {
                openCount -= 1
                return true
            }
            if !waiters.isEmpty {
                waiters.removeFirst().resume(returning: connection)
            } else {
                idle.append(connection)
            }
            return false
        }
        if closeNow { try? connection.close() }
    }

    private func wakeOne(with connection: DatabaseQueue?) {
        let waiter: CheckedContinuation<DatabaseQueue?, Never>? = lock.withLock { waiters.isEmpty ? nil : waiters.removeFirst() }
        waiter?.resume(returning: connection)
    }

    func close() {
        let (connections, woken): ([DatabaseQueue], [CheckedContinuation<DatabaseQueue?, Never>]) = lock.withLock {
            isClosed = true
            let connections = idle
            idle = []
            openCount -= connections.count
            let woken = waiters
            waiters = []
            return (connections, woken)
        }
        for waiter in woken { waiter.resume(returning: nil) }
        for connection in connections { try? connection.close() }
    }
}
