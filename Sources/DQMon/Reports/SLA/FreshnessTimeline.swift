import Foundation

/// Freshness over time, reconstructed from the results of one check that measures freshness.
///
/// - A result holds from its run until the next run of the check (the last one until `now`).
/// - A gap between runs longer than 2 × the expected interval is `unknown` as a whole (also the tail up to
///   `now`); so is the hold of an `error` result (the check could not say).
/// - `pass` holds as fresh; `warn`/`fail` as stale, and a stale result also backdates staleness to its onset,
///   `data_timestamp + the breached threshold` (the onset incidents use), overriding fresh or unknown time before it.
/// - Time before the check's first result is outside the timeline (monitoring had not started).
public struct FreshnessTimeline: Sendable {
    public enum State: Int, Sendable, Comparable {
        case fresh = 0, unknown = 1, stale = 2
        public static func < (lhs: State, rhs: State) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    public struct Point: Sendable {
        public var at: Double
        public var status: CheckStatus
        public var dataTimestamp: Double?

        public init(at: Double, status: CheckStatus, dataTimestamp: Double?) {
            self.at = at
            self.status = status
            self.dataTimestamp = dataTimestamp
        }
    }

    public struct Piece: Sendable, Equatable {
        public var start: Double
        public var end: Double
        public var state: State
    }

    /// Disjoint, sorted pieces covering the timeline.
    public var pieces: [Piece]

    /// Builds the timeline over `(windowStart, now]` from `prior` (the last result at or before the window start)
    /// and `points` (results inside the window, oldest first).
    public init(prior: Point?, points: [Point], windowStart: Double, now: Double,
                expectedInterval: Double?, thresholds: FreshnessThresholds) {
        let all = (prior.map { [$0] } ?? []) + points
        guard let first = all.first else {
            pieces = []
            return
        }
        let start = prior == nil ? max(first.at, windowStart) : windowStart
        let expected = expectedInterval ?? Self.medianInterval(all.map(\.at))
        var holds: [Piece] = []
        var backdates: [(Double, Double)] = []
        for (index, point) in all.enumerated() {
            let next = index + 1 < all.count ? all[index + 1].at : now
            let from = max(point.at, start), to = min(next, now)
            if to > from { holds.append(Piece(start: from, end: to, state: Self.holdState(point, gap: next - point.at, expected: expected))) }
            if let onset = Self.onset(point, thresholds: thresholds), onset < point.at {
                let from = max(onset, start), to = min(point.at, now)
                if to > from { backdates.append((from, to)) }
            }
        }
        pieces = Self.overlay(holds, stale: Self.union(backdates))
    }

    init(pieces: [Piece]) { self.pieces = pieces }

    static func holdState(_ point: Point, gap: Double, expected: Double?) -> State {
        if let expected, gap > 2 * expected { return .unknown }
        switch point.status {
        case .pass: return .fresh
        case .warn, .fail: return .stale
        case .error, .skipped: return .unknown
        }
    }

    /// The onset of a stale freshness result: its latest timestamp plus the threshold it crossed (as incidents date it).
    static func onset(_ point: Point, thresholds: FreshnessThresholds) -> Double? {
        guard let dataTimestamp = point.dataTimestamp, let threshold = thresholds.breached(by: point.status) else { return nil }
        return dataTimestamp + threshold.seconds
    }

    /// The median gap between consecutive runs (mean of the middle two for an even count); nil under two runs.
    public static func medianInterval(_ times: [Double]) -> Double? {
        guard times.count >= 2 else { return nil }
        let gaps = zip(times.dropFirst(), times).map { $0 - $1 }.sorted()
        let middle = gaps.count / 2
        return gaps.count % 2 == 1 ? gaps[middle] : (gaps[middle - 1] + gaps[middle]) / 2
    }

