import Foundation

/// Renders a dataset's schema snapshots and the changes between them, for `dqmon history DATASET --schema`.
public enum SchemaHistoryRenderer {
    /// One snapshot with the changes since the one before it (nil changes: the oldest stored, the baseline).
    public struct Entry: Sendable {
        public var stored: StoredSchemaSnapshot
        public var changes: [SchemaChange]?
    }

    /// Pairs each snapshot (newest first) with its changes from the next older one. `snapshots` may hold
    /// one more, older, snapshot than is shown, so that the oldest shown still has its changes.
    public static func entries(_ snapshots: [StoredSchemaSnapshot], limit: Int) -> [Entry] {
        snapshots.prefix(limit).enumerated().map { index, stored in
            let older = index + 1 < snapshots.count ? snapshots[index + 1] : nil
            return Entry(stored: stored, changes: older.map { SchemaDiff.changes(from: $0.snapshot, to: stored.snapshot) })
        }
    }

    public static func table(dataset: String, entries: [Entry]) -> String {
        guard let newest = entries.first else {
            return "no schema snapshots recorded for '\(dataset)' yet (add a schema check and run 'dqmon check')"
        }
        var history = TextTable(headers: ["TAKEN AT", "COLUMNS", "CHANGES"])
        for entry in entries {
            let changes = entry.changes.map { $0.isEmpty ? "no column changes" : $0.map(\.message).joined(separator: "; ") } ?? "baseline (first snapshot)"
            history.append([entry.stored.snapshot.takenAt.map(Format.timestamp) ?? "", String(entry.stored.snapshot.columns.count), changes])
        }
        var columns = TextTable(headers: ["POS", "COLUMN", "TYPE", "DECLARED", "NULLABLE"])
        for column in newest.stored.snapshot.columns {
            columns.append([String(column.position), column.name, column.type, column.declaredType, column.nullable ? "yes" : "no"])
        }
        let count = entries.count
        return "\(dataset): \(count) schema snapshot\(count == 1 ? "" : "s") (stored when the columns change), newest first\n\n"
            + history.render() + "\n\ncolumns as of \(newest.stored.snapshot.takenAt.map(Format.timestamp) ?? "now"):\n\n" + columns.render()
    }

    public static func json(dataset: String, entries: [Entry]) -> String {
        struct Change: Encodable {
            let kind: String
            let column: String
            let message: String
        }
        struct Snapshot: Encodable {
            let taken_at: String?
            let run_id: Int64?
            let warehouse: String
            let columns_hash: String
            let baseline: Bool
            let changes: [Change]
            let columns: [SchemaColumn]
        }
        struct Document: Encodable {
            let version = "1"
            let dataset: String
            let snapshots: [Snapshot]
        }
        let snapshots = entries.map { entry in
            Snapshot(taken_at: entry.stored.snapshot.takenAt.map(Format.timestamp), run_id: entry.stored.runID,
                     warehouse: entry.stored.warehouse, columns_hash: entry.stored.hash, baseline: entry.changes == nil,
                     changes: (entry.changes ?? []).map { Change(kind: $0.kind.rawValue, column: $0.column, message: $0.message) },
                     columns: entry.stored.snapshot.columns)
        }
        return RunReportRenderer.encode(Document(dataset: dataset, snapshots: snapshots))
    }
}
