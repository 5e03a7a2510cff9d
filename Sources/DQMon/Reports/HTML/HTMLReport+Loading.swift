import Foundation

extension HTMLReport {
    /// Reads what the page shows from `history`: the SLA figures (`SLABuilder`), the incidents of the window's
    /// review with their events, recent results with their samples, schema snapshots, each dataset's results of the
    /// window reduced as they are read (`HistoryStore.forEachReportDatasetRows` and `ReportDatasetReducer`: chart buckets, counts, day slices,
    /// flags, strips, freshness points, warehouse time per run), and the problem runs of the datasets the overview
    /// describes. The SLA figures take the freshness points the pass has read (`slaFreshnessPoints`) rather than
    /// reading them again.
    public static func load(configuration: Configuration, history: HistoryStore, window: Interval, now: Date) throws -> HTMLReport {
        let end = now.timeIntervalSince1970, start = end - window.seconds
        let incidents = try loadIncidents(history: history, configuration: configuration, window: window, now: now)
        let openByDataset = Dictionary(grouping: incidents.all.filter { $0.status == .open }, by: \.dataset)
        let countByDataset = Dictionary(grouping: incidents.all, by: \.dataset).mapValues(\.count)
        let recent = try history.reportRecentResults(configuration.checks.map(\.id), through: end, limit: recentLimit)
        // Each dataset's schema snapshots (newest first, at most 50) with the changes between them, as
        // `dqmon history DATASET --schema` pairs them.
        let snapshots = try history.reportSchemaSnapshots(datasets: configuration.datasets.map(\.name), limit: 51)
        let schemas = snapshots.mapValues { SchemaHistoryRenderer.entries($0, limit: 50) }
        let resolution = Self.resolution(charts: configuration.checks.count)
        let byName = Dictionary(configuration.datasets.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let wanted = configuration.datasets.map { dataset in
            ReportDatasetChecks(name: dataset.name, checkIDs: dataset.checks.map(\.id),
                                freshnessCheckIDs: Set(dataset.checks.filter { $0.spec.freshnessThresholds != nil }.map(\.id)),
                                freshnessCheckTypes: Dictionary(dataset.checks.filter { $0.spec.freshnessThresholds != nil }.map { ($0.id, $0.typeName) },
                                                                uniquingKeysWith: { first, _ in first }))
        }
        let spanDays = ((end - start) / 86_400).rounded(.up)  // --window is validated positive; a non-finite span still draws one day
        let days = spanDays.isFinite ? Int(min(400, max(1, spanDays))) : 1
        let query = ReportRowsQuery(start: start, end: end, buckets: resolution, dayStart: end - Double(days) * 86_400, days: days,
                                    stripLength: stripLength)
        // Each dataset's rows are reduced, its report built and its section rendered on a second thread while the
        // pass reads the next datasets (the read is mostly SQLite, the rest Swift: on two cores they overlap).
        let documentation = DocumentationCoverage.measure(configuration)
        let names = Set(configuration.datasets.map(\.name))
        let sections = DatasetSectionPipeline(context: HTMLReport(
            now: now, window: window, sla: SLAReport.placeholder(configuration: configuration, window: window, now: now), datasets: [], incidents: incidents,
            cost: CostReport(runs: []), documentation: documentation, resolution: resolution, datasetNames: names))
        try history.forEachReportDatasetRows(wanted, query: query) { checks, raw in
            let name = checks.name
            guard let dataset = byName[name] else { return }
            let (schemaEntries, openIncidents, incidentCount) = (schemas[name] ?? [], openByDataset[name] ?? [], countByDataset[name] ?? 0)
            sections.add(raw, checks: checks, query: query) { rows in
                let loader = DatasetLoader(dataset: dataset, configuration: configuration, start: start, end: end, resolution: resolution, days: days)
                var report = loader.report(rows: rows, recent: recent)
                report.schemaEntries = schemaEntries
                report.openIncidents = openIncidents
                report.incidentCount = incidentCount
                return report
            }
        }
        let (datasets, rendered, runs, slaFreshness) = sections.finish()
        let sla = try SLABuilder(configuration: configuration, window: window, now: now).build(history: history, freshnessPoints: slaFreshness)
        var report = HTMLReport(now: now, window: window, sla: sla, datasets: datasets, incidents: incidents,
                                cost: CostReport(runs: runs.oldestFirst.map { (at: $0.at, seconds: $0.milliseconds / 1_000) }),
                                documentation: documentation, resolution: resolution, datasetNames: names, renderedSections: rendered)
        try report.loadProblemSpans(history: history)
        return report
    }

    /// The longest problem runs of each check of the datasets the overview's "Needs attention" describes (the only
    /// place they are shown), from those checks' status sequences.
    mutating func loadProblemSpans(history: HistoryStore) throws {
        let described = Set(datasetsByTrouble.prefix(Self.attentionLimit).map(\.config.name))
        let checkIDs = datasets.filter { described.contains($0.config.name) }.flatMap { $0.checks.map(\.config.id) }
        let series = try history.statusSeries(checkIDs: checkIDs, after: start, through: end)
        for datasetIndex in datasets.indices where described.contains(datasets[datasetIndex].config.name) {
            for checkIndex in datasets[datasetIndex].checks.indices {
                let id = datasets[datasetIndex].checks[checkIndex].config.id
                datasets[datasetIndex].checks[checkIndex].problemSpans = ProblemSpan.spans(series[id] ?? [])
            }
        }
    }

    /// The incidents of the window's review (`IncidentReview`: detected or resolved in the window, or still open),
    /// open first, then newest detection; events for the first `incidentTimelineLimit`.
    static func loadIncidents(history: HistoryStore, configuration: Configuration, window: Interval, now: Date) throws -> IncidentsReport {
        let review = try IncidentReview.build(history: history, configuration: configuration, window: window, now: now)
        let ordered = review.entries.filter { $0.incident.status == .open } + review.entries.filter { $0.incident.status != .open }
        let all = ordered.map(\.incident)
        var events: [Int64: [IncidentEvent]] = [:]
        let timelines = Array(all.prefix(incidentTimelineLimit))
        for incident in timelines { events[incident.id] = try history.incidentEvents(id: incident.id) }
        let listed = Array(all.prefix(incidentListLimit))
        return IncidentsReport(all: listed, total: all.count, events: events,
                               reviews: Dictionary(ordered.map { ($0.incident.id, $0.record) }, uniquingKeysWith: { first, _ in first }),
                               causes: review.groups.map { ($0.title, $0.entries.count) }, openFollowups: review.openFollowups,
                               samples: try history.reportIncidentSamples(timelines, now: now),
                               upstreamRoots: try history.reportUpstreamRoots(of: listed.map(\.id)))
    }

}

/// Reduces datasets' rows, builds their reports and renders their sections on a serial queue, in the order they
/// are added, while the caller goes on reading the history. `context` is the page being loaded as far as a section
/// needs it (window, resolution, incidents, the configured dataset names); its SLA and other datasets are not used
/// by a section. Run times and SLA freshness points are gathered in the same order as the pass used to.
final class DatasetSectionPipeline: @unchecked Sendable {
    let context: HTMLReport
    private let queue = DispatchQueue(label: "dqmon.report.sections")
    // Touched only on `queue` (and read by `finish` through it).
    private var reports: [DatasetReport] = []
    private var sections: [String] = []
    private var runs = ReportRunTimes()
    private var slaFreshness: [String: [FreshnessTimeline.Point]] = [:]

