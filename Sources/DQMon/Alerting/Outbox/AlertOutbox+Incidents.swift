import Foundation
import GRDB

extension AlertOutbox {
    /// Enqueues a run's notifications from the incident tracker's changes, in the run's transaction.
    /// Reads which incidents are still open (and acknowledged) from the same transaction.
    @discardableResult
    public func enqueue(changes: [IncidentChange], runID: Int64?, db: Database) throws -> Int {
        try enqueue(changes, openIncidents: try Self.openIncidents(db), runID: runID, db: db)
    }

    /// Every open incident and whether it is acknowledged.
    static func openIncidents(_ db: Database) throws -> [Int64: OpenIncidentStatus] {
        var open: [Int64: OpenIncidentStatus] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT id, acknowledged_at IS NOT NULL FROM incidents WHERE status = 'open'") {
            open[row[0]] = OpenIncidentStatus(acknowledged: row[1])
        }
        return open
    }
}
