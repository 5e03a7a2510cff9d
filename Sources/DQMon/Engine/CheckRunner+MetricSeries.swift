import Foundation

extension CheckRunner {
    /// The history that due checks ask for (anomaly checks), read in one query for the whole warehouse:
    /// dataset name -> metric history name -> points, oldest first. A history read failure leaves it empty
    /// (the checks then report that they need more history rather than failing the run).
    func metricSeries(for datasets: [(DatasetConfig, [CheckConfig])], now: Date) -> [String: [String: [MetricSample]]] {
        var wanted: [HistoryStore.SeriesKey: Date] = [:]
        for (dataset, checks) in datasets {
            for check in checks {
                for metric in check.spec.historyMetrics {
                    let key = HistoryStore.SeriesKey(dataset: dataset.name, metric: metric)
                    let since = now.addingTimeInterval(-check.spec.historyWindow - 86_400)
                    wanted[key] = min(wanted[key] ?? since, since)
                }
            }
        }
        guard !wanted.isEmpty, let found = try? history.metricSeries(wanted) else { return [:] }
        var series: [String: [String: [MetricSample]]] = [:]
        for (key, samples) in found {
            series[key.dataset, default: [:]][key.metric] = samples.filter { $0.time < now.timeIntervalSince1970 }
        }
        return series
    }
}
