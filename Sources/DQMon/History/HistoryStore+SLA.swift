import Foundation
import GRDB

/// What `dqmon sla` reads, and the running totals (`dataset_run_totals`, see `DatasetRunTotals`) a run adds to.
///
/// Reads stay small however long the history: availability and pass rate are differences of running totals (a few
/// index lookups per dataset), incidents come from the covering index `incidents_sla`.
extension HistoryTransaction {
    typealias Counts = DatasetRunTotals.Counts

    /// Adds one run's results to the running totals, dataset by dataset (in the run's transaction).
    ///
    /// One row per dataset and run instant: a second run at the same instant merges into the existing row, exactly as
    /// grouping the results by instant would; a run recorded out of order (an earlier `--now`) adds its counts to
    /// every later row.
    ///
    /// The results are counted in place (grouping them copied every `CheckResult`); a dataset's run newer than all
    /// its rows, the usual case, is one index lookup and one insert (`appendRunTotals`).
    func addRunTotals(results: [CheckResult]) throws {
        var groups: [RunInstant: Counts] = [:]
        for index in results.indices {
            groups[RunInstant(dataset: results[index].dataset, at: results[index].evaluatedAt.timeIntervalSince1970),
                   default: Counts(runs: 1, available: 1)].add(results[index].status)
        }
        for (key, own) in groups.sorted(by: { ($0.key.dataset, $0.key.at) < ($1.key.dataset, $1.key.at) })
        where try !appendRunTotals(own, dataset: key.dataset, at: key.at) {
            try addRunTotals(own, dataset: key.dataset, at: key.at)
        }
    }

    /// Adds `own` as the dataset's newest row when it has no row at or after `at` (its cumulative sums are the latest
    /// row's plus `own`, or `own` alone for a dataset's first run, as `runTotals(through:inclusive:)` reads them, and
    /// no later row needs updating). Returns false, having written nothing, when a row at or after `at` exists.
    func appendRunTotals(_ own: Counts, dataset: String, at: Double) throws -> Bool {
        var latest: (at: Double, totals: Counts)?
        try readEach("""
            SELECT evaluated_at, cum_runs, cum_available, cum_passes, cum_evaluated FROM dataset_run_totals
            WHERE dataset = ? ORDER BY evaluated_at DESC LIMIT 1
            """, bind: { $0.bind(dataset) }) { row in
            latest = (row.double(0), Counts(runs: row.int(1), available: row.int(2), passes: row.int(3), evaluated: row.int(4)))
        }
        if let latest, !(latest.at < at) { return false }
        let total = (latest?.totals ?? Counts()) + own
        try executeEach("INSERT INTO dataset_run_totals VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", CollectionOfOne(total)) { row, total in
            row.bind(dataset)
            row.bind(at)
            row.bind(Int64(own.available))
            row.bind(Int64(own.passes))
            row.bind(Int64(own.evaluated))
            row.bind(Int64(total.runs))
            row.bind(Int64(total.available))
            row.bind(Int64(total.passes))
            row.bind(Int64(total.evaluated))
        }
        return true
    }

    struct RunInstant: Hashable {
        var dataset: String
        var at: Double
    }

    func addRunTotals(_ own: Counts, dataset: String, at: Double) throws {
        let delta: Counts
        if let row = try Row.fetchOne(db.cachedStatement(sql: """
            SELECT \(Self.integers("available", "passes", "evaluated")) FROM dataset_run_totals WHERE dataset = ? AND evaluated_at = ?
            """), arguments: [dataset, at]) {
            let old = Counts(runs: 1, available: row.stored(0), passes: row.stored(1), evaluated: row.stored(2))
            let sum = old + own
            let merged = Counts(runs: 1, available: min(old.available, own.available), passes: sum.passes, evaluated: sum.evaluated)
            delta = merged - old
            try db.cachedStatement(sql: """
                UPDATE dataset_run_totals SET available = ?, passes = ?, evaluated = ?,
                    cum_available = cum_available + ?, cum_passes = cum_passes + ?, cum_evaluated = cum_evaluated + ?
                WHERE dataset = ? AND evaluated_at = ?
                """).execute(arguments: [merged.available, merged.passes, merged.evaluated,
                                 delta.available, delta.passes, delta.evaluated, dataset, at])
        } else {
            let total = try runTotals(dataset: dataset, through: at, inclusive: false) + own
            try db.cachedStatement(sql: "INSERT INTO dataset_run_totals VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)").execute(arguments: [
                dataset, at, own.available, own.passes, own.evaluated, total.runs, total.available, total.passes, total.evaluated,
            ])
            delta = own
        }
        // Rows after `at` exist only when runs were recorded out of order.
        try db.cachedStatement(sql: """
            UPDATE dataset_run_totals SET cum_runs = cum_runs + ?, cum_available = cum_available + ?,
                cum_passes = cum_passes + ?, cum_evaluated = cum_evaluated + ?
            WHERE dataset = ? AND evaluated_at > ?
            """).execute(arguments: [delta.runs, delta.available, delta.passes, delta.evaluated, dataset, at])
    }

