import ArgumentParser
import DQMon
import Foundation

/// `dqmon init --warehouse NAME` — a starting checks file from the warehouse's catalog.
struct InitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Write a starting checks file for a warehouse: schema, volume and freshness checks for every table.",
        discussion: """
            Reads the warehouse catalog with one query and writes checks/NAME.yml: for every table a schema
            check, a volume check and, when a column looks like a load or update time (timestamp types
            first; names such as _etl_loaded_at, loaded_at, updated_at, modified, created_at), a freshness
            check. Thresholds are defaults, commented as such; --profile measures each table once (row count
            and latest timestamp, one statement per table) and proposes them from that, commented with what
            it saw (e.g. '# latest row 2h old when generated').

            An existing file is never replaced without --force.

            Examples:
              dqmon init --warehouse prod --schema analytics
              dqmon init --warehouse prod --profile --output checks/prod-start.yml
            """)

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "The warehouse (in dqmon.yml) to read.")
    var warehouse: String

    @Option(name: .long, help: "The schema to read (default: the warehouse's schema; SQLite has only main).")
    var schema: String?

    @Option(name: .long, help: "The checks file to write, in the project's checks/ folder (default: checks/NAME.yml).")
    var output: String?

    @Flag(name: .long, help: "Replace the output file if it exists.")
    var force = false

    @Flag(name: .long, help: "Measure each table once (row count, latest timestamp) to propose thresholds.")
    var profile = false

    func run() async throws {
        let request = InitWorkflow.Request(configPath: global.configURL, warehouse: warehouse, schema: schema, output: output,
                                           force: force, profile: profile, now: global.evaluationTime)
        let report = try await InitWorkflow.run(request)
        Console.print(report.line)
    }
}
