import Foundation

/// `dqmon report`: everything one self-contained HTML page shows, loaded from history and config by `load`, drawn
/// by `render` (pure: the same report renders the same bytes).
///
/// Contract:
/// - The window is `(now − window, now]`, as for `dqmon sla`; the SLA figures are `SLABuilder`'s.
/// - Every dataset of the configuration gets a section with the anchor `dataset-<slug>`, every incident shown gets
///   `incident-<id>` (`HTMLReport.datasetAnchor`, `incidentAnchor`: the same functions make alert links).
/// - Series are bucketed to at most `resolution` points, recent results to `recentLimit` per check, incident
///   timelines to `incidentTimelineLimit`, so the page stays small for a thousand datasets.
/// - Every config or history value is escaped (`HTMLText.escape`); links other than http(s) or relative paths are
///   not made clickable.
public struct HTMLReport: Sendable {
    public var now: Date
    public var window: Interval
    public var sla: SLAReport
    var datasets: [DatasetReport]
    var incidents: IncidentsReport
    var cost: CostReport
    /// Documentation completeness per tier and overall, as `dqmon sla` computes it (`DocumentationCoverage`).
    var documentation: DocumentationCoverage

    var end: Double { now.timeIntervalSince1970 }
    var start: Double { end - window.seconds }

    /// Points per chart: 120, fewer when there are many charts (`resolution(charts:)`).
    var resolution = 120
    /// The names of the configured datasets (each has a section), when known before `datasets` is complete: the
    /// sections are rendered while the history is still being read (`load`), and a note links an upstream dataset
    /// only when the page has its section.
    var datasetNames: Set<String>?
    /// The dataset sections, one per entry of `datasets` in order, rendered by `load` on a second thread while it
    /// read the next datasets (`datasetSection` of the same values, so the same bytes). `datasetsSection` renders
    /// them itself when absent or when `datasets` no longer matches them in count.
    var renderedSections: [String]?
    static let recentLimit = 3
    static let stripLength = 48
    static let incidentTimelineLimit = 100
    static let incidentListLimit = 500
    /// Datasets the overview's "Needs attention" looks at (the most troubled first).
    static let attentionLimit = 15

    /// Points per chart for a page of `charts` charts: 120 for a small project, fewer for a large one so the charts
    /// stay within about 2 MB of points (a point costs about 30 bytes with its band), never under 16.
    static func resolution(charts: Int) -> Int {
        max(16, min(120, 2_000_000 / max(1, charts * 30)))
    }

    /// `dataset-<slug>`: the anchor of a dataset's section.
    public static func datasetAnchor(_ dataset: String) -> String { "dataset-" + HTMLText.slug(dataset) }
    /// `incident-<id>`: the anchor of an incident's timeline.
    public static func incidentAnchor(_ id: Int64) -> String { "incident-\(id)" }

    /// True when no run has been recorded in the window (a fresh project): the page says so.
    var isEmpty: Bool { cost.runs.isEmpty && incidents.all.isEmpty }
}

/// One dataset's section.
struct DatasetReport: Sendable {
    var config: DatasetConfig
    var runbookLink: String?
    var checks: [CheckReport]
    /// Newest first; changes nil for the baseline snapshot.
    var schemaEntries: [SchemaHistoryRenderer.Entry]
    var freshness: FreshnessTimeline
    var freshnessThresholds: FreshnessThresholds?
    /// The worst status of each day of the window (oldest first), nil where nothing ran.
    var daily: [CheckStatus?]
    /// The worst of the checks' latest statuses; nil when nothing ran in the window.
    var latestStatus: CheckStatus?
    var openIncidents: [Incident]
    var incidentCount: Int
    var cost: DatasetCost

    var anchor: String { HTMLReport.datasetAnchor(config.name) }
    /// Owner, description, tier and runbook: what documentation completeness counts.
    var isDocumented: Bool { DocumentationCompleteness.isDocumented(config) }
    /// Schema changes (not the baseline) taken inside the window.
    func schemaChanges(after start: Double) -> [SchemaHistoryRenderer.Entry] {
        schemaEntries.filter { entry in
            guard let changes = entry.changes, !changes.isEmpty, let taken = entry.stored.snapshot.takenAt else { return false }
            return taken.timeIntervalSince1970 > start
        }
    }
}

/// One check of a dataset: its chart, its recent results and its cost.
struct CheckReport: Sendable {
    var config: CheckConfig
    var chart: TimeSeriesChartData?
    var recent: [CheckResult]
    /// The failing-row samples stored with each of `recent` (nil for most results: only checks with `samples:`
    /// store them).
    var recentSamples: [FailingRowSamples?] = []
    /// The last `stripLength` statuses, oldest first.
    var strip: [(at: Double, status: CheckStatus)]
    var counts: [CheckStatus: Int]
    var queryMilliseconds: MillisecondStats
    /// The longest runs of consecutive warn/fail/error results in the window (at most 3, longest first).
    var problemSpans: [ProblemSpan] = []
}

