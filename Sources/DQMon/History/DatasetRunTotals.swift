import GRDB

/// Running totals, per dataset, of what `dqmon sla` counts for availability and pass rate (SPEC section 5),
/// so that a window's counts are the difference of two index lookups instead of a scan of every result in it.
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

        public static func - (lhs: Counts, rhs: Counts) -> Counts {
            Counts(runs: lhs.runs - rhs.runs, available: lhs.available - rhs.available,
                   passes: lhs.passes - rhs.passes, evaluated: lhs.evaluated - rhs.evaluated)
        }

        static func + (lhs: Counts, rhs: Counts) -> Counts {
            Counts(runs: lhs.runs + rhs.runs, available: lhs.available + rhs.available,
                   passes: lhs.passes + rhs.passes, evaluated: lhs.evaluated + rhs.evaluated)
        }

        /// One run's counts from its results for one dataset.
        init(results: some Sequence<CheckResult>) {
            runs = 1
            available = 1
            for result in results {
                if result.status == .error { available = 0 }
                if result.status == .pass { passes += 1 }
                if [.pass, .warn, .fail].contains(result.status) { evaluated += 1 }
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

    /// Adds one run's results, dataset by dataset.
    static func record(results: [CheckResult], db: Database) throws {
        let groups = Dictionary(grouping: results) { Key(dataset: $0.dataset, at: $0.evaluatedAt.timeIntervalSince1970) }
        for (key, group) in groups.sorted(by: { ($0.key.dataset, $0.key.at) < ($1.key.dataset, $1.key.at) }) {
            try add(Counts(results: group), dataset: key.dataset, at: key.at, db: db)
        }
    }

    struct Key: Hashable {
        var dataset: String
        var at: Double
    }

    static func add(_ own: Counts, dataset: String, at: Double, db: Database) throws {
        let delta: Counts
        if let row = try Row.fetchOne(db.cachedStatement(sql: """
            SELECT available, passes, evaluated FROM dataset_run_totals WHERE dataset = ? AND evaluated_at = ?
            """), arguments: [dataset, at]) {
            let old = Counts(runs: 1, available: row[0], passes: row[1], evaluated: row[2])
            let merged = Counts(runs: 1, available: min(old.available, own.available),
                                passes: old.passes + own.passes, evaluated: old.evaluated + own.evaluated)
            delta = merged - old
            try db.cachedStatement(sql: """
                UPDATE dataset_run_totals SET available = ?, passes = ?, evaluated = ?,
                    cum_available = cum_available + ?, cum_passes = cum_passes + ?, cum_evaluated = cum_evaluated + ?
                WHERE dataset = ? AND evaluated_at = ?
                """).execute(arguments: [merged.available, merged.passes, merged.evaluated,
                                 delta.available, delta.passes, delta.evaluated, dataset, at])
        } else {
            let total = try cumulative(dataset: dataset, through: at, inclusive: false, db: db) + own
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
    public static func cumulative(dataset: String, through time: Double, inclusive: Bool = true, db: Database) throws -> Counts {
        if let row = try Row.fetchOne(db.cachedStatement(sql: """
            SELECT cum_runs, cum_available, cum_passes, cum_evaluated FROM dataset_run_totals
            WHERE dataset = ? AND evaluated_at \(inclusive ? "<=" : "<") ? ORDER BY evaluated_at DESC LIMIT 1
            """), arguments: [dataset, time]) {
            return Counts(runs: row[0], available: row[1], passes: row[2], evaluated: row[3])
        }
        return try baseline(dataset: dataset, db: db)
    }

    /// The sums before the oldest stored row: zero, or what pruned rows had counted.
    static func baseline(dataset: String, db: Database) throws -> Counts {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: """
            SELECT cum_runs - 1, cum_available - available, cum_passes - passes, cum_evaluated - evaluated
            FROM dataset_run_totals WHERE dataset = ? ORDER BY evaluated_at LIMIT 1
            """), arguments: [dataset]) else { return Counts() }
        return Counts(runs: row[0], available: row[1], passes: row[2], evaluated: row[3])
    }

    /// The counts of the runs in `(from, to]`.
    public static func counts(dataset: String, after from: Double, through to: Double, db: Database) throws -> Counts {
        try cumulative(dataset: dataset, through: to, db: db) - cumulative(dataset: dataset, through: from, db: db)
    }
}
