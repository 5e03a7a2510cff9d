import ArgumentParser
import DQMon
import Foundation

/// `dqmon incidents` — on-call's view: lists incidents (the default), and `show`, `ack`, `resolve`, `note`.
struct IncidentsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "incidents",
        abstract: "List incidents (open first, most severe first), show one, acknowledge, resolve or annotate it.",
        discussion: """
            Examples:
              dqmon incidents                              open first, then most severe, then newest
              dqmon incidents --status open --severity warning
              dqmon incidents --dataset orders --since 7d --format json
              dqmon incidents show 12                      timeline, observed vs expected, owner, runbook
              dqmon incidents ack 12 --note "looking"      --by defaults to $USER
              dqmon incidents resolve 12 --note "backfilled"
              dqmon incidents note 12 "upstream job restarted at 10:40"
              dqmon incidents resolve 12 --cause upstream --rca https://wiki.example.com/rca/12
              dqmon incidents followup 12 add "alert on the upstream export"
              dqmon incidents review --since 7d          the weekly review's agenda
            """,
        subcommands: [IncidentsListCommand.self, IncidentsShowCommand.self, IncidentsAckCommand.self,
                      IncidentsResolveCommand.self, IncidentsNoteCommand.self,
                      IncidentsFollowupCommand.self, IncidentsReviewCommand.self],
        defaultSubcommand: IncidentsListCommand.self)
}

/// `dqmon incidents [list]`.
struct IncidentsListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List incidents: open first, then most severe, then newest.")

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "open, resolved or all.")
    var status: String = "all"

    @Option(name: .long, help: "At least this severity: info, warning or critical.")
    var severity: String?

    @Option(name: .long, help: "Only this dataset.")
    var dataset: String?

    @Option(name: .long, help: "Only incidents detected in the last DURATION, e.g. 7d.")
    var since: String?

    @Option(name: .long, help: "At most this many incidents.")
    var limit: Int = 50

    func validate() throws {
        if !["open", "resolved", "all"].contains(status) { throw ValidationError("--status must be open, resolved or all, got '\(status)'") }
        if let severity, AlertSeverity(rawValue: severity) == nil {
            throw ValidationError("--severity must be info, warning or critical, got '\(severity)'\(Suggestion.hint(for: severity, in: ["info", "warning", "critical"]))")
        }
        if let since { _ = try FlagValues.interval(since, flag: "--since") }
        if limit < 1 { throw ValidationError("--limit must be at least 1") }
        if global.format == .junit { throw ValidationError("--format junit applies to 'dqmon check' only; use table or json") }
    }

    func run() throws {
        let configuration = try global.loadConfiguration()
        let now = global.evaluationTime
        let filter = IncidentFilter(
            status: Incident.Status(rawValue: status), minimumSeverity: severity.flatMap(AlertSeverity.init(rawValue:)),
            dataset: dataset, detectedSince: since.flatMap(Interval.init(parsing:)).map { now.addingTimeInterval(-$0.seconds) }, limit: limit)
        let incidents = try withHistory(configuration) { try $0.incidents(filter) }
        Console.print(global.format == .json ? IncidentRenderer.json(incidents, now: now) : IncidentRenderer.table(incidents, now: now))
    }
}

/// Opens the history and runs `body`; any error becomes one `DQMonError` line (exit 3).
func withHistory<T>(_ configuration: Configuration, _ body: (HistoryStore) throws -> T) throws(DQMonError) -> T {
    do {
        return try body(try HistoryStore(path: configuration.project.history.path))
    } catch {
        throw DQMonError(unexpected: error)
    }
}

/// `--by`: the person acting; $USER when not given.
func actingPerson(_ by: String?) -> String {
    by ?? ProcessInfo.processInfo.environment["USER"] ?? "unknown"
}