    /// The counts of every run of `dataset` at or before `time` (strictly before it when not `inclusive`).
    public func runTotals(dataset: String, through time: Double, inclusive: Bool = true) throws -> DatasetRunTotals.Counts {
        if let row = try Row.fetchOne(db.cachedStatement(sql: """
            SELECT \(Self.integers("cum_runs", "cum_available", "cum_passes", "cum_evaluated")) FROM dataset_run_totals
            WHERE dataset = ? AND evaluated_at \(inclusive ? "<=" : "<") ? ORDER BY evaluated_at DESC LIMIT 1
            """), arguments: [dataset, time]) {
            return Counts(runs: row.stored(0), available: row.stored(1), passes: row.stored(2), evaluated: row.stored(3))
        }
        return try runTotalsBaseline(dataset: dataset)
    }

    /// The sums before the oldest stored row: zero, or what pruned rows had counted (the oldest remaining row's
    /// cumulative sums minus its own counts).
    func runTotalsBaseline(dataset: String) throws -> Counts {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: """
            SELECT \(Self.integers("cum_runs - 1", "cum_available - available", "cum_passes - passes", "cum_evaluated - evaluated"))
            FROM dataset_run_totals WHERE dataset = ? ORDER BY evaluated_at LIMIT 1
            """), arguments: [dataset]) else { return Counts() }
        return Counts(runs: row.stored(0), available: row.stored(1), passes: row.stored(2), evaluated: row.stored(3))
    }

    /// The select list reading `expressions` as 64-bit integers whatever a row holds: the history file may have been
    /// edited or damaged, and GRDB stops the process on a value it cannot decode as `Int` (text, a real beyond 2^63).
    /// SQLite's CAST reads text as its leading number (else 0) and clamps reals; `Counts` then saturates. A count is
    /// then kept in 0...2^40 (a trillion runs), so that differences and sums over many datasets, which the SLA and
    /// the report turn into `Double` and back into `Int`, stay far from the 64-bit bounds.
    static func integers(_ expressions: String...) -> String {
        expressions.map { "max(0, min(CAST(\($0) AS INTEGER), \(maximumStoredCount)))" }.joined(separator: ", ")
    }

    static let maximumStoredCount = 1 << 40

    /// The counts of the runs of `dataset` in `(from, to]`.
    public func runTotals(dataset: String, after from: Double, through to: Double) throws -> DatasetRunTotals.Counts {
        try runTotals(dataset: dataset, through: to) - runTotals(dataset: dataset, through: from)
    }
}

extension HistoryTransaction {
    /// Incidents detected in `(start, end]`, by dataset (read from the covering index `incidents_sla`).
    func incidentTimes(detectedAfter start: Double, through end: Double) throws -> [String: [SLABuilder.IncidentTimes]] {
        var byDataset: [String: [SLABuilder.IncidentTimes]] = [:]
        let rows = try Row.fetchCursor(db.cachedStatement(sql: """
            SELECT dataset, detected_at, onset_at, acknowledged_at, resolved_at FROM incidents
            WHERE detected_at > ? AND detected_at <= ?
            """), arguments: [start, end])
        while let row = try rows.next() {
            byDataset[row.stored(0), default: []].append(SLABuilder.IncidentTimes(detected: row.storedSeconds(1), onset: row.storedSeconds(2), acknowledged: row.storedSecondsIfPresent(3),
                                                                          resolved: row.storedSecondsIfPresent(4)))
        }
        return byDataset
    }
}

extension HistoryTransaction {
    /// The last result of `checkID` evaluated at or before `time`, as a point of its freshness timeline.
    func lastFreshnessPoint(checkID: String, checkType: String, atOrBefore time: Double) throws -> FreshnessTimeline.Point? {
        try Row.fetchOne(db.cachedStatement(sql: """
            SELECT evaluated_at, status, data_timestamp FROM results
            WHERE check_id = ? AND check_type = \(Self.literal(checkType)) AND evaluated_at <= ?
            ORDER BY evaluated_at DESC LIMIT 1
            """), arguments: [checkID, time]).map(Self.freshnessPoint)
    }

    /// The results of `checkID` evaluated in `(start, end]`, oldest first, as points of its freshness timeline.
    func freshnessPoints(checkID: String, checkType: String, after start: Double, through end: Double) throws -> [FreshnessTimeline.Point] {
        var points: [FreshnessTimeline.Point] = []
        let rows = try Row.fetchCursor(db.cachedStatement(sql: """
            SELECT evaluated_at, status, data_timestamp FROM results
            WHERE check_id = ? AND check_type = \(Self.literal(checkType)) AND evaluated_at > ? AND evaluated_at <= ?
            ORDER BY evaluated_at
            """), arguments: [checkID, start, end])
        while let row = try rows.next() { points.append(Self.freshnessPoint(row)) }
        return points
    }

    /// The check's type as an SQL string literal rather than a parameter, so that SQLite can use the partial covering
    /// index `results_freshness` (`WHERE check_type = 'freshness'`) for freshness checks, and `results_check_time` for
    /// other types. A type name is a registered name, quoted anyway.
    static func literal(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
    }

    static func freshnessPoint(_ row: Row) -> FreshnessTimeline.Point {
        FreshnessTimeline.Point(at: row.storedSeconds(0), status: CheckStatus(rawValue: row.stored(1)) ?? .error, dataTimestamp: row.storedSecondsIfPresent(2))
    }
}
