import Foundation

extension HTMLReport {
    /// Reads what the page shows from `history`: the SLA figures (`SLABuilder`), each dataset's results of the window
    /// (one index range per dataset, reduced as it is read; nothing else is read inside that snapshot, as GRDB reads do
    /// not nest), recent results, schema snapshots, and the incidents
    /// detected in the window or still open with their events.
    public static func load(configuration: Configuration, history: HistoryStore, window: Interval, now: Date) throws -> HTMLReport {
        let end = now.timeIntervalSince1970, start = end - window.seconds
        let sla = try SLABuilder(configuration: configuration, window: window, now: now).build(history: history)
        let incidents = try loadIncidents(history: history, configuration: configuration, window: window, now: now)
        let openByDataset = Dictionary(grouping: incidents.all.filter { $0.status == .open }, by: \.dataset)
        let countByDataset = Dictionary(grouping: incidents.all, by: \.dataset).mapValues(\.count)
        let recent = try history.recentResults(configuration.checks.map(\.id), through: end, limit: recentLimit)
        var schemas: [String: [SchemaHistoryRenderer.Entry]] = [:]
        for dataset in configuration.datasets { schemas[dataset.name] = try schemaEntries(dataset: dataset.name, history: history) }
        var datasets: [DatasetReport] = []
        var runSeconds: [Int64: (at: Double, milliseconds: Double)] = [:]
        let resolution = Self.resolution(charts: configuration.checks.count)
        let byName = Dictionary(configuration.datasets.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let wanted = configuration.datasets.map { (name: $0.name, checkIDs: $0.checks.map(\.id)) }
        try history.forEachDatasetResults(wanted, after: start, through: end) { name, byCheck in
            guard let dataset = byName[name] else { return }
            let loader = DatasetLoader(dataset: dataset, configuration: configuration, start: start, end: end, resolution: resolution)
            var report = loader.report(byCheck: byCheck, recent: recent)
            let samples = byCheck.values.flatMap { $0 }
            report.schemaEntries = schemas[name] ?? []
            report.openIncidents = openByDataset[name] ?? []
            report.incidentCount = countByDataset[name] ?? 0
            datasets.append(report)
            for (run, milliseconds) in DatasetLoader.runMilliseconds(samples) {
                runSeconds[run.id, default: (run.at, 0)].milliseconds += milliseconds
            }
        }
        let runs = runSeconds.values.sorted { $0.at < $1.at }.map { (at: $0.at, seconds: $0.milliseconds / 1_000) }
        return HTMLReport(now: now, window: window, sla: sla, datasets: datasets, incidents: incidents, cost: CostReport(runs: runs),
                          documentation: DocumentationCoverage.measure(configuration), resolution: resolution)
    }

    /// The incidents of the window's review (`IncidentReview`: detected or resolved in the window, or still open),
    /// open first, then newest detection; events for the first `incidentTimelineLimit`.
    static func loadIncidents(history: HistoryStore, configuration: Configuration, window: Interval, now: Date) throws -> IncidentsReport {
        let review = try IncidentReview.build(history: history, configuration: configuration, window: window, now: now)
        let ordered = review.entries.filter { $0.incident.status == .open } + review.entries.filter { $0.incident.status != .open }
        let all = ordered.map(\.incident)
        var events: [Int64: [IncidentEvent]] = [:]
        for incident in all.prefix(incidentTimelineLimit) { events[incident.id] = try history.incidentEvents(id: incident.id) }
        return IncidentsReport(all: Array(all.prefix(incidentListLimit)), total: all.count, events: events,
                               reviews: Dictionary(ordered.map { ($0.incident.id, $0.record) }, uniquingKeysWith: { first, _ in first }),
                               causes: review.groups.map { ($0.title, $0.entries.count) }, openFollowups: review.openFollowups)
    }

    /// The dataset's schema snapshots (newest first, at most 50) with the changes between them, as
    /// `dqmon history DATASET --schema` pairs them.
    static func schemaEntries(dataset: String, history: HistoryStore) throws -> [SchemaHistoryRenderer.Entry] {
        let snapshots = try history.schemaSnapshots(dataset: dataset, limit: 51)
        return SchemaHistoryRenderer.entries(snapshots, limit: 50)
    }
}

/// Reduces one dataset's results of the window to what its section draws.
struct DatasetLoader {
    var dataset: DatasetConfig
    var configuration: Configuration
    var start: Double
    var end: Double
    var resolution: Int

    func report(byCheck: [String: [ResultSample]], recent: [String: [CheckResult]]) -> DatasetReport {
        let samples = byCheck.values.flatMap { $0 }
        let checks = dataset.checks.map { check in
            checkReport(check, samples: byCheck[check.id] ?? [], recent: recent[check.id] ?? [])
        }
        let latest = checks.compactMap { $0.strip.last?.status }.max { StatusStrip.severity($0) < StatusStrip.severity($1) }
        let days = max(1, Int(min(400, ((end - start) / 86_400).rounded(.up))))
        var cost = DatasetCost()
        for (_, milliseconds) in Self.runMilliseconds(samples) {
            cost.runs += 1
            cost.perRun.add(milliseconds)
        }
        return DatasetReport(
            config: dataset, runbookLink: dataset.runbook.flatMap(runbookLink), checks: checks, schemaEntries: [],
            freshness: freshnessTimeline(byCheck), freshnessThresholds: dataset.checks.lazy.compactMap(\.spec.freshnessThresholds).first,
            daily: StatusStrip.worstBySlice(samples.map { ($0.at, $0.status) }, start: end - Double(days) * 86_400, end: end, count: days),
            latestStatus: latest, openIncidents: [], incidentCount: 0, cost: cost)
    }

