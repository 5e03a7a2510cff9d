import Foundation

/// `alerts/*.yml`: receivers, routes and maintenance windows. Without an alerts/ folder
/// this is empty and runs send nothing.
public struct AlertsConfig: Sendable {
    public static let keys = ["version", "receivers", "routes", "maintenance", "delivery"]

    public var receivers: [ReceiverConfig]
    /// In file order (files sorted by name); the first match wins unless the route says `continue: true`.
    public var routes: [AlertRoute]
    public var maintenance: [MaintenanceWindow]
    public var delivery: DeliverySettings

    public static let empty = AlertsConfig(receivers: [], routes: [], maintenance: [], delivery: DeliverySettings())

    public func receiver(named name: String) -> ReceiverConfig? { receivers.first { $0.name == name } }

    /// Every secret of every receiver, for scrubbing transport errors.
    public var secrets: [Secret] { receivers.flatMap(\.settings.secrets) }
}

/// `delivery:` — how long one run may spend retrying, and how long one request may take.
public struct DeliverySettings: Sendable {
    /// Retrying stops when this is spent; what is still pending waits for the next run or `dqmon alerts flush`.
    public var budget: Interval = Interval(seconds: 30)
    /// One HTTP request's timeout.
    public var timeout: Interval = Interval(seconds: 10)
    public init() {}

    /// `budget:` is at most an hour: a run that retries longer holds the history lock for nothing.
    public static let maximumBudget = Interval(seconds: 3_600)
    /// `timeout:` is at most ten minutes.
    public static let maximumTimeout = Interval(seconds: 600)
}

/// What a route's `match:` looks at: the incident's severity and its dataset and check.
public struct AlertSubject: Sendable {
    public var severity: AlertSeverity
    public var tier: Int
    public var dataset: String
    public var owner: String?
    public var tags: [String]
    public var checkType: String
    public var checkID: String

    public init(severity: AlertSeverity, tier: Int, dataset: String, owner: String?, tags: [String], checkType: String, checkID: String) {
        self.severity = severity
        self.tier = tier
        self.dataset = dataset
        self.owner = owner
        self.tags = tags
        self.checkType = checkType
        self.checkID = checkID
    }
}

/// `match:` — every key written must match (AND); a key given a list matches any of its items (OR).
/// `dataset` and `check` are globs; `tags` matches when the dataset has any of the tags.
public struct RouteMatch: Sendable {
    public static let keys = ["severity", "tier", "dataset", "owner", "tags", "check_type", "check"]

    public var severities: [AlertSeverity]?
    public var tiers: [Int]?
    public var datasets: [String]?
    public var owners: [String]?
    public var tags: [String]?
    public var checkTypes: [String]?
    public var checks: [String]?

    public init() {}

    public func matches(_ subject: AlertSubject) -> Bool {
        if let severities, !severities.contains(subject.severity) { return false }
        if let tiers, !tiers.contains(subject.tier) { return false }
        if let datasets, !datasets.contains(where: { Glob.matches($0, subject.dataset) }) { return false }
        if let owners, !owners.contains(where: { $0 == subject.owner }) { return false }
        if let tags, !tags.contains(where: subject.tags.contains) { return false }
        if let checkTypes, !checkTypes.contains(subject.checkType) { return false }
        if let checks, !checks.contains(where: { Glob.matches($0, subject.checkID) }) { return false }
        return true
    }
}

/// One entry of `routes:`.
public struct AlertRoute: Sendable {
    public static let keys = ["match", "receivers", "continue", "repeat_interval", "send_resolved", "include_samples"]

    public var match: RouteMatch
    public var receivers: [String]
    public var continueMatching: Bool
    /// nil: 4h for critical incidents, 24h otherwise.
    public var repeatInterval: Interval?
    public var sendResolved: Bool
    /// `include_samples:` as written on the route; nil when the route does not say, and the receiver's own setting
    /// applies (`AlertsConfig.includesSamples`).
    public var includeSamples: Bool? = nil
    public var location: SourceLocation

    public static func defaultRepeatInterval(for severity: AlertSeverity) -> Interval {
        Interval(seconds: severity == .critical ? 4 * 3_600 : 24 * 3_600)
    }
}

/// Where one incident's events go: a receiver with the settings of the first route that sent it there.
public struct RoutedReceiver: Sendable, Hashable {
    public var receiver: String
    public var repeatInterval: TimeInterval
    public var sendResolved: Bool
    /// Whether its messages carry the failing-row samples of the failing result (`include_samples:`).
    public var includeSamples: Bool = false
}

