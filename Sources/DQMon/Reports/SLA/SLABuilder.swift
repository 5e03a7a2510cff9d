import Foundation

/// Computes `dqmon sla` from history; see README "Incidents and SLA" for the formulas.
///
/// Reads stay small however long the history: availability and pass rate are differences of running totals
/// (`DatasetRunTotals`, a few index lookups per dataset), freshness reads only the freshness checks' results in
/// the window (partial covering index `results_freshness`), incidents come from the covering `incidents_sla`.
public struct SLABuilder: Sendable {
    public var configuration: Configuration
    public var window: Interval
    public var now: Date
    public var tier: Int?
    public var dataset: String?

    public init(configuration: Configuration, window: Interval, now: Date, tier: Int? = nil, dataset: String? = nil) {
        self.configuration = configuration
        self.window = window
        self.now = now
        self.tier = tier
        self.dataset = dataset
    }

    var end: Double { now.timeIntervalSince1970 }
    var start: Double { end - window.seconds }

    public var selectedDatasets: [DatasetConfig] {
        configuration.datasets.filter { (tier == nil || $0.tier == tier) && (dataset == nil || $0.name == dataset) }
    }

    /// The figures of the selected datasets.
    ///
    /// `freshnessPoints`: points the caller has already read, by check id: the check's results of its own type in
    /// `(start, end]`, in the order `HistoryTransaction.freshnessPoints` returns them (`dqmon report` passes those of
    /// its one pass over the window instead of reading them twice). A check not in it is read here.
    public func build(history: HistoryStore, freshnessPoints: [String: [FreshnessTimeline.Point]] = [:]) throws(HistoryError) -> SLAReport {
        let selected = selectedDatasets
        let scopes = try history.snapshot { transaction in
            let incidents = try transaction.incidentTimes(detectedAfter: start, through: end)
            return try selected.map {
                try datasetScope($0, incidents: incidents[$0.name] ?? [], freshnessPoints: freshnessPoints, in: transaction)
            }
        }
        let tierNumbers = Set(selected.map(\.tier)).sorted()
        let tiers = tierNumbers.map { number in
            aggregate(scopes.filter { $0.tier == number }, kind: .tier, name: "tier \(number)", tier: number,
                      policy: configuration.project.tiers[number] ?? TierPolicy.defaults[3]!)
        }
        let overall = aggregate(scopes, kind: .overall, name: "overall", tier: nil, policy: nil)
        var report = SLAReport(window: window, windowStart: Date(timeIntervalSince1970: start), now: now,
                               datasets: scopes, tiers: tiers, overall: overall)
        report.documentation = DocumentationCoverage.measure(selected, tiers: configuration.project.tiers)
        return report
    }

    func datasetScope(_ dataset: DatasetConfig, incidents: [IncidentTimes], freshnessPoints: [String: [FreshnessTimeline.Point]] = [:],
                      in transaction: HistoryTransaction) throws -> SLAScope {
        let policy = dataset.sla
        var (availability, passRate) = try runCounts(dataset.name, in: transaction)
        availability.target = policy.availability.fraction
        passRate.target = policy.passRate.fraction
        var scope = SLAScope(kind: .dataset, name: dataset.name, tier: dataset.tier, owner: dataset.owner,
                             freshness: try freshness(dataset, read: freshnessPoints, in: transaction), availability: availability, passRate: passRate,
                             mttd: DurationStats(values: []), mtta: DurationStats(values: []), mttr: DurationStats(values: []),
                             downtime: 0, incidentCount: 0, openIncidents: 0)
        scope.freshness?.ratio.target = policy.freshness.fraction
        applyIncidents(incidents, to: &scope, policy: policy)
        return scope
    }

    /// Availability (runs without an `error` result for the dataset / runs) and pass rate
    /// (`pass` / `pass` + `warn` + `fail`; `error` was not evaluated). A run is one instant (evaluated_at) of the
    /// dataset's results; the counts come from `DatasetRunTotals` as differences of running totals.
    func runCounts(_ dataset: String, in transaction: HistoryTransaction) throws -> (RatioFigure, RatioFigure) {
        let total = try transaction.runTotals(dataset: dataset, through: end)
        let since = { (from: Double) in try total - transaction.runTotals(dataset: dataset, through: from) }
        let window = try since(start), hour = try since(max(start, end - 3_600)), six = try since(max(start, end - 21_600))
        let availability = RatioFigure(good: Double(window.available), total: Double(window.runs),
                                       lastHour: (Double(hour.available), Double(hour.runs)),
                                       lastSixHours: (Double(six.available), Double(six.runs)))
        let passRate = RatioFigure(good: Double(window.passes), total: Double(window.evaluated),
                                   lastHour: (Double(hour.passes), Double(hour.evaluated)),
                                   lastSixHours: (Double(six.passes), Double(six.evaluated)))
        return (availability, passRate)
    }