    func runbookLink(_ runbook: String) -> String? {
        IncidentRenderer.Detail.link(for: runbook, baseURL: configuration.project.runbookBaseURL) ?? runbook
    }

    func checkReport(_ check: CheckConfig, samples: [ResultSample], recent: [CheckResult]) -> CheckReport {
        var counts: [CheckStatus: Int] = [:]
        var cost = MillisecondStats()
        for sample in samples {
            counts[sample.status, default: 0] += 1
            cost.add(sample.queryMilliseconds)
        }
        return CheckReport(config: check, chart: chart(check, samples: samples), recent: recent,
                           strip: samples.suffix(HTMLReport.stripLength).map { ($0.at, $0.status) }, counts: counts, queryMilliseconds: cost,
                           problemSpans: ProblemSpan.spans(samples))
    }

    /// Values bucketed to the chart's resolution, the expected band where results carry one, and the flagged points:
    /// outside the band (▲/▼, as `dqmon history` marks them), over a freshness threshold (▲), or failing elsewhere (✕).
    func chart(_ check: CheckConfig, samples: [ResultSample]) -> TimeSeriesChartData? {
        let values = samples.compactMap { sample in sample.observed.flatMap { $0.isFinite ? (at: sample.at, value: $0) : nil } }
        guard !values.isEmpty else { return nil }
        let bucketed = Downsample.buckets(values, start: start, end: end, count: resolution).map { (at: $0.at, value: $0.mean) }
        let band = samples.compactMap { sample in sample.expectedRange.map { (at: sample.at, range: $0) } }
        let thresholds = check.spec.freshnessThresholds
        let flags = samples.compactMap { sample -> TimeSeriesChart.Flag? in
            guard let value = sample.observed, value.isFinite else { return nil }
            if let range = sample.expectedRange {
                if value > range.upper { return .init(at: sample.at, value: value, shape: .above) }
                if value < range.lower { return .init(at: sample.at, value: value, shape: .below) }
                return nil
            }
            guard sample.status == .fail || sample.status == .warn else { return nil }
            return .init(at: sample.at, value: value, shape: thresholds == nil ? .failed : .above)
        }
        var flagged = TimeSeriesChart(label: "", start: start, end: end, values: [], flags: flags)
        flagged.maximumFlags = min(flagged.maximumFlags, resolution)
        let shown = flagged.shownFlags()
        return TimeSeriesChartData(values: bucketed, band: bucketedBand(band), flags: shown, thresholds: thresholds)
    }

    /// The band's lowest lower and highest upper bound per bucket.
    func bucketedBand(_ band: [(at: Double, range: ExpectedRange)]) -> [(at: Double, range: ExpectedRange)] {
        let lows = Downsample.buckets(band.map { ($0.at, $0.range.lower) }, start: start, end: end, count: resolution)
        let highs = Downsample.buckets(band.map { ($0.at, $0.range.upper) }, start: start, end: end, count: resolution)
        return zip(lows, highs).compactMap { low, high in ExpectedRange(lower: low.low, upper: high.high).map { (at: low.at, range: $0) } }
    }

    /// The dataset's freshness over the window, combined over its freshness checks as `dqmon sla` does.
    func freshnessTimeline(_ byCheck: [String: [ResultSample]]) -> FreshnessTimeline {
        let timelines = dataset.checks.compactMap { check -> FreshnessTimeline? in
            guard let thresholds = check.spec.freshnessThresholds else { return nil }
            let points = (byCheck[check.id] ?? []).map { FreshnessTimeline.Point(at: $0.at, status: $0.status, dataTimestamp: $0.dataTimestamp) }
            return FreshnessTimeline(prior: nil, points: points, windowStart: start, now: end,
                                     expectedInterval: dataset.every?.seconds, thresholds: thresholds)
        }
        return FreshnessTimeline.combine(timelines)
    }

    /// Per run of the dataset: its statement's time, counted once (the largest `query_ms` of its results).
    static func runMilliseconds(_ samples: [ResultSample]) -> [(run: (id: Int64, at: Double), milliseconds: Double)] {
        var runs: [Int64: (at: Double, milliseconds: Double)] = [:]
        var order: [Int64] = []
        for sample in samples {
            guard let value = sample.queryMilliseconds, value.isFinite, value >= 0 else { continue }
            if runs[sample.runID] == nil { order.append(sample.runID) }
            runs[sample.runID, default: (sample.at, 0)].milliseconds = max(runs[sample.runID]?.milliseconds ?? 0, value)
        }
        return order.compactMap { id in runs[id].map { ((id: id, at: $0.at), $0.milliseconds) } }
    }
}
