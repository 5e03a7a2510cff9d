import Foundation
import GRDB

/// The SQLite history: runs, results, per-check state, metric points and schema snapshots, incidents with their
/// timelines, the alert outbox with alert state and silences, and the running totals behind `dqmon sla`.
///
/// Every statement on it lives in History/ (see `HistoryTransaction` for the rule): a whole operation is a method of
/// this class, a statement that joins someone else's transaction is a method of `HistoryTransaction`.
///
/// Opened in WAL mode; migrations apply automatically. A run is written in one transaction, so a killed
/// `dqmon check` leaves either a complete run record or none.
///
/// A damaged file is refused (see `HistoryIntegrity`): its header at open, `PRAGMA quick_check` before the
/// first write, and any "corrupt" error on the way, each as one line naming the file and the way back. A history
/// written by a newer dqmon (an unknown migration) is refused at open.
/// - warning: Two processes may read concurrently, but only the holder of the `RunLock` should record runs.
public final class HistoryStore: Sendable {
    public let path: URL
    let pool: DatabasePool
    let integrity = IntegrityGate()

    /// Opens (creating the file and its folder if needed) and migrates the history at `path`.
    public init(path: URL) throws(HistoryError) {
        self.path = path
        let display = ConfigLoader.displayPath(path)
        do {
            try FileManager.default.createDirectory(at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
        } catch {
            throw HistoryError(path: display, message: "cannot create its folder: \(error.localizedDescription) (is the folder writable?)")
        }
        try HistoryIntegrity.verifyHeader(at: path)
        // Before the pool opens: opening a pool writes (GRDB creates and drops a table so that a WAL file exists).
        try HistoryIntegrity.refuseNewerMigrations(at: path, known: HistoryMigrations.migrator.migrations)
        do {
            var configuration = GRDB.Configuration()
            configuration.busyMode = .timeout(30)
            configuration.label = "history"
            configuration.prepareDatabase { db in
                try db.execute(sql: "PRAGMA synchronous = NORMAL")
            }
            pool = try DatabasePool(path: path.path, configuration: configuration)
        } catch {
            throw Self.openError(error, path: path)
        }
        try migrate()
    }

    /// Before applying a pending migration, checks the file (a migration writes).
    private func migrate() throws(HistoryError) {
        let migrator = HistoryMigrations.migrator
        do {
            let pending = try pool.read { db in try !migrator.hasCompletedMigrations(db) }
            if pending {
                try verifyBeforeFirstWrite()
                try migrator.migrate(pool)
            }
        } catch let error as HistoryError {
            throw error
        } catch {
            throw Self.openError(error, path: path)
        }
    }

    static func openError(_ error: any Error, path: URL) -> HistoryError {
        if HistoryIntegrity.isCorruption(error) { return HistoryIntegrity.corrupt(path, detail: describe(error)) }
        var hint = ""
        if let error = error as? DatabaseError, [.SQLITE_CANTOPEN, .SQLITE_READONLY, .SQLITE_PERM].contains(error.resultCode) {
            hint = " (is the folder writable?)"
        }
        return HistoryError(path: ConfigLoader.displayPath(path), message: "cannot open or migrate: \(describe(error))\(hint)")
    }

    /// `PRAGMA quick_check` once per store, before anything is written: a damaged file is never written to.
    func verifyBeforeFirstWrite() throws(HistoryError) {
        try integrity.verifyOnce { () throws(HistoryError) in
            let problem: String?
            do { problem = try pool.read(HistoryIntegrity.quickCheck) } catch { throw mapped(error, doing: "check") }
            if let problem { throw HistoryIntegrity.corrupt(path, detail: problem) }
        }
    }

    /// A SQLite error as a `HistoryError`: the corruption line for a damaged file, else "<what> failed: …".
    func mapped(_ error: any Error, doing what: String) -> HistoryError {
        if let error = error as? HistoryError { return error }
        if HistoryIntegrity.isCorruption(error) { return HistoryIntegrity.corrupt(path, detail: Self.describe(error)) }
        return HistoryError(path: ConfigLoader.displayPath(path), message: "\(what) failed: \(Self.describe(error))")
    }

    /// Writes a run, its results and its metric points in one transaction, and returns the run id.
    @discardableResult
    public func record(run: RunRecord, results: [CheckResult], metrics: [MetricPoint]) throws(HistoryError) -> Int64 {
        try recordRun { transaction in try transaction.insert(run: run, results: results, metrics: metrics) }
    }

    /// Transitional, until the engine records through `recordRun` (History/HistoryTransaction.swift): like
    /// `record(run:results:metrics:)`, and also runs `body` (given the new run id) in the same transaction, after the
    /// results are written, so incident changes and alert notifications commit with the run or not at all.
    public func record<T>(run: RunRecord, results: [CheckResult], metrics: [MetricPoint],
                          inTransaction body: (Database, Int64) throws -> T) throws(HistoryError) -> (runID: Int64, value: T) {
        try recordRun { transaction in
            let runID = try transaction.insert(run: run, results: results, metrics: metrics)
            return (runID, try body(transaction.db, runID))
        }
    }

    /// Scheduling and baseline state of each check that has ever been evaluated.
    public func checkStates() throws(HistoryError) -> [String: CheckState] {
        try read(Self.fetchCheckStates)
    }

    static func fetchCheckStates(_ db: Database) throws -> [String: CheckState] {
        var states: [String: CheckState] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT check_id, last_evaluated_at, last_status, last_success_observed FROM check_state") {
            states[row[0]] = CheckState(
                lastEvaluatedAt: Date(timeIntervalSince1970: row[1]),
                lastStatus: CheckStatus(rawValue: row[2]) ?? .error,
                lastSuccessObserved: row[3])
        }
        return states
    }

