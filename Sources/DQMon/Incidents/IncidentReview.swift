import Foundation

/// The agenda of the weekly incident review (`dqmon incidents review --since 7d`, and the HTML report's incident
/// section): the period's incidents grouped by cause, every open follow-up, and MTTD / MTTA / MTTR for the period.
///
/// Contract:
/// - The period is `(now − window, now]`. It covers incidents detected in it, resolved in it, or still open at
///   `now` (an incident open for three weeks stays on the agenda until it is resolved).
/// - Groups follow `IncidentCause.allCases` order, then "not classified" (no cause recorded yet); empty groups are
///   left out. Within a group, newest detection first.
/// - Response times use only incidents *detected* in the period, as `dqmon sla` does: TTD = detected − onset,
///   TTA = acknowledged − detected, TTR = resolved − detected; acknowledgements and resolutions after `now` do
///   not count. One row per tier present (MTTD and MTTR against the tier's `tiers:` targets; MTTA has none),
///   then overall.
/// - Open follow-ups are every follow-up not done, of any incident, oldest first (actions outlive their week).
///
/// Thread safety: a value; `build` reads one history snapshot per call.
public struct IncidentReview: Sendable {
    /// One incident with what the review recorded about it.
    public struct Entry: Sendable {
        public var incident: Incident
        public var record: IncidentReviewRecord
    }

    /// The incidents of one cause; `cause == nil` is "not classified yet".
    public struct CauseGroup: Sendable {
        public var cause: IncidentCause?
        public var entries: [Entry]
        /// `upstream`, …, or `not classified`.
        public var title: String { cause?.rawValue ?? "not classified" }
    }

    /// An open follow-up and the incident it belongs to (nil only if that incident was pruned meanwhile).
    public struct OpenFollowup: Sendable {
        public var followup: IncidentFollowup
        public var incident: Incident?
    }

    /// MTTD / MTTA / MTTR over the incidents of one tier (or all) detected in the period.
    public struct ResponseTimes: Sendable {
        /// `tier 1`, `tier 2`, …, `overall`.
        public var name: String
        public var tier: Int?
        public var mttd: DurationStats
        public var mtta: DurationStats
        public var mttr: DurationStats
        /// Incidents detected in the period.
        public var incidentCount: Int
    }

    public var window: Interval
    public var windowStart: Date
    public var now: Date
    /// Every incident the period covers, newest detection first.
    public var entries: [Entry]
    public var groups: [CauseGroup]
    public var openFollowups: [OpenFollowup]
    /// Per tier present, then `overall` (always last).
    public var responseTimes: [ResponseTimes]

    /// Reads the period's incidents and follow-ups from `history` and computes the agenda.
    public static func build(history: HistoryStore, configuration: Configuration, window: Interval, now: Date) throws -> IncidentReview {
        let start = now.addingTimeInterval(-window.seconds)
        let entries = try history.reviewIncidents(after: start, through: now).map { Entry(incident: $0.0, record: $0.1) }
        let followups = try openFollowups(history: history, known: entries)
        return IncidentReview(window: window, windowStart: start, now: now, entries: entries, groups: group(entries),
                              openFollowups: followups,
                              responseTimes: responseTimes(entries, start: start, now: now, tiers: configuration.project.tiers))
    }

    static func group(_ entries: [Entry]) -> [CauseGroup] {
        let causes: [IncidentCause?] = IncidentCause.allCases.map { $0 } + [nil]
        return causes.compactMap { cause in
            let members = entries.filter { $0.record.cause == cause }
            return members.isEmpty ? nil : CauseGroup(cause: cause, entries: members)
        }
    }

    /// Every open follow-up with its incident: those of the period's incidents from `entries`, the others read in bulk.
    static func openFollowups(history: HistoryStore, known entries: [Entry]) throws -> [OpenFollowup] {
        var incidents = Dictionary(entries.map { ($0.incident.id, $0.incident) }, uniquingKeysWith: { first, _ in first })
        let followups = try history.openIncidentFollowups()
        let missing = Array(Set(followups.map(\.incidentID)).subtracting(incidents.keys))
        incidents.merge(try history.incidents(ids: missing), uniquingKeysWith: { first, _ in first })
        return followups.map { OpenFollowup(followup: $0, incident: incidents[$0.incidentID]) }
    }

    /// Per tier present among the incidents detected in the period, then overall.
    static func responseTimes(_ entries: [Entry], start: Date, now: Date, tiers: [Int: TierPolicy]) -> [ResponseTimes] {
        let detected = entries.map(\.incident).filter { $0.detectedAt > start && $0.detectedAt <= now }
        let perTier = Set(detected.map(\.tier)).sorted().map { tier in
            times(detected.filter { $0.tier == tier }, name: "tier \(tier)", tier: tier, policy: tiers[tier] ?? TierPolicy.defaults[tier], now: now)
        }
        return perTier + [times(detected, name: "overall", tier: nil, policy: nil, now: now)]
    }

    static func times(_ incidents: [Incident], name: String, tier: Int?, policy: TierPolicy?, now: Date) -> ResponseTimes {
        let ttd = incidents.map { $0.detectedAt.timeIntervalSince($0.onsetAt) }
        let tta = incidents.compactMap { incident in incident.acknowledgedAt.flatMap { $0 <= now ? $0.timeIntervalSince(incident.detectedAt) : nil } }
        let ttr = incidents.compactMap { incident in incident.resolvedAt.flatMap { $0 <= now ? $0.timeIntervalSince(incident.detectedAt) : nil } }
        return ResponseTimes(name: name, tier: tier, mttd: DurationStats(values: ttd, target: policy?.mttd.seconds),
                             mtta: DurationStats(values: tta), mttr: DurationStats(values: ttr, target: policy?.mttr.seconds),
                             incidentCount: incidents.count)
    }
}
