import ArgumentParser
import DQMon
import Foundation

/// `dqmon history CHECK_ID` — one check's results over time; `dqmon history DATASET --schema` — its schema snapshots.
struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Show one check's results over time, or a dataset's schema changes (--schema), newest first.",
        discussion: """
            Examples:
              dqmon history orders/freshness
              dqmon history orders/volume/daily_orders --since 7d --limit 50
              dqmon history events/volume --format json
              dqmon history orders --schema
              dqmon history orders --schema --since 30d --format json
              dqmon history orders/anomaly/by_country --segment country=DE   (one segment of a group_by check)
              dqmon history orders/anomaly/by_country --segment other        (the segments past max_segments)
            """,
        subcommands: [HistoryBackupCommand.self])

    @OptionGroup var global: GlobalOptions

    @Argument(help: "A check id: dataset/type[/name], as printed by 'dqmon check'; with --schema, a dataset name.")
    var checkID: String

    @Flag(name: .long, help: "Show the dataset's schema snapshots (stored when its columns change) and the changes between them.")
    var schema = false

    @Option(name: .long, help: "One segment's series of a group_by anomaly check, as results show it (e.g. country=DE, or other).")
    var segment: String?

    @Option(name: .long, help: "Only results newer than this, e.g. 7d.")
    var since: String?

    @Option(name: .long, help: "At most this many results.")
    var limit: Int = 50

    func validate() throws {
        if let since { _ = try FlagValues.interval(since, flag: "--since") }
        try FlagValues.count(limit, flag: "--limit", in: FlagValues.historyLimit)
        if schema, segment != nil { throw ValidationError("--segment picks a segment of a group_by anomaly check; --schema shows a dataset: use one of them") }
    }

    func run() throws {
        let configuration = try global.loadConfiguration()
        let cutoff = since.flatMap(Interval.init(parsing:)).map { global.evaluationTime.addingTimeInterval(-$0.seconds) }
        if schema { return try printSchema(configuration, since: cutoff) }
        if let segment { return try printSegment(configuration, segment: segment, since: cutoff) }
        let results = try HistoryQuery.results(configuration: configuration, checkID: checkID, since: cutoff, limit: limit)
        let samples = results.isEmpty ? [:] : try HistoryQuery.samples(configuration: configuration, checkID: checkID, since: results.last?.evaluatedAt)
        switch global.format {
        case .json: Console.print(HistoryRenderer.json(checkID: checkID, results: results, samples: samples))
        default: Console.print(HistoryRenderer.table(checkID: checkID, results: results, samples: samples))
        }
    }

    /// `--segment`: one segment's stored points (value, anomalous or not), newest first.
    func printSegment(_ configuration: Configuration, segment: String, since cutoff: Date?) throws {
        let (series, points) = try SegmentSeries.history(configuration: configuration, checkID: checkID, segment: segment, since: cutoff, limit: limit)
        switch global.format {
        case .json: Console.print(SegmentSeries.json(checkID: checkID, series: series, points: points))
        default: Console.print(SegmentSeries.table(checkID: checkID, series: series, points: points))
        }
    }

    /// `--schema`: the argument is a dataset; the history shows its snapshots and what changed between them.
    func printSchema(_ configuration: Configuration, since cutoff: Date?) throws {
        let entries = try HistoryQuery.schemaChanges(configuration: configuration, dataset: checkID, since: cutoff, limit: limit)
        switch global.format {
        case .json: Console.print(SchemaHistoryRenderer.json(dataset: checkID, entries: entries))
        default: Console.print(SchemaHistoryRenderer.table(dataset: checkID, entries: entries))
        }
    }
}
