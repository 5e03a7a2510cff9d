import Foundation

/// A ratio SLI (freshness, availability, pass rate) over the window and the last 1h and 6h, with its target.
///
/// - value = good / total
/// - met = value ≥ target
/// - error budget left = 1 − bad / allowed bad, with bad = total − good and allowed bad = (1 − target) × total
/// - burn rate over the last 1h (6h) = (bad / total in that span) / (1 − target)
/// Totals are seconds for freshness and counts for availability (runs) and pass rate (results).
public struct RatioFigure: Sendable, Equatable {
    public var good: Double
    public var total: Double
    public var lastHour: (good: Double, total: Double)
    public var lastSixHours: (good: Double, total: Double)
    public var target: Double?

    public init(good: Double = 0, total: Double = 0, lastHour: (Double, Double) = (0, 0), lastSixHours: (Double, Double) = (0, 0), target: Double? = nil) {
        self.good = good
        self.total = total
        self.lastHour = lastHour
        self.lastSixHours = lastSixHours
        self.target = target
    }

    public static func == (lhs: RatioFigure, rhs: RatioFigure) -> Bool {
        lhs.good == rhs.good && lhs.total == rhs.total && lhs.lastHour == rhs.lastHour
            && lhs.lastSixHours == rhs.lastSixHours && lhs.target == rhs.target
    }

    public var bad: Double { total - good }
    public var value: Double? { total > 0 ? good / total : nil }

    public var met: Bool? {
        guard let value, let target else { return nil }
        return value >= target
    }

    public var budgetLeft: Double? {
        guard let target, total > 0, target < 1 else { return nil }
        return 1 - bad / ((1 - target) * total)
    }

    public var burnLastHour: Double? { burn(lastHour) }
    public var burnLastSixHours: Double? { burn(lastSixHours) }

    func burn(_ span: (good: Double, total: Double)) -> Double? {
        guard let target, target < 1, span.total > 0 else { return nil }
        return ((span.total - span.good) / span.total) / (1 - target)
    }

    /// Sums of two scopes' counts (targets are set by the caller).
    func adding(_ other: RatioFigure) -> RatioFigure {
        RatioFigure(good: good + other.good, total: total + other.total,
                    lastHour: (lastHour.good + other.lastHour.good, lastHour.total + other.lastHour.total),
                    lastSixHours: (lastSixHours.good + other.lastSixHours.good, lastSixHours.total + other.lastSixHours.total))
    }
}

/// count, mean, p50 and p90 of durations in seconds.
///
/// Percentiles are nearest-rank: p-th percentile = the ⌈p/100 × n⌉-th smallest value (so p50 of 4 values is the 2nd).
public struct DurationStats: Sendable, Equatable {
    public var values: [Double]
    public var target: Double?

    public init(values: [Double], target: Double? = nil) {
        self.values = values.sorted()
        self.target = target
    }

    public var count: Int { values.count }
    public var mean: Double? { values.isEmpty ? nil : values.reduce(0, +) / Double(values.count) }
    public var p50: Double? { Self.percentile(values, 50) }
    public var p90: Double? { Self.percentile(values, 90) }

    /// Met when the mean is at most the target; nil without incidents or target.
    public var met: Bool? {
        guard let mean, let target else { return nil }
        return mean <= target
    }

    public static func percentile(_ sorted: [Double], _ p: Double) -> Double? {
        guard !sorted.isEmpty else { return nil }
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }
}

/// Freshness: the ratio (fresh seconds / covered seconds) plus the split of the window.
public struct FreshnessFigure: Sendable, Equatable {
    public var split: TimeSplit
    public var ratio: RatioFigure
}

/// One row of `dqmon sla`: a dataset, a tier, or everything.
public struct SLAScope: Sendable {
    public enum Kind: String, Sendable { case dataset, tier, overall }
    public var kind: Kind
    public var name: String
    public var tier: Int?
    public var owner: String?
    /// nil when no freshness check of the scope has results in the window.
    public var freshness: FreshnessFigure?
    public var availability: RatioFigure
    public var passRate: RatioFigure
    public var mttd: DurationStats
    public var mtta: DurationStats
    public var mttr: DurationStats
    /// Σ(TTD + TTR) over the scope's incidents detected in the window; an open incident's TTR runs to `now`.
    public var downtime: Double
    public var incidentCount: Int
    public var openIncidents: Int
}

/// `dqmon sla`: per dataset, per tier and overall, over `(windowStart, now]`.
public struct SLAReport: Sendable {
    public var window: Interval
    public var windowStart: Date
    public var now: Date
    public var datasets: [SLAScope]
    public var tiers: [SLAScope]
    public var overall: SLAScope
    /// Documentation completeness of the selected datasets, per tier and overall (from config, not history).
    public var documentation: DocumentationCoverage? = nil
}
