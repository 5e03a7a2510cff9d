import Foundation

/// Decides which checks are due, from each dataset's `every:` and the last time history saw the check.
///
/// A check is due when it has never run, its dataset has no `every:`, or `every` has passed since it last ran,
/// less a grace of 10% of `every` (at most 5 minutes) so schedulers that fire a few seconds early still run it.
public enum DuePlanner {
    public static func isDue(_ check: CheckConfig, in dataset: DatasetConfig, now: Date, states: [String: CheckState]) -> Bool {
        guard let every = dataset.every, let state = states[check.id] else { return true }
        let grace = min(every.seconds * 0.1, 300)
        return now.timeIntervalSince(state.lastEvaluatedAt) >= every.seconds - grace
    }

    /// When the check is next due, for the "not due" message.
    public static func nextDue(_ check: CheckConfig, in dataset: DatasetConfig, states: [String: CheckState]) -> Date? {
        guard let every = dataset.every, let state = states[check.id] else { return nil }
        return state.lastEvaluatedAt.addingTimeInterval(every.seconds)
    }
}
