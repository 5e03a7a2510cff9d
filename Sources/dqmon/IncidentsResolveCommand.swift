import ArgumentParser
import DQMon
import Foundation

/// `dqmon incidents resolve ID [--by NAME] [--note TEXT]`.
struct IncidentsResolveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resolve",
        abstract: "Resolve an open incident by hand. If its check still fails, the next run reopens it and says so.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The incident id.")
    var id: IncidentID

    @Option(name: .long, help: "Who resolves (default: $USER).")
    var by: String?

    @Option(name: .long, help: "A note for the timeline, e.g. what fixed it.")
    var note: String?

    func run() throws {
        let configuration = try global.loadConfiguration()
        let person = actingPerson(by)
        try withHistory(configuration) { try $0.resolveIncident(id: id.value, by: person, note: note, at: global.evaluationTime) }
        Console.print("incident #\(id.value) resolved by \(person)")
    }
}
