import Foundation
import GRDB

/// Failing-row samples (`result_samples`): the rows a business-rule check fetched with `samples: N`, one row per
/// result, deleted with the result (and so with its run, by `dqmon prune`).
extension HistoryMigrations {
    static func createResultSamples(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE result_samples (
                result_id INTEGER PRIMARY KEY REFERENCES results(id) ON DELETE CASCADE,
                columns TEXT NOT NULL,
                rows TEXT NOT NULL
            );
            """)
    }
}

/// Written in the run's transaction, after the results, for the result that carries it.
extension FailingRowSamples: RunArtifact {
    public func record(for result: CheckResult, runID: Int64, in transaction: HistoryTransaction) throws {
        try transaction.db.execute(sql: """
            INSERT OR REPLACE INTO result_samples (result_id, columns, rows)
            SELECT id, ?, ? FROM results WHERE run_id = ? AND check_id = ?
            """, arguments: [FailingRowSamples.json(columns), FailingRowSamples.json(rows), runID, result.checkID])
    }

    static func json<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(value)).flatMap { String(data: $0, encoding: .utf8) } ?? "[]"
    }

    /// nil when the stored text is not what `record` wrote.
    static func decoded(columns: String, rows: String) -> FailingRowSamples? {
        let decoder = JSONDecoder()
        guard let columns = try? decoder.decode([String].self, from: Data(columns.utf8)),
              let rows = try? decoder.decode([[String?]].self, from: Data(rows.utf8)) else { return nil }
        return FailingRowSamples(columns: columns, rows: rows)
    }
}

extension HistoryStore {
    /// The samples stored with `checkID`'s results, by the result's evaluation time (epoch seconds), for results
    /// evaluated in `[from, through]`.
    public func samples(checkID: String, from: Date? = nil, through: Date? = nil) throws(HistoryError) -> [Double: FailingRowSamples] {
        try snapshot { transaction in
            try transaction.samples(checkID: checkID, from: from?.timeIntervalSince1970 ?? -Double.greatestFiniteMagnitude,
                                    through: through?.timeIntervalSince1970 ?? Double.greatestFiniteMagnitude)
        }
    }
}

extension HistoryTransaction {
    func samples(checkID: String, from: Double, through: Double) throws -> [Double: FailingRowSamples] {
        var samples: [Double: FailingRowSamples] = [:]
        let rows = try Row.fetchAll(db, sql: """
            SELECT r.evaluated_at, s.columns, s.rows FROM result_samples AS s JOIN results AS r ON r.id = s.result_id
            WHERE r.check_id = ? AND r.evaluated_at >= ? AND r.evaluated_at <= ?
            """, arguments: [checkID, from, through])
        for row in rows {
            if let sample = FailingRowSamples.decoded(columns: row.stored(1), rows: row.stored(2)) { samples[row.stored(0)] = sample }
        }
        return samples
    }
}

extension HistoryTransaction {
    /// The samples stored with the check's newest result, when that result warned or failed (a repeat in a run that
    /// did not evaluate the check shows the rows of the result that is still failing).
    func newestFailingSamples(checkID: String) throws -> FailingRowSamples? {
        guard let row = try Row.fetchOne(db, sql: """
            SELECT r.status, s.columns, s.rows FROM results AS r LEFT JOIN result_samples AS s ON s.result_id = r.id
            WHERE r.check_id = ? ORDER BY r.evaluated_at DESC, r.id DESC LIMIT 1
            """, arguments: [checkID]) else { return nil }
        let status: String = row.stored(0)
        guard status == "warn" || status == "fail", let columns: String = row.stored(1), let rows: String = row.stored(2) else { return nil }
        return FailingRowSamples.decoded(columns: columns, rows: rows)
    }
}
