import GRDB

/// Running totals, per dataset, of what `dqmon sla` counts for availability (runs without an `error` result) and
/// pass rate (`pass` / `pass` + `warn` + `fail`), so that a window's counts are the difference of two index lookups
/// instead of a scan of every result in it. Read and written by `HistoryTransaction` (History/HistoryStore+SLA.swift).
///
/// One row per dataset and run instant (`evaluated_at`): that run's own counts — `available` (1 when none of
/// the dataset's results is `error`), `passes`, and `evaluated` (pass + warn + fail) — and the cumulative sums
/// through it (`cum_runs`, `cum_available`, `cum_passes`, `cum_evaluated`). Rows are written in the run's
/// transaction. A run recorded out of order (an earlier `--now`) adds its counts to every later row; a second
/// run at the same instant merges into the existing row, exactly as grouping the results by instant would.
/// After `prune` the oldest remaining row's cumulative sums minus its own counts are the baseline.
public enum DatasetRunTotals {
    /// Counts of runs, runs without an error, pass results and evaluated results.
    public struct Counts: Sendable, Equatable {
        public var runs = 0, available = 0, passes = 0, evaluated = 0

        public init(runs: Int = 0, available: Int = 0, passes: Int = 0, evaluated: Int = 0) {
            self.runs = runs
            self.available = available
            self.passes = passes
            self.evaluated = evaluated
        }

        /// Saturating, as `+`: the sums are read back from the history file, where a hand-edited or damaged row could
        /// hold any 64-bit value, and overflow must not trap.
        public static func - (lhs: Counts, rhs: Counts) -> Counts {
            Counts(runs: saturating(lhs.runs.subtractingReportingOverflow(rhs.runs)),
                   available: saturating(lhs.available.subtractingReportingOverflow(rhs.available)),
                   passes: saturating(lhs.passes.subtractingReportingOverflow(rhs.passes)),
                   evaluated: saturating(lhs.evaluated.subtractingReportingOverflow(rhs.evaluated)))
        }

        static func + (lhs: Counts, rhs: Counts) -> Counts {
            Counts(runs: saturating(lhs.runs.addingReportingOverflow(rhs.runs)),
                   available: saturating(lhs.available.addingReportingOverflow(rhs.available)),
                   passes: saturating(lhs.passes.addingReportingOverflow(rhs.passes)),
                   evaluated: saturating(lhs.evaluated.addingReportingOverflow(rhs.evaluated)))
        }

        /// The result, or the bound it overflowed past (the wrapped value's sign is the opposite of the true one's).
        static func saturating(_ result: (partialValue: Int, overflow: Bool)) -> Int {
            guard result.overflow else { return result.partialValue }
            return result.partialValue < 0 ? Int.max : Int.min
        }

        /// One run's counts from its results for one dataset.
        init(results: some Sequence<CheckResult>) {
            runs = 1
            available = 1
            for result in results { add(result.status) }
        }

        /// Counts one more result of the same run (`runs` stays as it is).
        mutating func add(_ status: CheckStatus) {
            switch status {
            case .error: available = 0
            case .pass: passes += 1; evaluated += 1
            case .warn, .fail: evaluated += 1
            case .skipped: break
            }
        }
    }

    /// Part of migration `v3-sla-rollups`: the table, filled from the results already stored.
    static func migrate(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE dataset_run_totals (
                dataset TEXT NOT NULL,
                evaluated_at REAL NOT NULL,
                available INTEGER NOT NULL,
                passes INTEGER NOT NULL,
                evaluated INTEGER NOT NULL,
                cum_runs INTEGER NOT NULL,
                cum_available INTEGER NOT NULL,
                cum_passes INTEGER NOT NULL,
                cum_evaluated INTEGER NOT NULL,
                PRIMARY KEY (dataset, evaluated_at)
            ) WITHOUT ROWID;
            \(backfillSQL)
            """)
    }

    /// Rebuilds every row from `results` (the migration, and `scripts/bench-history` after it generates results).
    public static let backfillSQL = """
        INSERT INTO dataset_run_totals
        SELECT dataset, evaluated_at, available, passes, evaluated,
               count(*) OVER running, sum(available) OVER running, sum(passes) OVER running, sum(evaluated) OVER running
        FROM (SELECT dataset, evaluated_at, 1 - max(status = 'error') AS available, sum(status = 'pass') AS passes,
                     sum(status IN ('pass', 'warn', 'fail')) AS evaluated
              FROM results GROUP BY dataset, evaluated_at)
        WINDOW running AS (PARTITION BY dataset ORDER BY evaluated_at ROWS UNBOUNDED PRECEDING);
        """
}
