import ArgumentParser
import DQMon
import Foundation

/// `dqmon incidents resolve ID [--by NAME] [--note TEXT] [--cause CAUSE] [--rca URL]`.
///
/// On an open incident: resolves it by hand and records the cause and RCA link when given. On an incident that is
/// already resolved (usually by a passing check), `--cause` / `--rca` record why it happened: the weekly review's
/// classification. An unknown cause or a non-http(s) RCA link is a usage error (exit 3).
struct IncidentsResolveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resolve",
        abstract: "Resolve an open incident by hand, and/or record its cause and RCA link (also after it resolved itself).",
        discussion: """
            If its check still fails, the next run reopens it and says so.
            Causes: \(IncidentCause.names.joined(separator: ", ")).

            Examples:
              dqmon incidents resolve 12 --note "backfilled"
              dqmon incidents resolve 12 --cause upstream --rca https://wiki.example.com/rca/12
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The incident id.")
    var id: IncidentID

    @Option(name: .long, help: "Who resolves (default: $USER).")
    var by: String?

    @Option(name: .long, help: "A note for the timeline, e.g. what fixed it.")
    var note: String?

    @Option(name: .long, help: "Why it happened: \(IncidentCause.names.joined(separator: ", ")).")
    var cause: String?

    @Option(name: .long, help: "Link to the root-cause analysis (http or https URL).")
    var rca: String?

    func validate() throws {
        if let cause, case .failure(let error) = IncidentCause.parse(cause) { throw ValidationError(error.message) }
        if let rca, case .failure(let error) = RCALink.validate(rca) { throw ValidationError(error.message) }
    }

    func run() throws {
        let configuration = try global.loadConfiguration()
        let person = actingPerson(by)
        let parsedCause = cause.flatMap { try? IncidentCause.parse($0).get() }
        let resolution = try withHistory(configuration) {
            try $0.resolveIncident(id: id.value, by: person, note: note, cause: parsedCause, rcaURL: rca, at: global.evaluationTime)
        }
        let recorded = [parsedCause.map { "cause \($0.rawValue)" }, rca.map { "RCA \($0)" }].compactMap { $0 }.joined(separator: ", ")
        switch resolution {
        case .resolved:
            Console.print("incident #\(id.value) resolved by \(person)" + (recorded.isEmpty ? "" : " (\(recorded))"))
        case .recorded:
            Console.print("incident #\(id.value) was already resolved; recorded \(recorded)")
        }
    }
}
