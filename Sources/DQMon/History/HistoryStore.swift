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
    /// The one connection to the history (a `DatabaseQueue`: a command is one process doing one thing at a time,
    /// so a pool's reader connections, each opened and schema-loaded per process, bought nothing but start-up time).
    /// The file stays in WAL mode, so other processes (a backup, a report) read while a run writes.
    let pool: DatabaseQueue
    let integrity = IntegrityGate()

    /// Opens (creating the file and its folder if needed) and migrates the history at `path`.
    ///
    /// One connection, and when the history is already migrated one query: the applied migrations are read first
    /// (a newer dqmon's file is refused before anything writes to it), then WAL mode is set (a no-op on an existing
    /// history; nothing else is written at open), then pending migrations, if any, are applied after the file's
    /// `quick_check`.
    public init(path: URL) throws(HistoryError) {
        self.path = path
        let display = ConfigLoader.displayPath(path)
        do {
            try FileManager.default.createDirectory(at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
        } catch {
            throw HistoryError(path: display, message: "cannot create its folder: \(error.localizedDescription) (is the folder writable?)")
        }
        try HistoryIntegrity.verifyHeader(at: path)
        let migrator = HistoryMigrations.migrator
        let pending: Bool
        do {
            var configuration = GRDB.Configuration()
            configuration.busyMode = .timeout(30)
            configuration.label = "history"
            pool = try DatabaseQueue(path: path.path, configuration: configuration)
            pending = try pool.inDatabase { db in
                let applied = try Self.appliedMigrations(db)
                try HistoryIntegrity.refuseNewer(applied: applied, known: migrator.migrations, path: path)
                try Self.useWAL(db)
                return migrator.migrations.last.map { !applied.contains($0) } ?? false
            }
        } catch let error as HistoryError {
            throw error
        } catch {
            throw Self.openError(error, path: path)
        }
        if pending { try migrate(migrator) }
    }

    /// The identifiers in `grdb_migrations`, or none when the table does not exist yet (a new file). One query.
    private static func appliedMigrations(_ db: Database) throws -> [String] {
        do {
            return try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations")
        } catch {
            if try !db.tableExists("grdb_migrations") { return [] }
            throw error
        }
    }

    /// WAL mode (readers in other processes never wait for a run's write) with `synchronous = NORMAL`: a commit is
    /// not synced on its own; the checkpoint when the store closes syncs the log and then the file, so a run is on
    /// disk when the command exits and `history.sqlite` alone is the whole history again. A killed process loses no
    /// committed run either (the log is in the kernel's page cache and is replayed at the next open).
    /// `journal_mode = WAL` writes only when it converts a new or rollback-mode file.
    private static func useWAL(_ db: Database) throws {
        let mode = try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")
        guard mode == "wal" else { throw DatabaseError(message: "could not activate WAL mode (journal_mode is \(mode ?? "unknown"))") }
        try db.execute(sql: "PRAGMA synchronous = NORMAL")
    }

    /// Before applying a pending migration, checks the file (a migration writes).
    private func migrate(_ migrator: DatabaseMigrator) throws(HistoryError) {
        do {
            try verifyBeforeFirstWrite()
            try migrator.migrate(pool)
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

    /// `PRAGMA quick_check` once per store, before anything is written: a damaged file is never written to. Skipped
    /// when the file is exactly as a dqmon that checked it within the last day left it (`HistoryIntegrityStamp`).
    /// Logs `history.verify` (whether the full check ran, why, and its time).
    func verifyBeforeFirstWrite() throws(HistoryError) {
        try integrity.verifyOnce { () throws(HistoryError) -> Double in
            let started = Date()
            let stamp = HistoryIntegrityStamp.read(history: path)
            let reason = stamp.map { $0.reasonToCheck(history: path, now: started) } ?? "no stamp from a verified run"
            if let stamp, reason == nil {
                DQMonLog.historyVerified(ConfigLoader.displayPath(path), fullCheck: false,
                                         reason: "unchanged since a dqmon run that checked it", since: started)
                return stamp.checkedAt
            }
            let problem: String?
            do { problem = try pool.read(HistoryIntegrity.quickCheck) } catch { throw mapped(error, doing: "check") }
            if let problem { throw HistoryIntegrity.corrupt(path, detail: problem) }
            DQMonLog.historyVerified(ConfigLoader.displayPath(path), fullCheck: true, reason: reason ?? "", since: started)
            return started.timeIntervalSince1970
        }
    }

    /// Closes the connection (checkpointing the log into the file) and, when this store verified the file and met
    /// no damage, stamps the file as dqmon leaves it, so that the next writer may skip the full check.
    deinit {
        guard let checkedAt = integrity.stampableCheckTime else { return }
        do { try pool.close() } catch { return }
        HistoryIntegrityStamp.record(history: path, checkedAt: checkedAt)
    }

    /// A SQLite error as a `HistoryError`: the corruption line for a damaged file, else "<what> failed: …".
    func mapped(_ error: any Error, doing what: String) -> HistoryError {
        if let error = error as? HistoryError { return error }
        if HistoryIntegrity.isCorruption(error) {
            integrity.markCorrupt()
            return HistoryIntegrity.corrupt(path, detail: Self.describe(error))
        }
        return HistoryError(path: ConfigLoader.displayPath(path), message: "\(what) failed: \(Self.describe(error))")
    }

    /// Deletes runs (with their results and points), metric points, SLA running totals, incidents resolved
    /// before `cutoff` (see `HistoryTransaction.pruneIncidents`), and sent or failed alert notifications created before
    /// it (their bodies may hold failing-row samples, which go with their results; pending ones still have to be
    /// delivered). Returns runs deleted.
    @discardableResult
    public func prune(before cutoff: Date) throws(HistoryError) -> Int {
        let cutoff = cutoff.timeIntervalSince1970
        return try write { db in
            try db.execute(sql: "DELETE FROM metric_points WHERE measured_at < ?", arguments: [cutoff])
            try db.execute(sql: "DELETE FROM dataset_run_totals WHERE evaluated_at < ?", arguments: [cutoff])
            try HistoryTransaction(db).pruneIncidents(resolvedBefore: cutoff)
            try db.execute(sql: "DELETE FROM alert_notifications WHERE created_at < ? AND status != 'pending'", arguments: [cutoff])
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