    init(context: HTMLReport) { self.context = context }

    /// Reduces a dataset's rows, builds its report with `make` and renders its section, after those added before.
    func add(_ raw: [ReportRawRow], checks: ReportDatasetChecks, query: ReportRowsQuery,
             _ make: @escaping @Sendable (ReportDatasetRows) -> DatasetReport) {
        queue.async {
            let (rows, reducer) = ReportDatasetReducer.reduce(raw, checks: checks, query: query)
            self.runs.add(reducer)
            self.slaFreshness.merge(rows.slaFreshnessPoints) { first, _ in first }
            let report = make(rows)
            self.reports.append(report)
            self.sections.append(self.context.datasetSection(report))
        }
    }

    /// Waits for every dataset added; returns the reports and their sections in order, the run times and the SLA
    /// freshness points.
    func finish() -> ([DatasetReport], [String], ReportRunTimes, [String: [FreshnessTimeline.Point]]) {
        queue.sync { (reports, sections, runs, slaFreshness) }
    }
}

extension SLAReport {
    /// An SLA report without datasets, for a page being loaded whose figures are not computed yet.
    static func placeholder(configuration: Configuration, window: Interval, now: Date) -> SLAReport {
        let builder = SLABuilder(configuration: configuration, window: window, now: now)
        return SLAReport(window: window, windowStart: Date(timeIntervalSince1970: builder.start), now: now, datasets: [], tiers: [],
                         overall: builder.aggregate([], kind: .overall, name: "overall", tier: nil, policy: nil))
    }
}

/// Turns one dataset's rows reduced in SQL (`ReportDatasetRows`) into what its section draws.
struct DatasetLoader {
    var dataset: DatasetConfig
    var configuration: Configuration
    var start: Double
    var end: Double
    var resolution: Int
    var days: Int

