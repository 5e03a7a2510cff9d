import Foundation
import GRDB

/// Schema snapshots: one row per dataset each time its columns change (`schema_snapshots`).
extension HistoryStore {
    /// The latest stored snapshot of each dataset in `datasets`, in one query.
    public func latestSchemaSnapshots(datasets: [String]) throws(HistoryError) -> [String: SchemaSnapshot] {
        guard !datasets.isEmpty else { return [:] }
        return try read { db in
            var snapshots: [String: SchemaSnapshot] = [:]
            let placeholders = Array(repeating: "?", count: datasets.count).joined(separator: ", ")
            let rows = try Row.fetchAll(db, sql: """
                SELECT s.dataset, s.taken_at, s.columns FROM schema_snapshots AS s
                JOIN (SELECT max(id) AS id FROM schema_snapshots WHERE dataset IN (\(placeholders)) GROUP BY dataset) AS latest
                  ON s.id = latest.id
                """, arguments: StatementArguments(datasets))
            for row in rows {
                snapshots[row.stored(0)] = SchemaSnapshot(columns: SchemaSnapshot.columns(fromJSON: row.stored(2)),
                                                   takenAt: row.stored(1) as Date)
            }
            return snapshots
        }
    }

    /// A dataset's stored snapshots, newest first, at most `limit`, taken at or after `since`.
    public func schemaSnapshots(dataset: String, since: Date? = nil, limit: Int = 50) throws(HistoryError) -> [StoredSchemaSnapshot] {
        try read { db in
            try Row.fetchAll(db, sql: """
                SELECT run_id, warehouse, taken_at, columns_hash, columns FROM schema_snapshots
                WHERE dataset = ? AND taken_at >= ? ORDER BY id DESC LIMIT ?
                """, arguments: [dataset, since?.timeIntervalSince1970 ?? -Double.greatestFiniteMagnitude, limit]).map { row in
                StoredSchemaSnapshot(
                    runID: row.stored(0), dataset: dataset, warehouse: row.stored(1), hash: row.stored(3),
                    snapshot: SchemaSnapshot(columns: SchemaSnapshot.columns(fromJSON: row.stored(4)), takenAt: row.stored(2) as Date))
            }
        }
    }
}

/// A schema check's snapshot, stored when the columns changed: one row per dataset and run, whichever of the dataset's
/// schema checks carried it.
extension SchemaSnapshot: RunArtifact {
    public func record(for result: CheckResult, runID: Int64, in transaction: HistoryTransaction) throws {
        try transaction.db.execute(sql: """
            INSERT INTO schema_snapshots (run_id, dataset, warehouse, taken_at, columns_hash, columns)
            SELECT ?, ?, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM schema_snapshots WHERE run_id = ? AND dataset = ?)
            """, arguments: [runID, result.dataset, result.warehouse, result.evaluatedAt.timeIntervalSince1970,
                             hash, columnsJSON, runID, result.dataset])
    }
}

/// A snapshot as stored in history, with the run and warehouse it came from.
public struct StoredSchemaSnapshot: Sendable {
    public var runID: Int64?
    public var dataset: String
    public var warehouse: String
    public var hash: String
    public var snapshot: SchemaSnapshot
}
