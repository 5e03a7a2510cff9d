import Foundation
import GRDB

/// `dqmon silence add --match dataset=analytics.* --for 2h --reason …`: while active, matching incidents are
/// recorded but not sent; when it ends, those still open are sent.
public struct Silence: Sendable {
    public var id: Int64?
    public var matchers: [SilenceMatcher]
    public var startsAt: Date
    public var endsAt: Date
    public var reason: String
    public var createdBy: String?
    public var createdAt: Date
    public var expiredAt: Date?

    public init(id: Int64? = nil, matchers: [SilenceMatcher], startsAt: Date, endsAt: Date, reason: String, createdBy: String?,
                createdAt: Date, expiredAt: Date? = nil) {
        self.id = id
        self.matchers = matchers
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.reason = reason
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.expiredAt = expiredAt
    }

    public func isActive(at time: Date) -> Bool {
        startsAt <= time && time < (expiredAt.map { min($0, endsAt) } ?? endsAt)
    }

    /// Every matcher must match.
    public func matches(_ subject: AlertSubject) -> Bool { matchers.allSatisfy { $0.matches(subject) } }

    public var matchersText: String { matchers.map(\.description).joined(separator: " ") }
}

/// `key=value`: dataset and check take globs; owner, tag, tier, severity and check_type compare exactly.
public struct SilenceMatcher: Sendable, Hashable, CustomStringConvertible {
    public static let keys = ["dataset", "check", "check_type", "owner", "tag", "tier", "severity"]
    public var key: String
    public var value: String

    public init(parsing text: String) throws(SilenceError) {
        let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2, !parts[1].isEmpty else {
            throw SilenceError(message: "--match '\(text)' must be KEY=VALUE, e.g. dataset=analytics.* (keys: \(Self.keys.joined(separator: ", ")))")
        }
        guard Self.keys.contains(parts[0]) else {
            throw SilenceError(message: "--match '\(text)': unknown key '\(parts[0])'\(Suggestion.hint(for: parts[0], in: Self.keys)); use one of: \(Self.keys.joined(separator: ", "))")
        }
        key = parts[0]
        value = parts[1]
    }

    public var description: String { "\(key)=\(value)" }

    public func matches(_ subject: AlertSubject) -> Bool {
        switch key {
        case "dataset": return Glob.matches(value, subject.dataset)
        case "check": return Glob.matches(value, subject.checkID)
        case "check_type": return subject.checkType == value
        case "owner": return subject.owner == value
        case "tag": return subject.tags.contains(value)
        case "tier": return String(subject.tier) == value
        case "severity": return subject.severity.rawValue == value
        default: return false
        }
    }
}

public struct SilenceError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

/// Silences in the history database.
public enum SilenceStore {
    public static func add(_ silence: Silence, history: HistoryStore) throws(HistoryError) -> Int64 {
        try history.write { db in
            try db.execute(sql: """
                INSERT INTO silences (matchers, starts_at, ends_at, reason, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [silence.matchers.map(\.description).joined(separator: "\n"), silence.startsAt.timeIntervalSince1970, silence.endsAt.timeIntervalSince1970,
                                 silence.reason, silence.createdBy, silence.createdAt.timeIntervalSince1970])
            return db.lastInsertedRowID
        }
    }

    /// Silences not yet ended at `time` (active or future), or all of them.
    public static func list(history: HistoryStore, at time: Date, includeEnded: Bool = false) throws(HistoryError) -> [Silence] {
        try history.read { db in try fetch(db).filter { includeEnded || ($0.expiredAt == nil && $0.endsAt > time) } }
    }

    /// Ends a silence now. Returns false when there is no such silence or it already ended.
    public static func expire(id: Int64, history: HistoryStore, at time: Date) throws(HistoryError) -> Bool {
        try history.write { db in
            try db.execute(sql: "UPDATE silences SET expired_at = ? WHERE id = ? AND expired_at IS NULL AND ends_at > ?",
                           arguments: [time.timeIntervalSince1970, id, time.timeIntervalSince1970])
            return db.changesCount > 0
        }
    }

    static func fetch(_ db: Database) throws -> [Silence] {
        try Row.fetchAll(db, sql: "SELECT id, matchers, starts_at, ends_at, reason, created_by, created_at, expired_at FROM silences ORDER BY id")
            .map { row in
                let matchers = (row[1] as String).split(separator: "\n").compactMap { try? SilenceMatcher(parsing: String($0)) }
                return Silence(id: row[0], matchers: matchers, startsAt: Date(timeIntervalSince1970: row[2]),
                               endsAt: Date(timeIntervalSince1970: row[3]), reason: row[4], createdBy: row[5],
                               createdAt: Date(timeIntervalSince1970: row[6]),
                               expiredAt: (row[7] as Double?).map(Date.init(timeIntervalSince1970:)))
            }
    }
}
