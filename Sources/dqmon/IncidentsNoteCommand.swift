import ArgumentParser
import DQMon
import Foundation

/// `dqmon incidents note ID TEXT [--by NAME]`.
struct IncidentsNoteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "note", abstract: "Add a note to an incident's timeline.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The incident id.")
    var id: IncidentID

    @Argument(help: "The note.")
    var text: String

    @Option(name: .long, help: "Who writes the note (default: $USER).")
    var by: String?

    func run() throws {
        let configuration = try global.loadConfiguration()
        let person = actingPerson(by)
        try withHistory(configuration) { try $0.addIncidentNote(id: id.value, text: text, by: person, at: global.evaluationTime) }
        Console.print("note added to incident #\(id.value)")
    }
}
