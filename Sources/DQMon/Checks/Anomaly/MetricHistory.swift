import Foundation

/// The recorded points an anomaly check trains on: by dataset, then by metric history name, oldest first, from the
/// longest training window any due check of the dataset asks for (plus a day), read in one query per warehouse.
/// A history read failure leaves the points empty: the checks then report that they need more history.
public enum MetricHistory: CheckContextKey {
    public static func load(_ request: CheckContextRequest) throws(HistoryError) -> [String: [String: [MetricPoint]]] {
        var wanted: [HistoryStore.SeriesKey: Date] = [:]
        for (dataset, checks) in request.datasets {
            for case let anomaly as AnomalyCheck in checks.map(\.spec) {
                let key = HistoryStore.SeriesKey(dataset: dataset.name, metric: anomaly.target.historyName)
                let since = request.now.addingTimeInterval(-anomaly.settings.training - 86_400)
                wanted[key] = min(wanted[key] ?? since, since)
            }
        }
        guard !wanted.isEmpty, let found = try? request.history.metricSeries(wanted) else { return [:] }
        var series: [String: [String: [MetricPoint]]] = [:]
        let now = request.now.timeIntervalSince1970
        for (key, samples) in found {
            series[key.dataset, default: [:]][key.metric] = samples.filter { $0.time < now }
        }
        return series
    }
}