/// Consecutive non-passing results of one check: from the first to the last of them.
struct ProblemSpan: Sendable {
    var from: Double
    var to: Double
    var worst: CheckStatus
    var results: Int

    var duration: Double { to - from }

    /// Runs of consecutive warn/fail/error results (skipped results neither break nor extend a run), longest first.
    static func spans(_ samples: [(at: Double, status: CheckStatus)], keep: Int = 3) -> [ProblemSpan] {
        var spans: [ProblemSpan] = []
        var current: ProblemSpan?
        for sample in samples where sample.status != .skipped {
            if sample.status == .pass {
                if let span = current { spans.append(span) }
                current = nil
            } else if var span = current {
                span.to = sample.at
                span.results += 1
                if StatusStrip.severity(sample.status) > StatusStrip.severity(span.worst) { span.worst = sample.status }
                current = span
            } else {
                current = ProblemSpan(from: sample.at, to: sample.at, worst: sample.status, results: 1)
            }
        }
        if let span = current { spans.append(span) }
        return Array(spans.sorted { ($0.results, $0.to) > ($1.results, $1.to) }.prefix(keep))
    }
}

/// The data of a time-series chart, already bucketed (the loader keeps no raw series).
struct TimeSeriesChartData: Sendable {
    var values: [(at: Double, value: Double)]
    var band: [(at: Double, range: ExpectedRange)]
    var flags: [TimeSeriesChart.Flag]
    var thresholds: FreshnessThresholds?
}

/// Mean, maximum and total of recorded `query_ms`.
struct MillisecondStats: Sendable {
    var count = 0
    var total = 0.0
    var maximum = 0.0

    var mean: Double? { count > 0 ? total / Double(count) : nil }

    mutating func add(_ value: Double?) {
        guard let value, value.isFinite, value >= 0 else { return }
        count += 1
        total += value
        maximum = max(maximum, value)
    }
}

/// A dataset's warehouse time in the window. The checks of a dataset share one statement per run (each result
/// carries that statement's time), so a run counts the dataset's largest `query_ms` once.
struct DatasetCost: Sendable {
    var runs = 0
    var perRun = MillisecondStats()
}

/// The incidents the page lists: those the weekly review of the window covers (detected or resolved in it, or still
/// open), with what the review recorded (`IncidentReview`: cause, RCA link, follow-ups).
struct IncidentsReport: Sendable {
    /// Open first, then newest detection; at most `incidentListLimit`.
    var all: [Incident]
    /// How many there were before the limit.
    var total: Int
    /// Events of the incidents that get a timeline (the first `incidentTimelineLimit`).
    var events: [Int64: [IncidentEvent]]
    /// Cause, RCA link and follow-ups by incident id.
    var reviews: [Int64: IncidentReviewRecord] = [:]
    /// Counts by cause (`upstream`, …, `not classified`), in `IncidentReview`'s order.
    var causes: [(title: String, count: Int)] = []
    /// Every follow-up not done yet, oldest first, with its incident.
    var openFollowups: [IncidentReview.OpenFollowup] = []
    /// Failing-row samples of the incidents with a timeline: those stored with the incident's newest result that
    /// has some (as `dqmon incidents show` picks them).
    var samples: [Int64: (evaluatedAt: Date, rows: FailingRowSamples)] = [:]
    /// The upstream root of each listed incident linked to one (`incidents.caused_by`, lineage inhibition).
    var upstreamRoots: [Int64: (id: Int64, dataset: String, checkID: String)] = [:]
}

/// Warehouse time per run over the window.
struct CostReport: Sendable {
    /// (evaluation time, warehouse seconds summed over the run's datasets), oldest first.
    var runs: [(at: Double, seconds: Double)]
}


/// Documentation completeness (issue 16): the rule of `DocumentationCoverage` (owner, description, an explicit tier
/// and runbook), so the page and `dqmon sla` count the same datasets.
enum DocumentationCompleteness {
    static func isDocumented(_ dataset: DatasetConfig) -> Bool { DocumentationCoverage.isDocumented(dataset) }

    static func missing(_ dataset: DatasetConfig) -> [String] { DocumentationCoverage.missing(dataset).map(\.rawValue) }
}

extension HTMLReport {
    /// `4 datasets, 12 checks, 15 incidents (1 open), 720 runs` for the command's one line.
    public var summary: String {
        let checks = datasets.reduce(0) { $0 + $1.checks.count }
        let open = incidents.all.filter { $0.status == .open }.count
        if isEmpty { return "\(datasets.count) datasets, \(checks) checks, nothing recorded in the window yet" }
        return "\(datasets.count) datasets, \(checks) checks, \(incidents.total) incidents (\(open) open), \(cost.runs.count) runs"
    }
}
