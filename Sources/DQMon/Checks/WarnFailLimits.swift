/// A check's pair of limits, `warn:` and `fail:`, each optional: `fail` is judged first, then `warn`, and a result
/// names the limit it crossed (`fail > 5%`). Shared by the rule checks' row thresholds and `compare`'s tolerance, so
/// both read and word their limits the same way; each kind of limit says how a value exceeds it.
protocol WarnFailLimits {
    associatedtype Limit: CustomStringConvertible
    var warn: Limit? { get }
    var fail: Limit? { get }
}

extension WarnFailLimits {
    /// `.fail` when `fail` is exceeded, else `.warn` when `warn` is, else `.pass`.
    func status(exceeding isExceeded: (Limit) -> Bool) -> CheckStatus {
        if let fail, isExceeded(fail) { return .fail }
        if let warn, isExceeded(warn) { return .warn }
        return .pass
    }

    /// `fail > 0, warn > 1%`.
    var expectedText: String {
        [fail.map { "fail > \($0)" }, warn.map { "warn > \($0)" }].compactMap { $0 }.joined(separator: ", ")
    }

    /// The limit a result of `status` crossed, as `fail > 0`.
    func crossed(by status: CheckStatus) -> String? {
        switch status {
        case .fail: return fail.map { "fail > \($0)" }
        case .warn: return warn.map { "warn > \($0)" }
        default: return nil
        }
    }
}
