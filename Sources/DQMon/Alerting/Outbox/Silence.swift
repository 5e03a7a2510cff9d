import Foundation

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
