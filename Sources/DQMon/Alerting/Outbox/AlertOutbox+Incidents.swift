import Foundation

extension AlertOutbox {
    /// Enqueues a run's notifications from the incident tracker's changes, in the run's transaction.
    /// Reads which incidents are still open (and acknowledged) from the same transaction.
    @discardableResult
    public func enqueue(changes: [IncidentChange], runID: Int64?, in transaction: HistoryTransaction) throws -> Int {
        try enqueue(changes, openIncidents: try transaction.openIncidentStatuses(), runID: runID, in: transaction)
    }
}
