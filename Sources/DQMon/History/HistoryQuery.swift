import Foundation

/// The library side of `dqmon history`: one check's results, or one dataset's schema snapshots with the changes
/// between them, newest first, within `since` and `limit`.
///
/// Names are checked against the configuration first, so a typo gets a suggestion instead of an empty history.
/// Every failure is one `DQMonError` line (exit 3).
public enum HistoryQuery {
    /// At most `limit` results of `checkID` evaluated at or after `since`, newest first.
    public static func results(configuration: Configuration, checkID: String, since: Date?, limit: Int) throws(DQMonError) -> [CheckResult] {
        guard configuration.check(id: checkID) != nil else {
            let ids = configuration.checks.map(\.id)
            throw DQMonError("unknown check id '\(checkID)'\(Suggestion.hint(for: checkID, in: ids)); 'dqmon check --dry-run' lists the checks")
        }
        do {
            return try HistoryStore(path: configuration.project.history.path).results(checkID: checkID, since: since, limit: limit)
        } catch {
            throw DQMonError(error)
        }
    }

    /// The failing-row samples stored with `checkID`'s results evaluated at or after `since`, by evaluation time (epoch seconds).
    public static func samples(configuration: Configuration, checkID: String, since: Date?) throws(DQMonError) -> [Double: FailingRowSamples] {
        do {
            return try HistoryStore(path: configuration.project.history.path).samples(checkID: checkID, from: since)
        } catch {
            throw DQMonError(error)
        }
    }

    /// At most `limit` schema snapshots of `dataset` taken at or after `since`, newest first, each with the
    /// changes from the snapshot before it (the oldest stored one is the baseline, with nil changes).
    public static func schemaChanges(configuration: Configuration, dataset: String, since: Date?,
                                     limit: Int) throws(DQMonError) -> [SchemaHistoryRenderer.Entry] {
        guard configuration.dataset(named: dataset) != nil else {
            let names = configuration.datasets.map(\.name)
            throw DQMonError("unknown dataset '\(dataset)'\(Suggestion.hint(for: dataset, in: names)); with --schema, give a dataset name from checks/")
        }
        let limit = min(max(limit, 0), Int.max - 1)  // `prefix` traps on a negative count, `limit + 1` on Int.max
        let snapshots: [StoredSchemaSnapshot]
        do {
            // One older snapshot than shown (`since` filters after), so the oldest shown still lists its changes.
            snapshots = try HistoryStore(path: configuration.project.history.path).schemaSnapshots(dataset: dataset, limit: limit + 1)
        } catch {
            throw DQMonError(error)
        }
        return SchemaHistoryRenderer.entries(snapshots, limit: limit).filter { entry in
            since.map { (entry.stored.snapshot.takenAt ?? .distantPast) >= $0 } ?? true
        }
    }
}
