import Foundation

/// The library side of `dqmon prune`: deletes runs, results, metric points and resolved incidents older than
/// `history.retention`, holding the run lock so no `dqmon check` writes at the same time.
public enum HistoryPrune {
    /// What one prune removed.
    public struct Summary: Sendable, CustomStringConvertible {
        public let runs: Int
        public let retention: Interval
        public let cutoff: Date

        /// The line `dqmon prune` prints.
        public var description: String {
            "pruned \(runs) run(s) older than \(retention) (before \(Format.timestamp(cutoff)))"
        }
    }

    /// Waits up to `lockTimeout` seconds for the history lock (the same wait `dqmon check --lock-timeout` takes),
    /// then prunes everything older than `now` minus the retention. A lock or history failure is one `DQMonError` line.
    public static func run(configuration: Configuration, now: Date, lockTimeout: TimeInterval) throws(DQMonError) -> Summary {
        let retention = configuration.project.history.retention
        let cutoff = now.addingTimeInterval(-retention.seconds)
        let lock: RunLock
        do { lock = try RunLock.acquire(for: configuration.project.history.path, timeout: lockTimeout) } catch { throw DQMonError(error) }
        defer { withExtendedLifetime(lock) {} }
        do {
            let runs = try HistoryStore(path: configuration.project.history.path).prune(before: cutoff)
            return Summary(runs: runs, retention: retention, cutoff: cutoff)
        } catch {
            throw DQMonError(error)
        }
    }
}
