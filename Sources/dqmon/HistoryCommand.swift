import ArgumentParser
import DQMon
import Foundation

/// `dqmon history CHECK_ID` — one check's results over time.
struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Show one check's results over time, newest first.",
        discussion: """
            Examples:
              dqmon history orders/freshness
              dqmon history orders/volume/daily_orders --since 7d --limit 50
              dqmon history events/volume --format json
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "A check id: dataset/type[/name], as printed by 'dqmon check'.")
    var checkID: String

    @Option(name: .long, help: "Only results newer than this, e.g. 7d.")
    var since: String?

    @Option(name: .long, help: "At most this many results.")
    var limit: Int = 50

    func validate() throws {
        if let since, Interval(parsing: since) == nil { throw ValidationError("--since '\(since)' is not a duration such as 7d") }
    }

    func run() throws {
        let configuration = try global.loadConfiguration()
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
}
