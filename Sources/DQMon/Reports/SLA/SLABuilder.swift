import Foundation
import GRDB

/// Computes `dqmon sla` from history (SPEC section 5). Every query is an index range scan
/// (`results_sla`, `results_check_time`, `incidents_detected`); see README "Incidents and SLA" for the formulas.
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

    public func build(history: HistoryStore) throws(HistoryError) -> SLAReport {
        let selected = selectedDatasets
        let scopes = try history.read { db in
            let incidents = try incidentsInWindow(db)
            return try selected.map { try datasetScope($0, incidents: incidents[$0.name] ?? [], db: db) }
        }
        let tierNumbers = Set(selected.map(\.tier)).sorted()
        let tiers = tierNumbers.map { number in
            aggregate(scopes.filter { $0.tier == number }, kind: .tier, name: "tier \(number)", tier: number,
                      policy: configuration.project.tiers[number] ?? TierPolicy.defaults[3]!)
        }
        let overall = aggregate(scopes, kind: .overall, name: "overall", tier: nil, policy: nil)
        return SLAReport(window: window, windowStart: Date(timeIntervalSince1970: start), now: now,
                         datasets: scopes, tiers: tiers, overall: overall)
    }

    func datasetScope(_ dataset: DatasetConfig, incidents: [Incident], db: Database) throws -> SLAScope {
        let policy = dataset.sla
        var (availability, passRate) = try runCounts(dataset.name, db: db)
        availability.target = policy.availability.fraction
        passRate.target = policy.passRate.fraction
        var scope = SLAScope(kind: .dataset, name: dataset.name, tier: dataset.tier, owner: dataset.owner,
                             freshness: try freshness(dataset, db: db), availability: availability, passRate: passRate,
                             mttd: DurationStats(values: []), mtta: DurationStats(values: []), mttr: DurationStats(values: []),
                             downtime: 0, incidentCount: 0, openIncidents: 0)
        scope.freshness?.ratio.target = policy.freshness.fraction
        applyIncidents(incidents, to: &scope, policy: policy)
        return scope
    }

    /// Availability (runs without an `error` result for the dataset / runs) and pass rate
    /// (`pass` / `pass` + `warn` + `fail`; `error` was not evaluated). A run is identified by its evaluated_at.
    func runCounts(_ dataset: String, db: Database) throws -> (RatioFigure, RatioFigure) {
        let rows = try Row.fetchAll(db, sql: """
            SELECT evaluated_at, max(status = 'error'), sum(status = 'pass'), sum(status IN ('pass', 'warn', 'fail'))
            FROM results WHERE dataset = ? AND evaluated_at > ? AND evaluated_at <= ?
            GROUP BY evaluated_at
            """, arguments: [dataset, start, end])
        var availability = RatioFigure(), passRate = RatioFigure()
        for row in rows {
            let at: Double = row[0]
            let available: Double = (row[1] as Int) == 0 ? 1 : 0
            let passes = Double(row[2] as Int), evaluated = Double(row[3] as Int)
            availability.good += available
            availability.total += 1
            passRate.good += passes
            passRate.total += evaluated
            if at > end - 3_600 {
                availability.lastHour = (availability.lastHour.good + available, availability.lastHour.total + 1)
                passRate.lastHour = (passRate.lastHour.good + passes, passRate.lastHour.total + evaluated)
            }
            if at > end - 21_600 {
                availability.lastSixHours = (availability.lastSixHours.good + available, availability.lastSixHours.total + 1)
                passRate.lastSixHours = (passRate.lastSixHours.good + passes, passRate.lastSixHours.total + evaluated)
            }
        }
        return (availability, passRate)
    }

    func freshness(_ dataset: DatasetConfig, db: Database) throws -> FreshnessFigure? {
        let checks = dataset.checks.compactMap { check in (check.spec as? FreshnessCheck).map { (check.id, $0) } }
        guard !checks.isEmpty else { return nil }
        var points: [String: [FreshnessTimeline.Point]] = [:]
        let rows = try Row.fetchAll(db, sql: """
            SELECT check_id, evaluated_at, status, data_timestamp FROM results
            WHERE dataset = ? AND evaluated_at > ? AND evaluated_at <= ? AND check_type = 'freshness'
            ORDER BY evaluated_at
            """, arguments: [dataset.name, start, end])
        for row in rows {
            points[row[0], default: []].append(FreshnessTimeline.Point(at: row[1], status: CheckStatus(rawValue: row[2]) ?? .error, dataTimestamp: row[3]))
        }
        var timelines: [FreshnessTimeline] = []
        for (checkID, check) in checks {
            let prior = try Row.fetchOne(db, sql: """
                SELECT evaluated_at, status, data_timestamp FROM results WHERE check_id = ? AND evaluated_at <= ?
                ORDER BY evaluated_at DESC LIMIT 1
                """, arguments: [checkID, start]).map { FreshnessTimeline.Point(at: $0[0], status: CheckStatus(rawValue: $0[1]) ?? .error, dataTimestamp: $0[2]) }
            timelines.append(FreshnessTimeline(prior: prior, points: points[checkID] ?? [], windowStart: start, now: end,
                                               expectedInterval: dataset.every?.seconds, thresholds: (check.warnAfter, check.errorAfter)))
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

    /// Incidents detected in the window, by dataset.
    func incidentsInWindow(_ db: Database) throws -> [String: [Incident]] {
        let rows = try Row.fetchAll(db, sql: "SELECT \(IncidentQueries.columns) FROM incidents WHERE detected_at > ? AND detected_at <= ?",
                                    arguments: [start, end])
        return Dictionary(grouping: rows.map(IncidentQueries.decode), by: \.dataset)
    }

    /// TTD = detected − onset; TTA = acknowledged − detected; TTR = resolved − detected (acks and resolutions
    /// after `now` do not count yet); downtime = Σ(TTD + TTR), an open incident's TTR running to `now`.
    func applyIncidents(_ incidents: [Incident], to scope: inout SLAScope, policy: TierPolicy?) {
        var ttd: [Double] = [], tta: [Double] = [], ttr: [Double] = []
        var downtime = 0.0, open = 0
        for incident in incidents {
            let detected = incident.detectedAt.timeIntervalSince1970
            let detection = detected - incident.onsetAt.timeIntervalSince1970
            ttd.append(detection)
            if let acked = incident.acknowledgedAt?.timeIntervalSince1970, acked <= end { tta.append(acked - detected) }
            if let resolved = incident.resolvedAt?.timeIntervalSince1970, resolved <= end {
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
