import Foundation
import GRDB

extension AlertOutbox {
    /// Enqueues a run's notifications from the incident tracker's changes, in the run's transaction.
    /// Reads which incidents are still open (and acknowledged) from the same transaction.
    @discardableResult
    public func enqueue(changes: [IncidentChange], runID: Int64?, in transaction: HistoryTransaction) throws -> Int {
        try enqueue(changes, openIncidents: try transaction.openIncidentStatuses(), runID: runID, in: transaction)
    }

    /// Transitional, for the engine until it records through `HistoryStore.recordRun`: the same, given the GRDB
    /// connection of the run's transaction. Remove with its last caller.
    @discardableResult
    public func enqueue(changes: [IncidentChange], runID: Int64?, db: Database) throws -> Int {
        try enqueue(changes: changes, runID: runID, in: HistoryTransaction(db))
    }
}
