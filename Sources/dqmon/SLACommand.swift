import ArgumentParser
import DQMon
import Foundation

/// `dqmon sla` — SLA compliance and incident metrics per dataset, per tier and overall.
struct SLACommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sla",
        abstract: "Freshness, availability, pass rate, MTTD/MTTA/MTTR and data downtime against each tier's targets.",
        discussion: """
            Each figure is shown beside its target (the tier's, or the dataset's own 'sla:'), met or MISSED,
            with the error budget left and the burn rate over the last 1h and 6h. Formulas: README, "Incidents and SLA".

            Examples:
              dqmon sla                         the last 30 days
              dqmon sla --window 7d --tier 1
              dqmon sla --dataset orders --format json
            """)

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "How far back from now (or --now), e.g. 30d, 7d, 12h.")
    var window: String = "30d"

    @Option(name: .long, help: "Only datasets of this tier (1, 2 or 3).")
    var tier: Int?

    @Option(name: .long, help: "Only this dataset.")
    var dataset: String?

    func validate() throws {
        _ = try FlagValues.interval(window, flag: "--window")
        if let tier, !(1...3).contains(tier) { throw ValidationError("--tier must be 1, 2 or 3, got \(tier)") }
        if global.format == .junit { throw ValidationError("--format junit applies to 'dqmon check' only; use table or json") }
    }

    func run() throws {
        let configuration = try global.loadConfiguration()
        if let dataset, configuration.dataset(named: dataset) == nil {
            throw DQMonError("unknown dataset '\(dataset)'\(Suggestion.hint(for: dataset, in: configuration.datasets.map(\.name))); it must be defined in checks/")
        }
        let builder = SLABuilder(configuration: configuration, window: Interval(parsing: window)!, now: global.evaluationTime,
                                 tier: tier, dataset: dataset)
        let report = try withHistory(configuration) { try builder.build(history: $0) }
        Console.print(global.format == .json ? SLARenderer.json(report) : SLARenderer.table(report))
    }
}
