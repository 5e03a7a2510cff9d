import Foundation
import GRDB

/// `dqmon history backup PATH`: a consistent copy of the history made with SQLite's online backup API.
///
/// Safe while a run holds the lock: the source is opened read-only and copied from one read transaction
/// (WAL mode lets it read the last committed state while a run writes), so the copy holds whole runs only.
/// The copy is written beside `PATH` under a temporary name, checked with `PRAGMA quick_check`, then renamed
/// into place, so an interrupted backup never leaves a half-written file at `PATH`.
public enum HistoryBackup {
    /// What was copied.
    public struct Summary: Sendable {
        public let runs: Int
        public let results: Int
        public let bytes: Int64
    }

    /// Copies the history at `source` to `destination`. Refuses an existing `destination` unless `replace`.
    public static func copy(_ source: URL, to destination: URL, replace: Bool) throws(HistoryError) -> Summary {
        let shown = ConfigLoader.displayPath(source)
        guard FileManager.default.fileExists(atPath: source.path) else {
            throw HistoryError(path: shown, message: "does not exist yet: there is nothing to back up (run 'dqmon check' first)")
        }
        let target = destination.standardizedFileURL
        if target.resolvingSymlinksInPath().path == source.standardizedFileURL.resolvingSymlinksInPath().path {
            throw HistoryError(path: shown, message: "cannot be backed up onto itself: give another PATH")
        }
        if FileManager.default.fileExists(atPath: target.path), !replace {
            throw HistoryError(path: shown, message: "not backed up: \(ConfigLoader.displayPath(target)) already exists (pass --force to replace it)")
        }
        var isFolder: ObjCBool = false
        let folder = target.deletingLastPathComponent()
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isFolder), isFolder.boolValue else {
            throw HistoryError(path: shown, message: "not backed up: the folder \(ConfigLoader.displayPath(folder)) does not exist (create it, or give another PATH)")
        }
        try HistoryIntegrity.verifyHeader(at: source)
        let partial = target.deletingLastPathComponent().appendingPathComponent(".\(target.lastPathComponent).partial-\(getpid())")
        defer { removeDatabase(at: partial) }
        let summary = try copyPages(from: source, to: partial)
        // rename(2) puts the finished copy in place atomically, replacing an old backup only with --force.
        guard rename(partial.path, target.path) == 0 else {
            throw HistoryError(path: shown, message: "backup not written to \(ConfigLoader.displayPath(target)): \(String(cString: strerror(errno)))")
        }
        return summary
    }

    /// The backup proper, then a check of the copy (a damaged source gives a damaged copy: say so, keep nothing).
    static func copyPages(from source: URL, to partial: URL) throws(HistoryError) -> Summary {
        let shown = ConfigLoader.displayPath(source)
        do {
            var readOnly = GRDB.Configuration()
            readOnly.readonly = true
            readOnly.busyMode = .timeout(30)
            let from = try DatabaseQueue(path: source.path, configuration: readOnly)
            defer { try? from.close() }
            let to = try DatabaseQueue(path: partial.path)
            defer { try? to.close() }
            try from.backup(to: to)
            return try to.read { db in
                if let problem = try HistoryIntegrity.quickCheck(db) { throw HistoryIntegrity.corrupt(source, detail: problem) }
                let runs = try db.tableExists("runs") ? try Int.fetchOne(db, sql: "SELECT count(*) FROM runs") ?? 0 : 0
                let results = try db.tableExists("results") ? try Int.fetchOne(db, sql: "SELECT count(*) FROM results") ?? 0 : 0
                let pages = try Int64.fetchOne(db, sql: "PRAGMA page_count") ?? 0
                let pageSize = try Int64.fetchOne(db, sql: "PRAGMA page_size") ?? 0
                return Summary(runs: runs, results: results, bytes: pages * pageSize)
            }
        } catch let error as HistoryError {
            throw error
        } catch {
            if HistoryIntegrity.isCorruption(error) { throw HistoryIntegrity.corrupt(source, detail: HistoryStore.describe(error)) }
            let hint = (error as? DatabaseError)?.resultCode == .SQLITE_CANTOPEN ? " (is the folder of PATH writable?)" : ""
            throw HistoryError(path: shown, message: "backup failed: \(HistoryStore.describe(error))\(hint)")
        }
    }

    static func removeDatabase(at url: URL) {
        for suffix in ["", "-wal", "-shm", "-journal"] { try? FileManager.default.removeItem(atPath: url.path + suffix) }
    }
}