extension AlertsConfig {
    /// Routes in order: the first match wins, unless it says `continue: true`. A receiver reached by several
    /// routes is sent to once, with the first route's settings. Severity `none` is never routed (record only).
    public func route(_ subject: AlertSubject) -> [RoutedReceiver] {
        guard subject.severity != .none else { return [] }
        var routed: [RoutedReceiver] = []
        for route in routes where route.match.matches(subject) {
            for name in route.receivers where !routed.contains(where: { $0.receiver == name }) {
                guard receiver(named: name)?.isEnabled == true else { continue }
                let interval = route.repeatInterval ?? AlertRoute.defaultRepeatInterval(for: subject.severity)
                routed.append(RoutedReceiver(receiver: name, repeatInterval: interval.seconds, sendResolved: route.sendResolved,
                                             includeSamples: includesSamples(route: route, receiver: name)))
            }
            if !route.continueMatching { break }
        }
        return routed
    }

    /// `include_samples:` precedence: the route's value when the route writes the key (so a route can switch samples on
    /// for the incidents it matches, or off for a receiver that has them on), else the receiver's, else false.
    /// Samples may hold personal data: nothing sends them unless a config line says so.
    public func includesSamples(route: AlertRoute, receiver name: String) -> Bool {
        route.includeSamples ?? receiver(named: name)?.includeSamples ?? false
    }

    /// Whether a maintenance window covers `dataset` at `time`.
    public func inMaintenance(dataset: String, at time: Date) -> MaintenanceWindow? {
        maintenance.first { $0.covers(dataset: dataset, at: time) }
    }
}

/// Shell-style globs (`analytics.*`, `orders/volume/?`).
enum Glob {
    static func matches(_ pattern: String, _ text: String) -> Bool { fnmatch(pattern, text, 0) == 0 }
}

/// `maintenance:` — `cron` (5 fields, UTC) starts a window of `duration` on the `datasets` globs.
public struct MaintenanceWindow: Sendable {
    public static let keys = ["datasets", "cron", "duration", "reason"]
    /// `duration:` is at most 31 days: a longer pause is a silence or a disabled check, and each lookup walks
    /// the schedule back minute by minute over the window.
    public static let maximumDuration = Interval(seconds: 31 * 86_400)

    public var datasets: [String]
    public var cron: CronSchedule
    public var duration: Interval
    public var reason: String?

    public func covers(dataset: String, at time: Date) -> Bool {
        guard datasets.contains(where: { Glob.matches($0, dataset) }) else { return false }
        return isActive(at: time)
    }

    /// Active when the schedule fired within the last `duration` (inclusive start, exclusive end).
    public func isActive(at time: Date) -> Bool {
        cron.lastFire(atOrBefore: time, within: duration.seconds).map { time.timeIntervalSince($0) < duration.seconds } ?? false
    }

    /// Whether the window's `datasets:` names `dataset` (a name or a glob).
    public func names(_ dataset: String) -> Bool { datasets.contains { Glob.matches($0, dataset) } }

    /// The times the window is open between `start` and `end`, as ranges of epoch seconds, oldest first, overlapping
    /// openings merged. Walks the schedule minute by minute, as `isActive` does.
    public func intervals(from start: Date, to end: Date) -> [ClosedRange<Double>] {
        guard end > start else { return [] }
        var ranges: [ClosedRange<Double>] = []
        var minute = ((start.timeIntervalSince1970 - duration.seconds) / 60).rounded(.down) * 60
        let last = end.timeIntervalSince1970
        while minute <= last {
            if cron.fires(at: Date(timeIntervalSince1970: minute)) {
                let range = minute...(minute + duration.seconds)
                if let previous = ranges.last, previous.upperBound >= range.lowerBound {
                    ranges[ranges.count - 1] = previous.lowerBound...max(previous.upperBound, range.upperBound)
                } else {
                    ranges.append(range)
                }
            }
            minute += 60
        }
        return ranges.filter { $0.upperBound > start.timeIntervalSince1970 }
    }

    /// When the window covering `time` ends, if one does.
    public func end(coveringTime time: Date) -> Date? {
        cron.lastFire(atOrBefore: time, within: duration.seconds).map { $0.addingTimeInterval(duration.seconds) }
    }
}