    static func union(_ intervals: [(Double, Double)]) -> [(Double, Double)] {
        var merged: [(Double, Double)] = []
        for interval in intervals.sorted(by: { $0.0 < $1.0 }) {
            if let last = merged.last, interval.0 <= last.1 {
                merged[merged.count - 1].1 = max(last.1, interval.1)
            } else {
                merged.append(interval)
            }
        }
        return merged
    }

    /// Splits hold pieces so that time inside `stale` (disjoint, sorted) becomes stale.
    static func overlay(_ holds: [Piece], stale: [(Double, Double)]) -> [Piece] {
        var result: [Piece] = []
        var index = 0
        for hold in holds {
            guard hold.state != .stale else {
                result.append(hold)
                continue
            }
            while index < stale.count, stale[index].1 <= hold.start { index += 1 }
            var cursor = hold.start
            var probe = index
            while probe < stale.count, stale[probe].0 < hold.end {
                let from = max(stale[probe].0, hold.start), to = min(stale[probe].1, hold.end)
                if from > cursor { result.append(Piece(start: cursor, end: from, state: hold.state)) }
                if to > from { result.append(Piece(start: from, end: to, state: .stale)) }
                cursor = max(cursor, to)
                probe += 1
            }
            if hold.end > cursor { result.append(Piece(start: cursor, end: hold.end, state: hold.state)) }
        }
        return merge(result)
    }

    /// Joins touching pieces of the same state.
    static func merge(_ pieces: [Piece]) -> [Piece] {
        var merged: [Piece] = []
        for piece in pieces where piece.end > piece.start {
            if let last = merged.last, last.state == piece.state, last.end == piece.start {
                merged[merged.count - 1].end = piece.end
            } else {
                merged.append(piece)
            }
        }
        return merged
    }

    /// A dataset with several freshness checks is stale when any is, else unknown when any is, else fresh.
    public static func combine(_ timelines: [FreshnessTimeline]) -> FreshnessTimeline {
        let nonEmpty = timelines.filter { !$0.pieces.isEmpty }
        if nonEmpty.count <= 1 { return nonEmpty.first ?? FreshnessTimeline(pieces: []) }
        let bounds = Set(nonEmpty.flatMap { $0.pieces.flatMap { [$0.start, $0.end] } }).sorted()
        var pieces: [Piece] = []
        for (from, to) in zip(bounds, bounds.dropFirst()) {
            let middle = (from + to) / 2
            let states = nonEmpty.compactMap { $0.state(at: middle) }
            if let worst = states.max() { pieces.append(Piece(start: from, end: to, state: worst)) }
        }
        return FreshnessTimeline(pieces: merge(pieces))
    }

    func state(at time: Double) -> State? {
        var low = 0, high = pieces.count - 1
        while low <= high {
            let middle = (low + high) / 2
            if pieces[middle].end <= time { low = middle + 1 } else if pieces[middle].start > time { high = middle - 1 } else { return pieces[middle].state }
        }
        return nil
    }

    /// Seconds fresh, stale and unknown within `[from, to]`.
    public func measure(from: Double, to: Double) -> TimeSplit {
        var split = TimeSplit()
        for piece in pieces {
            let length = min(piece.end, to) - max(piece.start, from)
            guard length > 0 else { continue }
            switch piece.state {
            case .fresh: split.fresh += length
            case .stale: split.stale += length
            case .unknown: split.unknown += length
            }
        }
        return split
    }
}

/// Seconds of a window by freshness state.
public struct TimeSplit: Sendable, Equatable {
    public var fresh: Double = 0
    public var stale: Double = 0
    public var unknown: Double = 0

    public init(fresh: Double = 0, stale: Double = 0, unknown: Double = 0) {
        self.fresh = fresh
        self.stale = stale
        self.unknown = unknown
    }

    public var total: Double { fresh + stale + unknown }

    public static func + (lhs: TimeSplit, rhs: TimeSplit) -> TimeSplit {
        TimeSplit(fresh: lhs.fresh + rhs.fresh, stale: lhs.stale + rhs.stale, unknown: lhs.unknown + rhs.unknown)
    }
}
