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
            """,
        subcommands: [HistoryBackupCommand.self])

    @OptionGroup var global: GlobalOptions

    @Argument(help: "A check id: dataset/type[/name], as printed by 'dqmon check'; with --schema, a dataset name.")
    var checkID: String

    @Flag(name: .long, help: "Show the dataset's schema snapshots (stored when its columns change) and the changes between them.")
    var schema = false

    @Option(name: .long, help: "Only results newer than this, e.g. 7d.")
    var since: String?

    @Option(name: .long, help: "At most this many results.")
    var limit: Int = 50

    func validate() throws {
        if let since { _ = try FlagValues.interval(since, flag: "--since") }
        try FlagValues.count(limit, flag: "--limit", in: FlagValues.historyLimit)
    }

    func run() throws {
        let configuration = try global.loadConfiguration()
        if schema { return try runSchema(configuration) }
        guard configuration.check(id: checkID) != nil else {
            let ids = configuration.checks.map(\.id)
            Console.error("unknown check id '\(checkID)'\(Suggestion.hint(for: checkID, in: ids)); 'dqmon check --dry-run' lists the checks")
            throw ExitCode(RunExitCode.monitoringBroken.rawValue)
        }
        let cutoff = since.flatMap(Interval.init(parsing:)).map { global.evaluationTime.addingTimeInterval(-$0.seconds) }
        do {
            let history = try HistoryStore(path: configuration.project.history.path)
            let results = try history.results(checkID: checkID, since: cutoff, limit: limit)
            switch global.format {
            case .json: Console.print(HistoryRenderer.json(checkID: checkID, results: results))
            default: Console.print(HistoryRenderer.table(checkID: checkID, results: results))
            }
        } catch {
            Console.error(error.description)
            throw ExitCode(RunExitCode.monitoringBroken.rawValue)
        }
    }

    /// `--schema`: the argument is a dataset; the history shows its snapshots and what changed between them.
    func runSchema(_ configuration: Configuration) throws {
        guard configuration.dataset(named: checkID) != nil else {
            let names = configuration.datasets.map(\.name)
            Console.error("unknown dataset '\(checkID)'\(Suggestion.hint(for: checkID, in: names)); with --schema, give a dataset name from checks/")
            throw ExitCode(RunExitCode.monitoringBroken.rawValue)
        }
        let cutoff = since.flatMap(Interval.init(parsing:)).map { global.evaluationTime.addingTimeInterval(-$0.seconds) }
        do {
            let history = try HistoryStore(path: configuration.project.history.path)
            // One older snapshot than shown (--since filters after), so the oldest shown still lists its changes.
            let snapshots = try history.schemaSnapshots(dataset: checkID, limit: limit + 1)
            let entries = SchemaHistoryRenderer.entries(snapshots, limit: limit).filter { entry in
                cutoff.map { (entry.stored.snapshot.takenAt ?? .distantPast) >= $0 } ?? true
            }
            switch global.format {
            case .json: Console.print(SchemaHistoryRenderer.json(dataset: checkID, entries: entries))
            default: Console.print(SchemaHistoryRenderer.table(dataset: checkID, entries: entries))
            }
        } catch {
            Console.error(error.description)
            throw ExitCode(RunExitCode.monitoringBroken.rawValue)
        }
    }
}
