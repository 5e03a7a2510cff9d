import ArgumentParser
import DQMon
import Foundation

/// `dqmon incidents followup ID add TEXT` / `dqmon incidents followup ID done N`: follow-up actions of an incident.
///
/// Follow-ups are numbered 1, 2, … within their incident (`add` prints the number); `done N` closes one.
/// `dqmon incidents show ID` lists them, `dqmon incidents review` lists every open one.
struct IncidentsFollowupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "followup",
        abstract: "Track an incident's follow-up actions: 'add TEXT' opens one, 'done N' closes follow-up N.",
        discussion: """
            Examples:
              dqmon incidents followup 12 add "alert on the upstream export's row count"
              dqmon incidents followup 12 done 1
            """)

    static let actions = ["add", "done"]

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The incident id.")
    var id: IncidentID

    @Argument(help: "add or done.")
    var action: String

    @Argument(help: "add: the action to take; done: the follow-up's number (as 'add' printed it).")
    var value: String

    @Option(name: .long, help: "Who adds or closes it (default: $USER).")
    var by: String?

    func validate() throws {
        guard Self.actions.contains(action) else {
            throw ValidationError("followup action must be add or done, got \(ConfigText.quoted(action))\(Suggestion.hint(for: action, in: Self.actions))")
        }
        if action == "add", value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw ValidationError("followup add needs the action's text, e.g. dqmon incidents followup \(id.value) add \"add a row-count alert upstream\"")
        }
        if action == "done", number == nil {
            throw ValidationError("followup done needs the follow-up's number (1, 2, ... as 'dqmon incidents show \(id.value)' lists them), got \(ConfigText.quoted(value))")
        }
    }

    var number: Int? {
        let text = value.hasPrefix("#") ? String(value.dropFirst()) : value
        return Int(text).flatMap { $0 > 0 ? $0 : nil }
    }

    func run() throws {
        let configuration = try global.loadConfiguration()
        let person = actingPerson(by)
        let now = global.evaluationTime
        if action == "add" {
            let number = try withHistory(configuration) { try $0.addIncidentFollowup(id: id.value, text: value, by: person, at: now) }
            Console.print("follow-up \(number) added to incident #\(id.value) ('dqmon incidents followup \(id.value) done \(number)' closes it)")
        } else if let number {
            try withHistory(configuration) { try $0.completeIncidentFollowup(id: id.value, number: number, by: person, at: now) }
            Console.print("follow-up \(number) of incident #\(id.value) done by \(person)")
        }
    }
}
