import Foundation
import GRDB

/// The history layer's one rule: every SQL statement on the history lives in History/, and in one of two kinds of method.
///
/// - A whole operation (one read snapshot or one write transaction of its own, e.g. `dqmon incidents ack`, marking
///   a notification sent) is a method of `HistoryStore`, in the file of its table family: `HistoryStore+Runs.swift`
///   (runs, results, check state, metric points), `+MetricSeries.swift`, `+Schema.swift`, `+Incidents.swift`,
///   `+Outbox.swift` (notifications, alert state), `+Silences.swift`, `+SLA.swift` (running totals, SLA reads).
/// - A statement that runs inside a transaction someone else opened (the engine's run transaction, or a whole
///   operation that combines several statements) is a method of `HistoryTransaction`, in the same file.
/// - Tables and indexes are created by the migrations (`HistoryMigrations*.swift`).
///
/// Domain logic (the incident state machine, alert routing, SLA arithmetic) stays in its own folder and calls
/// these methods; it never writes SQL. `HistoryStore.read` / `write` hand out the raw GRDB connection for tests
/// and tools that set up or inspect a history by hand.
///
/// A `HistoryTransaction` is only valid inside the closure that received it. Given by `HistoryStore.recordRun`,
/// `transaction` (write) or `snapshot` (read-only: a write through it fails).
public struct HistoryTransaction {
    let db: Database

    /// Wraps a GRDB connection that is already inside a transaction (for tests that set up history by hand).
    public init(_ db: Database) {
        self.db = db
    }
}

extension HistoryStore {
    /// The engine's run transaction: `body` writes the run (`HistoryTransaction.insert(run:results:metrics:)`), then
    /// incident changes and notifications, and all of it commits together or not at all (a killed `dqmon check`
    /// leaves a complete run or none, and never an incident change without its notification).
    ///
    /// The crash tests may hold the commit open here (see `FaultInjection`).
    public func recordRun<T>(_ body: (HistoryTransaction) throws -> T) throws(HistoryError) -> T {
        try transaction { transaction in
            let value = try body(transaction)
            FaultInjection.holdCommitIfAsked()
            return value
        }
    }

    /// Runs `body` in one write transaction (checking the file before the store's first write); an error thrown by
    /// `body` rolls it back and reaches the caller as a `HistoryError`.
    public func transaction<T>(_ body: (HistoryTransaction) throws -> T) throws(HistoryError) -> T {
        try write { db in try body(HistoryTransaction(db)) }
    }

    /// Runs `body` on one read-only snapshot of the history.
    public func snapshot<T>(_ body: (HistoryTransaction) throws -> T) throws(HistoryError) -> T {
        try read { db in try body(HistoryTransaction(db)) }
    }
}
