import ArgumentParser
import DQMon

/// `dqmon validate` — loads dqmon.yml and checks/, reports every error, runs and writes nothing.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check dqmon.yml and checks/*.yml; print every error as file:line:column: message.",
        discussion: """
            Exits 0 when the configuration is valid, 3 otherwise. Nothing is run or written.
            --strict also warns about every undocumented tier-1 dataset (missing owner, description or runbook)
            as file:line:column: warning: ..., and then exits 1, like a failed check, so that CI fails.
            """)

    @OptionGroup var global: GlobalOptions

    @Flag(name: .long, help: "Also warn about undocumented tier-1 datasets, and exit 1 if there is any warning.")
    var strict = false

    func run() throws {
        let configuration = try global.loadConfiguration()
        let checks = configuration.checks.count
        Console.print("configuration is valid: \(configuration.project.warehouses.count) warehouse(s), \(configuration.datasets.count) dataset(s), \(checks) check(s)")
        if strict { try strictWarnings(configuration) }
    }

    /// Prints each warning on stderr, then a summary; exits 1 when there is any.
    func strictWarnings(_ configuration: Configuration) throws {
        let warnings = DocumentationCoverage.measure(configuration).strictWarnings()
        guard !warnings.isEmpty else { return }
        throw DQMonError("--strict: \(warnings.count) warning\(warnings.count == 1 ? "" : "s"); documented means owner, description, tier and runbook are set",
                         exitCode: .failed, details: warnings)
    }
}
