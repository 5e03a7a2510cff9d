import Foundation
import GRDB

/// Guards the history against being written when it is damaged, or when a newer dqmon wrote it.
///
/// Three checks, cheapest first:
/// - at open, the 100-byte file header (`SQLite format 3`, a valid page size, a whole number of pages): a
///   file overwritten at its start, truncated or replaced is refused before SQLite touches it;
/// - at open, the applied migrations (the first query of `HistoryStore`'s one connection): one this dqmon does not
///   know means a newer dqmon wrote the file (refused before anything writes to it);
/// - before the first write of a `HistoryStore`, `PRAGMA quick_check` over the whole file (every page's
///   structure, every cell in bounds; not index-vs-table contents, which `integrity_check` adds at several
///   times the cost). Its cost grows with the file; the README gives the figure at 1,000,000 results. Skipped
///   when `HistoryIntegrityStamp` shows that only dqmon has written the file since a full check of the last day.
///
/// Any SQLite "corrupt" or "not a database" error met later is reported the same way.
enum HistoryIntegrity {
    /// The one line a damaged history produces: what, where, and the way back.
    static func corrupt(_ path: URL, detail: String) -> HistoryError {
        let display = ConfigLoader.displayPath(path)
        return HistoryError(path: display, message: """
            is corrupt (\(detail.replacingOccurrences(of: "\n", with: "; ").truncated(to: 160))): dqmon will not write to it; \
            restore a copy made with 'dqmon history backup PATH', or move it aside (mv \(display) \(display).corrupt) to start a new history
            """)
    }

    /// The 100-byte header of an existing, non-empty file (https://www.sqlite.org/fileformat.html#the_database_header).
    static func verifyHeader(at path: URL) throws(HistoryError) {
        guard let handle = FileHandle(forReadingAtPath: path.path) else { return }  // absent: created on open
        defer { try? handle.close() }
        let header = (try? handle.read(upToCount: 100)) ?? Data()
        let size = (try? handle.seekToEnd()) ?? 0
        if let problem = headerProblem(header, fileSize: size) { throw corrupt(path, detail: problem) }
    }

    static func headerProblem(_ header: Data, fileSize: UInt64) -> String? {
        if header.isEmpty { return nil }
        let bytes = [UInt8](header)
        guard bytes.count == 100, bytes.starts(with: Array("SQLite format 3\0".utf8)) else { return "not an SQLite file: its header is damaged" }
        let raw = Int(bytes[16]) << 8 | Int(bytes[17])
        let pageSize = raw == 1 ? 65_536 : raw
        guard pageSize >= 512, pageSize <= 65_536, pageSize & (pageSize - 1) == 0 else { return "invalid page size in its header" }
        guard fileSize % UInt64(pageSize) == 0 else { return "its size (\(fileSize) bytes) is not a whole number of \(pageSize)-byte pages" }
        return nil
    }

    /// Throws when the history holds a migration this dqmon does not have (a newer dqmon wrote it).
    static func refuseNewerMigrations(_ db: Database, known: [String], path: URL) throws {
        guard try db.tableExists("grdb_migrations") else { return }
        try refuseNewer(applied: try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations"), known: known, path: path)
    }

    /// Throws when `applied` (the identifiers in `grdb_migrations`) names a migration not in `known`.
    static func refuseNewer(applied: [String], known: [String], path: URL) throws(HistoryError) {
        if let unknown = applied.first(where: { !known.contains($0) }) {
            throw HistoryError(path: ConfigLoader.displayPath(path), message: """
                written by a newer dqmon; upgrade dqmon (this history has migration '\(unknown)', which dqmon \(DQMonVersion.current) does not know)
                """)
        }
    }

    /// `PRAGMA quick_check`: nil if the file is sound, else its first problem.
    static func quickCheck(_ db: Database) throws -> String? {
        let lines = try String.fetchAll(db, sql: "PRAGMA quick_check(1)")
        return lines == ["ok"] ? nil : (lines.first ?? "quick_check returned nothing")
    }

    /// Whether an error from SQLite means the file is damaged.
    static func isCorruption(_ error: any Error) -> Bool {
        guard let error = error as? DatabaseError else { return false }
        return error.resultCode == .SQLITE_CORRUPT || error.resultCode == .SQLITE_NOTADB
    }
}

/// Remembers whether this store's file passed `quick_check` (once per `HistoryStore`, before its first write), when
/// that check last ran in full, and whether SQLite reported damage since: what `HistoryIntegrityStamp` needs.
final class IntegrityGate: @unchecked Sendable {
    private let lock = NSLock()
    private var verified = false
    private var checkedAt: Double?
    private var sawCorruption = false

    /// Runs `check` the first time only; a failed check is repeated next time (the file may have been restored).
    /// `check` returns when the file last passed a full check (now, or as a stamp vouches).
    func verifyOnce(_ check: () throws(HistoryError) -> Double) throws(HistoryError) {
        lock.lock()
        defer { lock.unlock() }
        guard !verified else { return }
        checkedAt = try check()
        verified = true
    }

    /// SQLite reported the file damaged: no stamp may vouch for it.
    func markCorrupt() { lock.withLock { sawCorruption = true } }

    /// When the file last passed a full check, if this store verified it and met no damage since.
    var stampableCheckTime: Double? {
        lock.withLock { verified && !sawCorruption ? checkedAt : nil }
    }
}