    func report(rows: ReportDatasetRows, recent: [String: [ReportRecentResult]]) -> DatasetReport {
        let checks = dataset.checks.map { check in checkReport(check, rows: rows, recent: recent[check.id] ?? []) }
        let latest = checks.compactMap { $0.strip.last?.status }.max { StatusStrip.severity($0) < StatusStrip.severity($1) }
        let cost = DatasetCost(runs: rows.perRun.count,
                               perRun: MillisecondStats(count: rows.perRun.count, total: rows.perRun.total, maximum: rows.perRun.maximum))
        return DatasetReport(
            config: dataset, runbookLink: dataset.runbook.flatMap(runbookLink), checks: checks, schemaEntries: [],
            freshness: freshnessTimeline(rows.freshnessPoints), freshnessThresholds: dataset.checks.lazy.compactMap(\.spec.freshnessThresholds).first,
            daily: (0..<days).map { rows.dailyWorst[$0] },
            latestStatus: latest, openIncidents: [], incidentCount: 0, cost: cost)
    }

    func runbookLink(_ runbook: String) -> String? {
        IncidentRenderer.Detail.link(for: runbook, baseURL: configuration.project.runbookBaseURL) ?? runbook
    }

    func checkReport(_ check: CheckConfig, rows: ReportDatasetRows, recent: [ReportRecentResult]) -> CheckReport {
        let buckets = rows.buckets[check.id] ?? []
        let ms = rows.milliseconds[check.id] ?? .init()
        let cost = MillisecondStats(count: ms.count, total: ms.total, maximum: ms.maximum)
        return CheckReport(config: check, chart: chart(check, buckets: buckets, flagged: rows.flagged[check.id] ?? []), recent: recent.map(\.result),
                           recentSamples: recent.map(\.samples),
                           strip: rows.strips[check.id] ?? [], counts: rows.statusCounts[check.id] ?? [:], queryMilliseconds: cost)
    }

    /// The middle of chart bucket `index`, where its point is drawn.
    func bucketTime(_ index: Int) -> Double {
        start + (Double(index) + 0.5) / Double(max(1, resolution)) * (end - start)
    }

    /// The bucket means, the band's lowest lower and highest upper bound per bucket where results carry one, and
    /// the flagged points: outside the band (▲/▼, as `dqmon history` marks them), over a freshness threshold (▲),
    /// or failing elsewhere (✕), one per flag bucket.
    func chart(_ check: CheckConfig, buckets: [ReportDatasetRows.Bucket], flagged: [ReportDatasetRows.Flagged]) -> TimeSeriesChartData? {
        let values = buckets.filter { $0.valueCount > 0 }.map { (at: bucketTime($0.index), value: $0.valueTotal / Double($0.valueCount)) }
        guard !values.isEmpty else { return nil }
        let band = buckets.compactMap { bucket -> (at: Double, range: ExpectedRange)? in
            guard let low = bucket.bandLow, let high = bucket.bandHigh, let range = ExpectedRange(lower: low, upper: high) else { return nil }
            return (at: bucketTime(bucket.index), range: range)
        }
        let thresholds = check.spec.freshnessThresholds
        let flags = flagged.map { flag -> TimeSeriesChart.Flag in
            let shape: TimeSeriesChart.FlagShape
            switch flag.shape {
            case .above: shape = .above
            case .below: shape = .below
            case .failed: shape = thresholds == nil ? .failed : .above
            }
            return .init(at: flag.at, value: flag.value, shape: shape)
        }
        var flaggedChart = TimeSeriesChart(label: "", start: start, end: end, values: [], flags: flags)
        flaggedChart.maximumFlags = min(flaggedChart.maximumFlags, resolution)
        return TimeSeriesChartData(values: values, band: band, flags: flaggedChart.shownFlags(), thresholds: thresholds)
    }

    /// The dataset's freshness over the window, combined over its freshness checks as `dqmon sla` does.
    func freshnessTimeline(_ points: [String: [FreshnessTimeline.Point]]) -> FreshnessTimeline {
        let timelines = dataset.checks.compactMap { check -> FreshnessTimeline? in
            guard let thresholds = check.spec.freshnessThresholds else { return nil }
            return FreshnessTimeline(prior: nil, points: points[check.id] ?? [], windowStart: start, now: end,
                                     expectedInterval: dataset.every?.seconds, thresholds: thresholds)
        }
        return FreshnessTimeline.combine(timelines)
    }
}
