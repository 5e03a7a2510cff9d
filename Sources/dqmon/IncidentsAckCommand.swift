import ArgumentParser
import DQMon
import Foundation

/// `dqmon incidents ack ID [--by NAME] [--note TEXT]`.
struct IncidentsAckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ack",
        abstract: "Acknowledge an open incident (stops repeat alerts; counts towards MTTA).")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The incident id.")
    var id: IncidentID

    @Option(name: .long, help: "Who acknowledges (default: $USER).")
    var by: String?

    @Option(name: .long, help: "A note for the timeline.")
    var note: String?

    func run() throws {
        let configuration = try global.loadConfiguration()
        let person = actingPerson(by)
        try withHistory(configuration) { try $0.acknowledgeIncident(id: id.value, by: person, note: note, at: global.evaluationTime) }
        Console.print("incident #\(id.value) acknowledged by \(person)")
    }
}
