import Foundation

/// The library side of `dqmon backtest`: replays anomaly detection over a CSV series (writing one flag per point)
/// or over a configured anomaly check's stored history (a report per sensitivity), so users tune before enabling.
///
/// Every failure is one `DQMonError` line (exit 3) naming the file or the check id.
public enum AnomalyBacktest {
    /// Which detector judges a CSV series.
    public enum Method: String, Sendable, CaseIterable {
        /// dqmon's own detector, with the settings given.
        case dqmon
        /// Mean ± k·σ over the last 14 days, the usual baseline to compare with (k: the settings' sensitivity).
        case rollingMean = "rolling-mean"
        /// The same, per hour of day (or day of week for daily series).
        case rollingMeanSeasonal = "rolling-mean-seasonal"
    }

    /// A CSV series judged point by point.
    public struct Flags: Sendable {
        /// `timestamp,is_anomaly,score,expected,lower,upper`, one row per point (the NAB scorer reads the first three).
        public let csv: String
        /// How many points were flagged.
        public let flagged: Int
    }

    /// Reads `path` as a CSV with a header row; the series' `warnings` list rows that were skipped and why.
    public static func readCSV(path: String, timestampColumn: String, valueColumn: String) throws(DQMonError) -> AnomalyCSV.Series {
        let bytes: [UInt8]
        do { bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) } catch {
            throw DQMonError("\(path): cannot read the file (\(error.localizedDescription))")
        }
        do {
            return try AnomalyCSV.read(bytes: bytes, timestampColumn: timestampColumn, valueColumn: valueColumn)
        } catch {
            throw DQMonError(error, context: path)
        }
    }

    /// Judges each point of `series` on the points before it. The rolling-mean methods use `settings.sensitivity` as k.
    public static func flags(_ series: AnomalyCSV.Series, method: Method, settings: AnomalySettings) -> Flags {
        switch method {
        case .dqmon:
            let steps = AnomalyReplay.run(series.samples, settings: settings)
            return Flags(csv: AnomalyCSV.write(series, steps: steps), flagged: steps.filter(\.verdict.isAnomaly).count)
        case .rollingMean, .rollingMeanSeasonal:
            let flags = RollingBaseline.run(series.samples, k: settings.sensitivity, seasonal: method == .rollingMeanSeasonal)
            return Flags(csv: AnomalyCSV.writeBaseline(series, flags: flags), flagged: flags.filter(\.isAnomaly).count)
        }
    }

    /// Replays the anomaly check `checkID` over the `window` before `now` of its stored history (plus its training
    /// window before that), once per sensitivity (the check's own when `sensitivities` is empty).
    /// - Parameter segment: for a `group_by` check, the segment to replay, as results show it without the brackets
    ///   (`country=DE`); required there, refused elsewhere.
    public static func replayHistory(configuration: Configuration, checkID: String, window: TimeInterval, sensitivities: [Double],
                                     now: Date, segment: String? = nil) throws(DQMonError) -> AnomalyBacktestReport {
        guard case let (dataset, check)? = configuration.check(id: checkID) else {
            throw DQMonError("unknown check id '\(checkID)'\(Suggestion.hint(for: checkID, in: configuration.checks.map(\.id)))")
        }
        guard let anomaly = check.spec as? AnomalyCheck else {
            throw DQMonError("'\(checkID)' is a \(check.typeName) check; backtest replays anomaly checks (or use --csv)")
        }
        var metric = anomaly.target.historyName
        let samples: [MetricPoint]
        let excluded: [ExcludedInterval]
        do {
            let history = try HistoryStore(path: configuration.project.history.path)
            let since = now.addingTimeInterval(-window - anomaly.settings.training)
            if anomaly.segments != nil || segment != nil {
                (metric, samples) = try segmentSamples(history, check: anomaly, checkID: checkID, dataset: dataset.name,
                                                       segment: segment, since: since)
            } else {
                let key = HistoryStore.SeriesKey(dataset: dataset.name, metric: metric)
                samples = try history.metricSeries([key: since])[key] ?? []
            }
            // The same training exclusions `dqmon check` applies (incidents of the dataset's other checks).
            excluded = (try history.trainingExclusions(datasets: [dataset.name], since: since, until: now)[dataset.name] ?? [])
                + (MetricHistory.maintenanceIntervals(configuration.alerts.maintenance, datasets: [dataset.name], since: since,
                                                      until: now)[dataset.name] ?? [])
        } catch let error as DQMonError {
            throw error
        } catch let error as HistoryError {
            throw DQMonError(error)
        } catch {
            throw DQMonError("\(checkID): \(error)")
        }
        return AnomalyBacktestReport(checkID: checkID, metric: metric, samples: samples, settings: anomaly.settings,
                                     sensitivities: sensitivities, from: now.addingTimeInterval(-window), to: now,
                                     excluded: excluded)
    }

    /// The stored points of one segment of a `group_by` check (for `other`, its latest composition), and the
    /// segment's series name. A missing or unknown `--segment` is one line listing the segments history holds.
    static func segmentSamples(_ history: HistoryStore, check: AnomalyCheck, checkID: String, dataset: String, segment: String?,
                               since: Date) throws -> (String, [MetricPoint]) {
        let found = try SegmentSeries.find(segment, history: history, check: check, checkID: checkID, dataset: dataset, since: since)
        return (found.name, found.latestComposition)
    }
}
