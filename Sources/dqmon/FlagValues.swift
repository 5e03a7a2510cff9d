import ArgumentParser
import DQMon

/// Checks flag values with the same ranges as config (README "Allowed values"); every failure is one
/// `ValidationError` line naming the flag, which `dqmon` prints and exits 3 with.
enum FlagValues {
    /// A duration flag (`--window 30d`) up to `maximum` (ten years unless the flag says less).
    static func interval(_ text: String, flag: String, atMost maximum: Interval = .maximum) throws -> Interval {
        switch Interval.parse(text, maximum: maximum) {
        case .success(let interval): return interval
        case .failure(let problem): throw ValidationError(problem.message(for: flag, text: text))
        }
    }

    /// A whole-number flag within `range`.
    static func count(_ value: Int, flag: String, in range: ClosedRange<Int>) throws {
        guard range.contains(value) else {
            throw ValidationError("\(flag) must be between \(range.lowerBound) and \(range.upperBound), got \(value)")
        }
    }

    /// How long `--lock-timeout` may wait for another run: at most a day.
    static let maximumLockTimeout = Interval(seconds: 86_400)
    /// `history --limit`: 1 to 100,000 results.
    static let historyLimit = 1...100_000
    /// `check --parallel`: as many datasets at once as a warehouse's `max_connections` may allow (1 to 100).
    static let parallelism = ConnectionLimits.maxConnectionsRange
}
