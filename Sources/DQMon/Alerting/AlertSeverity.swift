/// How loud an incident is: the `severity:` matrix maps (tier, status) to one of these.
public enum AlertSeverity: String, Sendable, Codable, CaseIterable, Comparable {
    case none, info, warning, critical

    var rank: Int { AlertSeverity.allCases.firstIndex(of: self)! }

    public static func < (lhs: AlertSeverity, rhs: AlertSeverity) -> Bool { lhs.rank < rhs.rank }
}
