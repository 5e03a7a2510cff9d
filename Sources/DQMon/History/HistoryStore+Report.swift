import Foundation
import GRDB

/// One result reduced to the numbers the HTML report draws (no text columns, so a long window reads fast).
public struct ResultSample: Sendable {
    public var checkID: String
    public var runID: Int64
    /// Evaluation time, epoch seconds.
    public var at: Double
    public var status: CheckStatus
    public var observed: Double?
    public var expectedRange: ExpectedRange?
    public var queryMilliseconds: Double?
    public var dataTimestamp: Double?
}

/// The reads behind `dqmon report`: every dataset's results of the window in one snapshot, one index range each.
extension HistoryStore {
    /// Calls `body` once per dataset with the results of its checks (`checkIDs`) evaluated in `(start, end]`, oldest
    /// first per check, all read in one snapshot (one range scan of `results_check_time` per check). Datasets are
    /// handed over one at a time so the caller can reduce each before the next is read: memory stays one dataset's
    /// results, not the window's.
    public func forEachDatasetResults(_ datasets: [(name: String, checkIDs: [String])], after start: Double, through end: Double,
                                      _ body: (String, [String: [ResultSample]]) throws -> Void) throws(HistoryError) {
        try snapshot { transaction in
            for dataset in datasets {
                var byCheck: [String: [ResultSample]] = [:]
                for checkID in dataset.checkIDs {
                    byCheck[checkID] = try transaction.resultSamples(checkID: checkID, after: start, through: end)
                }
                try body(dataset.name, byCheck)
            }
        }
    }

    /// The newest `limit` results (with their texts) of each check in `checkIDs` evaluated at or before `end`.
    public func recentResults(_ checkIDs: [String], through end: Double, limit: Int) throws(HistoryError) -> [String: [CheckResult]] {
        try snapshot { transaction in
            var recent: [String: [CheckResult]] = [:]
            for checkID in checkIDs {
                recent[checkID] = try transaction.results(checkID: checkID, from: -Double.greatestFiniteMagnitude, through: end, limit: limit)
            }
            return recent
        }
    }
}

extension HistoryTransaction {
    /// `checkID`'s results evaluated in `(start, end]`, oldest first.
    func resultSamples(checkID: String, after start: Double, through end: Double) throws -> [ResultSample] {
        let rows = try Row.fetchCursor(db.cachedStatement(sql: """
            SELECT run_id, evaluated_at, status, observed, expected_low, expected_high, query_ms, data_timestamp
            FROM results WHERE check_id = ? AND evaluated_at > ? AND evaluated_at <= ? ORDER BY evaluated_at, id
            """), arguments: [checkID, start, end])
        var samples: [ResultSample] = []
        while let row = try rows.next() {
            let low: Double? = row[4], high: Double? = row[5]
            samples.append(ResultSample(
                checkID: checkID, runID: row[0], at: row[1], status: CheckStatus(rawValue: row[2]) ?? .error, observed: row[3],
                expectedRange: low.flatMap { low in high.flatMap { ExpectedRange(lower: low, upper: $0) } },
                queryMilliseconds: row[6], dataTimestamp: row[7]))
        }
        return samples
    }
}