    /// Check states read without creating, migrating or writing the history (for `--dry-run`).
    public static func checkStatesReadOnly(path: URL) throws(HistoryError) -> [String: CheckState] {
        guard FileManager.default.fileExists(atPath: path.path) else { return [:] }
        do {
            var configuration = GRDB.Configuration()
            configuration.readonly = true
            let queue = try DatabaseQueue(path: path.path, configuration: configuration)
            return try queue.read { db in
                guard try db.tableExists("check_state") else { return [:] }
                return try fetchCheckStates(db)
            }
        } catch {
            if HistoryIntegrity.isCorruption(error) { throw HistoryIntegrity.corrupt(path, detail: describe(error)) }
            throw HistoryError(path: ConfigLoader.displayPath(path), message: "cannot read: \(describe(error))")
        }
    }

    /// One check's results, newest first.
    public func results(checkID: String, since: Date? = nil, limit: Int = 100) throws(HistoryError) -> [CheckResult] {
        try read { db in
            try Row.fetchAll(db, sql: """
                SELECT check_id, dataset, warehouse, check_type, status, observed, observed_text, expected, message,
                       query_ms, data_timestamp, evaluated_at, expected_low, expected_high
                FROM results WHERE check_id = ? AND evaluated_at >= ? ORDER BY evaluated_at DESC, id DESC LIMIT ?
                """, arguments: [checkID, since?.timeIntervalSince1970 ?? -Double.greatestFiniteMagnitude, limit]).map(Self.result)
        }
    }

    /// Number of runs stored, and the ids of runs whose results do not add up (expected none).
    public func runCount() throws(HistoryError) -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM runs") ?? 0 }
    }

    /// Deletes runs (with their results and points), metric points, SLA running totals, and incidents resolved
    /// before `cutoff` (see `HistoryTransaction.pruneIncidents`). Returns runs deleted.
    @discardableResult
    public func prune(before cutoff: Date) throws(HistoryError) -> Int {
        let cutoff = cutoff.timeIntervalSince1970
        return try write { db in
            try db.execute(sql: "DELETE FROM metric_points WHERE measured_at < ?", arguments: [cutoff])
            try db.execute(sql: "DELETE FROM dataset_run_totals WHERE evaluated_at < ?", arguments: [cutoff])
            try HistoryTransaction(db).pruneIncidents(resolvedBefore: cutoff)
            try db.execute(sql: "DELETE FROM runs WHERE evaluated_at < ?", arguments: [cutoff])
            return db.changesCount
        }
    }

    /// Runs `body` in a write transaction, mapping errors to `HistoryError`. The first write of a store checks
    /// the file first (`verifyBeforeFirstWrite`).
    public func write<T>(_ body: (Database) throws -> T) throws(HistoryError) -> T {
        try verifyBeforeFirstWrite()
        do { return try pool.write(body) } catch { throw mapped(error, doing: "write") }
    }

    /// Runs `body` on a read-only snapshot, mapping errors to `HistoryError`.
    public func read<T>(_ body: (Database) throws -> T) throws(HistoryError) -> T {
        do { return try pool.read(body) } catch { throw mapped(error, doing: "read") }
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? DatabaseError { return error.message ?? "\(error.resultCode)" }
        return "\(error.localizedDescription)"
    }
}

