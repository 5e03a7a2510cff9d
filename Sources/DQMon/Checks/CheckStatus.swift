/// The outcome class of one check evaluation.
///
/// `error` means the check could not be evaluated (warehouse unreachable, relation or column missing,
/// query error) and says why; `skipped` means not due, or not enough history yet.
public enum CheckStatus: String, Sendable, Codable, CaseIterable, Comparable {
    case pass, warn, fail, error, skipped

    /// Ordering by how bad a status is: skipped < pass < warn < fail < error.
    var rank: Int {
        switch self {
        case .skipped: return 0
        case .pass: return 1
        case .warn: return 2
        case .fail: return 3
        case .error: return 4
        }
    }

    public static func < (lhs: CheckStatus, rhs: CheckStatus) -> Bool { lhs.rank < rhs.rank }

    /// Evaluated results count towards history baselines (`max_change`) and scheduling.
    public var isEvaluated: Bool { self != .skipped }
}
