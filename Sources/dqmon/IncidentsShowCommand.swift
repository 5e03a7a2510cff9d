import ArgumentParser
import DQMon
import Foundation

/// `dqmon incidents show ID` — the timeline of events and results, observed vs expected, owner, runbook, notes.
struct IncidentsShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one incident: timeline, observed vs expected, owner, notes and the runbook's text.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The incident id, as listed by 'dqmon incidents' (with or without '#').")
    var id: IncidentID

    func run() throws {
        let configuration = try global.loadConfiguration()
        let now = global.evaluationTime
        let detail = try withHistory(configuration) {
            try IncidentRenderer.Detail.load(id: id.value, history: $0, configuration: configuration, now: now)
        }
        Console.print(global.format == .json ? IncidentRenderer.showJSON(detail) : IncidentRenderer.show(detail, now: now))
    }
}

/// An incident id as typed: `12` or `#12`.
struct IncidentID: ExpressibleByArgument {
    let value: Int64

    init?(argument: String) {
        guard let value = Int64(argument.hasPrefix("#") ? String(argument.dropFirst()) : argument), value > 0 else { return nil }
        self.value = value
    }
}