extension HistoryStore {
    static func insert(run: RunRecord, results: [CheckResult], db: Database) throws -> Int64 {
        let count = { (status: CheckStatus) in results.filter { $0.status == status }.count }
        try db.execute(sql: """
            INSERT INTO runs (started_at, finished_at, evaluated_at, dqmon_version, config_hash, host, selection,
                              check_count, pass_count, warn_count, fail_count, error_count, exit_code)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [
                run.startedAt.timeIntervalSince1970, run.finishedAt.timeIntervalSince1970, run.evaluatedAt.timeIntervalSince1970,
                run.dqmonVersion, run.configHash, run.host, run.selection, results.count,
                count(.pass), count(.warn), count(.fail), count(.error), Int(run.exitCode),
            ])
        return db.lastInsertedRowID
    }

    static func insert(results: [CheckResult], runID: Int64, db: Database) throws {
        let statement = try db.cachedStatement(sql: """
            INSERT INTO results (run_id, check_id, dataset, warehouse, check_type, status, observed, observed_text,
                                 expected, message, query_ms, data_timestamp, evaluated_at, expected_low, expected_high)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for result in results {
            try statement.execute(arguments: [
                runID, result.checkID, result.dataset, result.warehouse, result.checkType, result.status.rawValue,
                result.observed, result.observedText, result.expected, result.message, result.queryMilliseconds,
                result.dataTimestamp, result.evaluatedAt.timeIntervalSince1970,
                result.expectedRange?.lower, result.expectedRange?.upper,
            ])
        }
    }

    static func insert(metrics: [MetricPoint], runID: Int64?, db: Database, source: String = "check") throws {
        let statement = try db.cachedStatement(sql: """
            INSERT INTO metric_points (run_id, dataset, metric, value, measured_at, source, flagged) VALUES (?, ?, ?, ?, ?, ?, ?)
            """)
        for point in metrics {
            try statement.execute(arguments: [runID, point.dataset, point.metric, point.value, point.measuredAt.timeIntervalSince1970, source, point.flagged])
        }
    }

    /// Each result's artifacts write themselves (a schema check's snapshot), in the run's transaction.
    static func insert(artifactsOf results: [CheckResult], runID: Int64, db: Database) throws {
        for result in results {
            for artifact in result.artifacts { try artifact.record(for: result, runID: runID, db: db) }
        }
    }

    static func updateStates(results: [CheckResult], db: Database) throws {
        let statement = try db.cachedStatement(sql: """
            INSERT INTO check_state (check_id, last_evaluated_at, last_status, last_success_at, last_success_observed)
            VALUES (?1, ?2, ?3, CASE WHEN ?3 IN ('pass', 'warn') THEN ?2 END, CASE WHEN ?3 IN ('pass', 'warn') THEN ?4 END)
            ON CONFLICT (check_id) DO UPDATE SET
                last_evaluated_at = excluded.last_evaluated_at,
                last_status = excluded.last_status,
                last_success_at = coalesce(excluded.last_success_at, check_state.last_success_at),
                last_success_observed = CASE WHEN excluded.last_success_at IS NOT NULL
                    THEN excluded.last_success_observed ELSE check_state.last_success_observed END
            """)
        for result in results where result.status.isEvaluated {
            try statement.execute(arguments: [result.checkID, result.evaluatedAt.timeIntervalSince1970, result.status.rawValue, result.observed])
        }
    }

    static func result(_ row: Row) -> CheckResult {
        CheckResult(
            checkID: row[0], dataset: row[1], warehouse: row[2], checkType: row[3],
            status: CheckStatus(rawValue: row[4]) ?? .error, observed: row[5], observedText: row[6], expected: row[7],
            message: row[8], queryMilliseconds: row[9], dataTimestamp: row[10],
            evaluatedAt: Date(timeIntervalSince1970: row[11]),
            expectedRange: (row["expected_low"] as Double?).flatMap { low in (row["expected_high"] as Double?).flatMap { ExpectedRange(lower: low, upper: $0) } })
    }
}
