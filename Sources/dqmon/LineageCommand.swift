import ArgumentParser
import DQMon
import Foundation

/// `dqmon lineage DATASET` — the upstream and downstream tree of a dataset with each node's current status
/// (latest results and open incidents from the history) and the exposures it feeds.
struct LineageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lineage",
        abstract: "Show what a dataset is built from and what is built from it, with each one's current status.",
        discussion: "Lineage is declared with 'upstream:' on datasets and 'exposures:' in checks/*.yml.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The dataset, as written in its 'name:' in checks/*.yml.")
    var dataset: String

    func run() throws {
        let configuration = try global.loadConfiguration()
        let names = configuration.datasets.map(\.name)
        guard configuration.lineage.node(named: dataset) != nil else {
            let shown = ConfigText.quoted(dataset)
            throw DQMonError("unknown dataset \(shown)\(Suggestion.hint(for: dataset, in: names)); 'dqmon lineage' takes a dataset's 'name:' from checks/*.yml")
        }
        let datasets = LineageRenderer.Input.datasets(of: dataset, in: configuration.lineage)
        let statuses = try withHistory(configuration) { try $0.lineageStatuses(datasets: datasets) }
        let input = LineageRenderer.Input(dataset: dataset, graph: configuration.lineage, statuses: statuses)
        Console.print(global.format == .json ? LineageRenderer.json(input) : LineageRenderer.text(input))
    }
}
