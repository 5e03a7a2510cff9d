import ArgumentParser
import DQMon
import Foundation

/// `dqmon import` — writes checks files from another tool's description of the warehouse.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Write checks/*.yml from another tool's project (dbt).",
        subcommands: [ImportDbtCommand.self])
}

/// `dqmon import dbt PATH/target/manifest.json` — datasets, freshness checks, owners, lineage and exposures from dbt.
struct ImportDbtCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dbt",
        abstract: "Write checks/dbt.yml from a dbt manifest: sources' freshness, owners, tags, descriptions, lineage, exposures.",
        discussion: """
            Reads target/manifest.json (run 'dbt parse' first; dbt 1.5 or later, manifest schema v9-v12).
            Every source table and every model, seed and snapshot becomes a dataset named schema.table
            carrying its dbt unique id as 'dbt:'; a source's freshness (warn_after, error_after,
            loaded_at_field, filter) becomes a freshness check named 'dbt'; depends_on becomes
            'upstream:'; exposures become 'exposures:'.

            Re-running updates the entries marked 'dbt:' and removes those dbt no longer has; your own
            datasets, checks and the keys you add to generated entries (tier, runbook, every...) are kept.

            Examples:
              dqmon import dbt ../shop-dbt/target/manifest.json
              dqmon import dbt target/manifest.json --warehouse prod --output checks/dbt-prod.yml
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "dbt's target/manifest.json.")
    var manifest: String

    @Option(name: .long, help: "The checks file to write or update, in the project's checks/ folder.")
    var output: String = "checks/dbt.yml"

    @Option(name: .long, help: "Warehouse (in dqmon.yml) the datasets live in; written on each dataset. Default: the default warehouse.")
    var warehouse: String?

    func run() throws {
        let request = DbtImportWorkflow.Request(
            manifest: URL(fileURLWithPath: manifest), manifestShown: manifest, configPath: global.configURL,
            output: output, warehouse: warehouse)
        let report = try DbtImportWorkflow.run(request)
        for line in report.lines { Console.print(line) }
    }
}
