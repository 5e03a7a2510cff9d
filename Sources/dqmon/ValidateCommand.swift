import ArgumentParser
import DQMon

/// `dqmon validate` — loads dqmon.yml and checks/, reports every error, runs and writes nothing.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check dqmon.yml and checks/*.yml; print every error as file:line:column: message.",
        discussion: "Exits 0 when the configuration is valid, 3 otherwise. Nothing is run or written.")

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let configuration = try global.loadConfiguration()
        let checks = configuration.checks.count
        Console.print("configuration is valid: \(configuration.project.warehouses.count) warehouse(s), \(configuration.datasets.count) dataset(s), \(checks) check(s)")
    }
}
