import Foundation
import GRDB

/// The `silences` table: `dqmon silence add / list / expire`, and the silences the outbox consults in the run's
/// transaction. Matchers are stored one per line as typed (`dataset=analytics.*`).
extension HistoryStore {
    /// Stores a new silence; returns its id.
    public func addSilence(_ silence: Silence) throws(HistoryError) -> Int64 {
        try write { db in
            try db.execute(sql: """
                INSERT INTO silences (matchers, starts_at, ends_at, reason, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [silence.matchers.map(\.description).joined(separator: "\n"), silence.startsAt.timeIntervalSince1970,
                                 silence.endsAt.timeIntervalSince1970, silence.reason, silence.createdBy, silence.createdAt.timeIntervalSince1970])
            return db.lastInsertedRowID
        }
    }

    /// Silences not yet ended at `time` (active or future), or all of them.
    public func silences(at time: Date, includeEnded: Bool = false) throws(HistoryError) -> [Silence] {
        try snapshot { transaction in
            try transaction.silences().filter { includeEnded || ($0.expiredAt == nil && $0.endsAt > time) }
        }
    }

    /// Ends a silence now. Returns false when there is no such silence or it already ended.
    public func expireSilence(id: Int64, at time: Date) throws(HistoryError) -> Bool {
        try write { db in
            try db.execute(sql: "UPDATE silences SET expired_at = ? WHERE id = ? AND expired_at IS NULL AND ends_at > ?",
                           arguments: [time.timeIntervalSince1970, id, time.timeIntervalSince1970])
            return db.changesCount > 0
        }
    }
}

extension HistoryTransaction {
    /// Every stored silence, oldest first (a matcher that no longer parses is dropped).
    func silences() throws -> [Silence] {
        try Row.fetchAll(db, sql: "SELECT id, matchers, starts_at, ends_at, reason, created_by, created_at, expired_at FROM silences ORDER BY id")
            .map { row in
                let matchers = (row.stored(1) as String).split(separator: "\n").compactMap { try? SilenceMatcher(parsing: String($0)) }
                return Silence(id: row.stored(0), matchers: matchers, startsAt: row.stored(2) as Date,
                               endsAt: row.stored(3) as Date, reason: row.stored(4), createdBy: row.stored(5),
                               createdAt: row.stored(6) as Date,
                               expiredAt: row.stored(7) as Date?)
            }
    }
}