    /// The results, in the window and the last one before it, of each check that measures the dataset's freshness
    /// (`CheckSpec.freshnessThresholds`), combined into the dataset's timeline; the window's points are taken from
    /// `read` when the caller has them.
    func freshness(_ dataset: DatasetConfig, read: [String: [FreshnessTimeline.Point]] = [:], in transaction: HistoryTransaction) throws -> FreshnessFigure? {
        let checks = dataset.checks.compactMap { check in check.spec.freshnessThresholds.map { (check.id, check.typeName, $0) } }
        guard !checks.isEmpty else { return nil }
        var timelines: [FreshnessTimeline] = []
        for (checkID, typeName, thresholds) in checks {
            let prior = try transaction.lastFreshnessPoint(checkID: checkID, checkType: typeName, atOrBefore: start)
            let points = try read[checkID] ?? transaction.freshnessPoints(checkID: checkID, checkType: typeName, after: start, through: end)
            timelines.append(FreshnessTimeline(prior: prior, points: points, windowStart: start, now: end,
                                               expectedInterval: dataset.every?.seconds, thresholds: thresholds))
        }
        let timeline = FreshnessTimeline.combine(timelines)
        guard !timeline.pieces.isEmpty else { return nil }
        return Self.freshnessFigure(timeline, start: start, end: end)
    }

    static func freshnessFigure(_ timeline: FreshnessTimeline, start: Double, end: Double) -> FreshnessFigure {
        let split = timeline.measure(from: start, to: end)
        let hour = timeline.measure(from: end - 3_600, to: end), six = timeline.measure(from: end - 21_600, to: end)
        return FreshnessFigure(split: split, ratio: RatioFigure(good: split.fresh, total: split.total,
                                                                lastHour: (hour.fresh, hour.total), lastSixHours: (six.fresh, six.total)))
    }

    /// The times of one incident that the SLA figures use.
    struct IncidentTimes {
        var detected: Double
        var onset: Double
        var acknowledged: Double?
        var resolved: Double?
    }

    /// TTD = detected − onset; TTA = acknowledged − detected; TTR = resolved − detected (acks and resolutions
    /// after `now` do not count yet); downtime = Σ(TTD + TTR), an open incident's TTR running to `now`.
    func applyIncidents(_ incidents: [IncidentTimes], to scope: inout SLAScope, policy: TierPolicy?) {
        var ttd: [Double] = [], tta: [Double] = [], ttr: [Double] = []
        var downtime = 0.0, open = 0
        for incident in incidents {
            let detected = incident.detected
            let detection = detected - incident.onset
            ttd.append(detection)
            if let acked = incident.acknowledged, acked <= end { tta.append(acked - detected) }
            if let resolved = incident.resolved, resolved <= end {
                ttr.append(resolved - detected)
                downtime += detection + resolved - detected
            } else {
                open += 1
                downtime += detection + end - detected
            }
        }
        scope.mttd = DurationStats(values: ttd, target: policy?.mttd.seconds)
        scope.mtta = DurationStats(values: tta)
        scope.mttr = DurationStats(values: ttr, target: policy?.mttr.seconds)
        scope.downtime = downtime
        scope.incidentCount = incidents.count
        scope.openIncidents = open
    }

    /// A tier (or overall): sums of the datasets' good/total, all their incidents, and the tier's targets.
    func aggregate(_ scopes: [SLAScope], kind: SLAScope.Kind, name: String, tier: Int?, policy: TierPolicy?) -> SLAScope {
        var availability = scopes.reduce(RatioFigure()) { $0.adding($1.availability) }
        var passRate = scopes.reduce(RatioFigure()) { $0.adding($1.passRate) }
        let freshnessScopes = scopes.compactMap(\.freshness)
        var freshness: FreshnessFigure? = freshnessScopes.isEmpty ? nil : FreshnessFigure(
            split: freshnessScopes.reduce(TimeSplit()) { $0 + $1.split },
            ratio: freshnessScopes.reduce(RatioFigure()) { $0.adding($1.ratio) })
        availability.target = policy?.availability.fraction
        passRate.target = policy?.passRate.fraction
        freshness?.ratio.target = policy?.freshness.fraction
        return SLAScope(kind: kind, name: name, tier: tier, owner: nil, freshness: freshness, availability: availability, passRate: passRate,
                        mttd: DurationStats(values: scopes.flatMap(\.mttd.values), target: policy?.mttd.seconds),
                        mtta: DurationStats(values: scopes.flatMap(\.mtta.values)),
                        mttr: DurationStats(values: scopes.flatMap(\.mttr.values), target: policy?.mttr.seconds),
                        downtime: scopes.reduce(0) { $0 + $1.downtime }, incidentCount: scopes.reduce(0) { $0 + $1.incidentCount },
                        openIncidents: scopes.reduce(0) { $0 + $1.openIncidents })
    }
}
