import Foundation
import GRDB

/// What `dqmon doctor` reads from the history, without changing it: the file is opened read-only (never created,
/// never migrated), so a doctor run leaves the history byte for byte as it found it.
public struct HistoryDiagnosis: Sendable {
    /// The history file exists and is not empty.
    public var exists: Bool
    /// The file (or, when absent, the nearest existing folder it would be created in) is writable by this user.
    public var writable: Bool
    /// The file and its write-ahead log, in bytes.
    public var sizeBytes: Int64
    /// Why the file is unusable (damaged header, `quick_check` failure, cannot open), or nil when it is sound.
    public var integrityProblem: String?
    /// Migrations this dqmon knows that the file has not had yet (the next writing command applies them).
    public var pendingMigrations: [String]
    /// A migration in the file this dqmon does not know: a newer dqmon wrote it.
    public var unknownMigration: String?
    public var runCount: Int
    public var oldestRun: Date?
    public var newestRun: Date?
    /// Alert notifications by status (`pending`, `failed`); zero when the outbox table does not exist yet.
    public var pendingNotifications: Int
    public var failedNotifications: Int
    /// The first stored value whose type does not fit its column (edited or damaged), or nil when every value fits.
    public var damagedValue: DamagedHistoryValue?

    static let empty = HistoryDiagnosis(exists: false, writable: false, sizeBytes: 0, integrityProblem: nil, pendingMigrations: [],
                                        unknownMigration: nil, runCount: 0, oldestRun: nil, newestRun: nil,
                                        pendingNotifications: 0, failedNotifications: 0, damagedValue: nil)
}

extension HistoryStore {
    /// Reads the history at `path` for `dqmon doctor`, read-only. Never throws: every problem is a field.
    public static func diagnose(path: URL) -> HistoryDiagnosis {
        var diagnosis = HistoryDiagnosis.empty
        let attributes = try? FileManager.default.attributesOfItem(atPath: path.path)
        let size = (attributes?[.size] as? NSNumber)?.int64Value ?? 0
        diagnosis.writable = isWritable(path)
        guard size > 0 else {
            diagnosis.pendingMigrations = HistoryMigrations.migrator.migrations
            return diagnosis
        }
        diagnosis.exists = true
        let wal = (try? FileManager.default.attributesOfItem(atPath: path.path + "-wal"))?[.size] as? NSNumber
        diagnosis.sizeBytes = size + (wal?.int64Value ?? 0)
        do {
            try HistoryIntegrity.verifyHeader(at: path)
            try readOnly(path) { db in try read(db, path: path, into: &diagnosis) }
        } catch let error as HistoryError {
            diagnosis.integrityProblem = error.message
        } catch {
            diagnosis.integrityProblem = HistoryStore.openError(error, path: path).message
        }
        return diagnosis
    }

    private static func read(_ db: Database, path: URL, into diagnosis: inout HistoryDiagnosis) throws {
        if let problem = try HistoryIntegrity.quickCheck(db) {
            diagnosis.integrityProblem = HistoryIntegrity.corrupt(path, detail: problem).message
            return
        }
        let known = HistoryMigrations.migrator.migrations
        let applied = try db.tableExists("grdb_migrations") ? try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations") : []
        diagnosis.unknownMigration = applied.first { !known.contains($0) }
        diagnosis.pendingMigrations = known.filter { !applied.contains($0) }
        if try db.tableExists("runs") {
            let row = try Row.fetchOne(db, sql: "SELECT count(*), min(evaluated_at), max(evaluated_at) FROM runs")
            diagnosis.runCount = row?.stored(0) ?? 0
            diagnosis.oldestRun = row?.stored(1) as Date?
            diagnosis.newestRun = row?.stored(2) as Date?
        }
        diagnosis.damagedValue = DamagedHistoryValue.first(in: db)
        if try db.tableExists("alert_notifications") {
            let counts = try Row.fetchAll(db, sql: "SELECT status, count(*) FROM alert_notifications WHERE status != 'sent' GROUP BY status")
            for row in counts {
                let status: String = row.stored(0)
                let count: Int = row.stored(1)
                if status == "pending" { diagnosis.pendingNotifications = count }
                if status == "failed" { diagnosis.failedNotifications = count }
            }
        }
    }

    /// A read-only connection: nothing is created or migrated (a WAL history still needs its folder writable to
    /// be read, as for `HistoryIntegrity.refuseNewerMigrations`).
    private static func readOnly(_ path: URL, _ body: (Database) throws -> Void) throws {
        var configuration = GRDB.Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(5)
        let queue = try DatabaseQueue(path: path.path, configuration: configuration)
        defer { try? queue.close() }
        try queue.read(body)
    }

    /// The file and its folder (SQLite writes its journal beside it) if it exists, else the nearest existing
    /// folder above it (where the first run would create it).
    private static func isWritable(_ path: URL) -> Bool {
        if FileManager.default.fileExists(atPath: path.path) {
            return FileManager.default.isWritableFile(atPath: path.path)
                && FileManager.default.isWritableFile(atPath: path.deletingLastPathComponent().path)
        }
        var candidate = path
        while !FileManager.default.fileExists(atPath: candidate.path), candidate.path != "/" {
            candidate = candidate.deletingLastPathComponent()
        }
        return FileManager.default.isWritableFile(atPath: candidate.path)
    }
}
