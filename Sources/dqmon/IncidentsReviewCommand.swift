import ArgumentParser
import DQMon
import Foundation

/// `dqmon incidents review [--since 7d]`: the weekly review's agenda (see `IncidentReview` for what it covers).
struct IncidentsReviewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "review",
        abstract: "The weekly review's agenda: the period's incidents grouped by cause, open follow-ups, MTTD/MTTA/MTTR.",
        discussion: """
            Covers incidents detected or resolved in the period and every incident still open. Response times use
            the incidents detected in the period, with the formulas of 'dqmon sla'.

            Examples:
              dqmon incidents review                     the last 7 days
              dqmon incidents review --since 14d --format json
            """)

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "The period, back from now (or --now), e.g. 7d.")
    var since: String = "7d"

    func validate() throws {
        _ = try FlagValues.interval(since, flag: "--since")
        if global.format == .junit { throw ValidationError("--format junit applies to 'dqmon check' only; use table or json") }
    }

    func run() throws {
        let configuration = try global.loadConfiguration()
        let window = try FlagValues.interval(since, flag: "--since")
        let review = try withHistory(configuration) {
            try IncidentReview.build(history: $0, configuration: configuration, window: window, now: global.evaluationTime)
        }
        Console.print(global.format == .json ? IncidentReviewRenderer.json(review) : IncidentReviewRenderer.text(review))
    }
}
