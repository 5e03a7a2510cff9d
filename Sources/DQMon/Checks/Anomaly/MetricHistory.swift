import Foundation

/// The recorded points an anomaly check trains on, and the intervals training leaves out, per dataset: the points by
/// metric history name, oldest first, from the longest training window any due check of the dataset asks for (plus
/// a day), read in one query per warehouse; the exclusions are the dataset's incidents of other checks in that
/// window (`HistoryStore.trainingExclusions`), read in one more.
/// A segmented check's series (`group_by`) are every metric named `<metric> [<segment>]`, read in one more query.
/// A history read failure leaves the points empty: the checks then report that they need more history.
public enum MetricHistory: CheckContextKey {
    /// One dataset's training data.
    public struct Dataset: Sendable {
        /// Points by metric history name, oldest first, before the run's time.
        public var series: [String: [MetricPoint]] = [:]
        /// Time ranges whose points stay out of training (open or recent incidents of the dataset's other checks).
        public var excluded: [ExcludedInterval] = []

        public init(series: [String: [MetricPoint]] = [:], excluded: [ExcludedInterval] = []) {
            self.series = series
            self.excluded = excluded
        }
    }

    public static func load(_ request: CheckContextRequest) throws(HistoryError) -> [String: Dataset] {
        var wanted: [HistoryStore.SeriesKey: Date] = [:]
        var segmented: [HistoryStore.SeriesKey: Date] = [:]
        for (dataset, checks) in request.datasets {
            for case let anomaly as AnomalyCheck in checks.map(\.spec) {
                let since = request.now.addingTimeInterval(-anomaly.settings.training - 86_400)
                if anomaly.segments != nil {
                    let key = HistoryStore.SeriesKey(dataset: dataset.name, metric: SegmentKey.prefix(anomaly.target.historyName))
                    segmented[key] = min(segmented[key] ?? since, since)
                } else {
                    let key = HistoryStore.SeriesKey(dataset: dataset.name, metric: anomaly.target.historyName)
                    wanted[key] = min(wanted[key] ?? since, since)
                }
            }
        }
        var found: [HistoryStore.SeriesKey: [MetricPoint]] = [:]
        if !wanted.isEmpty, let series = try? request.history.metricSeries(wanted) { found.merge(series) { $1 } }
        if !segmented.isEmpty, let series = try? request.history.segmentSeries(segmented) { found.merge(series) { $1 } }
        for (key, since) in segmented { wanted[key] = since }
        guard !wanted.isEmpty else { return [:] }
        var datasets: [String: Dataset] = [:]
        let now = request.now.timeIntervalSince1970
        for (key, samples) in found {
            datasets[key.dataset, default: Dataset()].series[key.metric] = samples.filter { $0.time < now }
        }
        let names = Array(Set(wanted.keys.map(\.dataset))).sorted()
        if let since = wanted.values.min(),
           let exclusions = try? request.history.trainingExclusions(datasets: names, since: since, until: request.now) {
            for (dataset, intervals) in exclusions { datasets[dataset, default: Dataset()].excluded = intervals }
        }
        if let since = wanted.values.min() {
            for (name, windows) in maintenanceIntervals(request.maintenance, datasets: names, since: since, until: request.now) {
                datasets[name, default: Dataset()].excluded += windows
            }
        }
        return datasets
    }

    /// The maintenance windows (`alerts/*.yml`) covering `dataset` between `since` and `until`: loads paused or
    /// replayed on purpose, whose points must not teach the baseline what normal is.
    /// Each window's schedule is walked once, however many datasets it names.
    public static func maintenanceIntervals(_ windows: [MaintenanceWindow], datasets: [String], since: Date,
                                            until: Date) -> [String: [ExcludedInterval]] {
        var byDataset: [String: [ExcludedInterval]] = [:]
        for window in windows {
            let covered = datasets.filter(window.names)
            guard !covered.isEmpty else { continue }
            let intervals = window.intervals(from: since, to: until).map { range in
                ExcludedInterval(start: range.lowerBound, end: range.upperBound,
                                 reason: "maintenance window (\(window.reason ?? "cron \(window.cron)"))")
            }
            for name in covered where !intervals.isEmpty { byDataset[name, default: []] += intervals }
        }
        return byDataset
    }
}
