import Foundation
import GRDB

/// What anomaly training leaves out (README, anomaly method item 2): the time other checks of the same dataset were
/// in an incident (an outage, a stale load, a broken column), read here because every history statement lives in
/// History/ (see `HistoryTransaction`).
extension HistoryStore {
    /// Per dataset, the intervals of incidents on it that were open at some time in [since, until]: open ones
    /// (up to `until`) and resolved ones that overlap the window. An interval runs from just after the incident's
    /// onset to just before its resolution, both of which are passing measurements (the last pass, the first one
    /// after). Incidents of `anomaly` checks are left out: their flagged points already stay out of training, and
    /// the points they did not flag while the incident was open are the new level the detector is learning
    /// (leaving those out too would keep a level shift's incident open forever). Oldest onset first, in ONE query.
    public func trainingExclusions(datasets: [String], since: Date, until: Date) throws(HistoryError) -> [String: [ExcludedInterval]] {
        guard !datasets.isEmpty else { return [:] }
        let marks = datasets.map { _ in "?" }.joined(separator: ", ")
        var arguments: [(any DatabaseValueConvertible)?] = datasets.map { $0 }
        arguments += [until.timeIntervalSince1970, since.timeIntervalSince1970]
        return try read { db in
            var intervals: [String: [ExcludedInterval]] = [:]
            let rows = try Row.fetchCursor(db, sql: """
                SELECT dataset, check_id, onset_at, resolved_at FROM incidents
                WHERE dataset IN (\(marks)) AND check_type <> 'anomaly'
                  AND onset_at <= ? AND (resolved_at IS NULL OR resolved_at >= ?)
                ORDER BY onset_at, id
                """, arguments: StatementArguments(arguments))
            while let row = try rows.next() {
                let onset = row.storedSeconds(2)
                let resolved = row.storedSecondsIfPresent(3)
                guard onset.isFinite else { continue }
                let end = resolved.map { $0.isFinite ? $0.nextDown : until.timeIntervalSince1970 } ?? until.timeIntervalSince1970
                guard end > onset else { continue }
                intervals[row.stored(0), default: []].append(
                    ExcludedInterval(start: onset.nextUp, end: end, reason: "incident of \(row.stored(1) as String)"))
            }
            return intervals
        }
    }
}
