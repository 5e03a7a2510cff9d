import ArgumentParser
import DQMon
import Foundation

/// `dqmon backtest --csv FILE` — replays the anomaly detector over a series so users tune it before enabling.
struct BacktestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backtest",
        abstract: "Replay anomaly detection over a check's stored history (or a CSV series) and show what would have alerted.",
        discussion: """
            Each point is judged on the points before it, as 'dqmon check' would have; flagged points are left out
            of later training. Writes timestamp,is_anomaly,score,expected,lower,upper (the NAB scorer reads the first three).

            Examples:
              dqmon backtest events/anomaly/hourly_events --since 30d --sensitivity 3 --sensitivity 4
              dqmon backtest --csv orders.csv --timestamp-column day --value-column orders
              dqmon backtest --csv cpu.csv --output flags.csv --sensitivity 4
              dqmon backtest --csv cpu.csv --method rolling-mean   (mean ± 3σ over 14 days, for comparison)
              dqmon backtest --csv cpu.csv --method rolling-mean-seasonal   (the same, per hour of day / day of week)
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "An anomaly check id (dataset/anomaly[/name]) whose stored history is replayed.")
    var checkID: String?

    @Option(name: .long, help: "Replay this long a stretch of stored history (with CHECK_ID).")
    var since: String = "90d"

    @Option(name: .long, help: "The segment of a group_by check to replay, as results show it (e.g. country=DE, or other).")
    var segment: String?

    @Option(name: .long, help: "A CSV file with a header row (instead of CHECK_ID).")
    var csv: String?

    @Option(name: .long, help: "The column holding timestamps (ISO 8601 or epoch seconds).")
    var timestampColumn: String = "timestamp"

    @Option(name: .long, help: "The column holding the metric's values.")
    var valueColumn: String = "value"

    @Option(name: .long, help: "Write the flags to this file instead of stdout (a summary goes to stderr).")
    var output: String?

    @Option(name: .long, help: "Robust standard deviations a point must be from expected to be flagged (default: the check's, or 3). Repeat to compare.")
    var sensitivity: [Double] = []

    @Option(name: .long, help: "Training window, e.g. 28d.")
    var training: String = "28d"

    @Option(name: .long, help: "Training points needed before judging.")
    var minHistory: Int = 14

    @Option(name: .long, help: "auto, none, hour_of_day, day_of_week, hour_of_week or day_of_month.")
    var seasonality: String = "auto"

    @Option(name: .long, help: "both, spike or drop.")
    var direction: String = "both"

    @Option(name: .long, help: "dqmon (default), rolling-mean (mean ± 3σ over 14 days, the usual baseline) or rolling-mean-seasonal (the same per hour of day, or day of week for daily series).")
    var method: AnomalyBacktest.Method = .dqmon

    func validate() throws {
        _ = try FlagValues.interval(training, flag: "--training")
        if AnomalySettings.SeasonalityChoice(name: seasonality) == nil {
            throw ValidationError("--seasonality '\(seasonality)' must be one of \(AnomalySettings.SeasonalityChoice.names.joined(separator: ", "))")
        }
        if AnomalySettings.Direction(rawValue: direction) == nil { throw ValidationError("--direction '\(direction)' must be both, spike or drop") }
        // The same ranges as the check's 'sensitivity' and 'min_history' in config.
        if sensitivity.contains(where: { !(0.1...100).contains($0) }) {
            throw ValidationError("--sensitivity must be a number of standard deviations from 0.1 to 100 (default: the check's, or 3)")
        }
        if (checkID == nil) == (csv == nil) { throw ValidationError("give either a CHECK_ID or --csv FILE") }
        _ = try FlagValues.interval(since, flag: "--since")
        if !(1...100_000).contains(minHistory) { throw ValidationError("--min-history must be 1 to 100000 points") }
    }

    var settings: AnomalySettings {
        AnomalySettings(sensitivity: sensitivity.first ?? 3, training: Interval(parsing: training)?.seconds ?? 28 * 86_400, minHistory: minHistory,
                        seasonality: AnomalySettings.SeasonalityChoice(name: seasonality) ?? .auto,
                        direction: AnomalySettings.Direction(rawValue: direction) ?? .both)
    }

    func run() throws {
        guard let csv else { return try runOnHistory(checkID ?? "") }
        let series = try AnomalyBacktest.readCSV(path: csv, timestampColumn: timestampColumn, valueColumn: valueColumn)
        for warning in series.warnings { Console.note("warning: \(csv): \(warning)") }
        let flags = AnomalyBacktest.flags(series, method: method, settings: settings)
        guard let output else {
            FileHandle.standardOutput.write(Data(flags.csv.utf8))
            return
        }
        do { try flags.csv.write(toFile: output, atomically: true, encoding: .utf8) } catch {
            throw DQMonError("\(output): cannot write (\(error.localizedDescription))")
        }
        Console.note("\(csv): \(series.samples.count) points, \(flags.flagged) flagged -> \(output)")
    }

    /// Replays a configured anomaly check over its stored metric points, once per sensitivity.
    func runOnHistory(_ checkID: String) throws {
        let configuration = try global.loadConfiguration()
        let report = try AnomalyBacktest.replayHistory(configuration: configuration, checkID: checkID,
                                                       window: Interval(parsing: since)?.seconds ?? 90 * 86_400,
                                                       sensitivities: sensitivity, now: global.evaluationTime, segment: segment)
        Console.print(report.render())
    }
}

extension AnomalyBacktest.Method: ExpressibleByArgument {}
