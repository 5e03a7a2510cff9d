import Foundation

/// A thread of its own for one MySQL connection: Connector/C's calls block (network round trips, server-side
/// waits), so they run here, never on Swift's cooperative pool, whose few threads the rest of the run needs.
/// Jobs run one at a time in submission order; the connection is used from this thread only.
final class MySQLThread: @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [() -> Void] = []
    private var isStopping = false

    init(name: String, library: MySQLClientLibrary) {
        let thread = Thread { [self] in
            _ = library.mysql_thread_init()
            while let job = next() { job() }
            library.mysql_thread_end()
        }
        thread.name = name
        thread.start()
    }

    /// Runs `body` on this thread and returns its result without blocking the caller's thread.
    func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { (continuation: CheckedContinuation<T, Never>) in
            condition.lock()
            jobs.append { continuation.resume(returning: body()) }
            condition.signal()
            condition.unlock()
        }
    }

    /// Ends the thread once the jobs already submitted have run.
    func stop() {
        condition.lock()
        isStopping = true
        condition.signal()
        condition.unlock()
    }

    private func next() -> (() -> Void)? {
        condition.lock()
        defer { condition.unlock() }
        while jobs.isEmpty && !isStopping { condition.wait() }
        return jobs.isEmpty ? nil : jobs.removeFirst()
    }
}
