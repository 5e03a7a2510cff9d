import ArgumentParser
import DQMon
import Foundation

/// The `dqmon` command line: a thin layer over the DQMon library, one file per subcommand.
@main
struct DQMonCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dqmon",
        abstract: "Data quality and observability monitor: freshness and volume checks on warehouse tables.",
        discussion: """
            Examples:
              dqmon demo                      create the demo warehouse and replay 30 days of runs
              dqmon check                     run the checks that are due
              dqmon check --all --format json run every check, print JSON
              dqmon validate                  report every config error
              dqmon history orders/freshness  one check's results over time
            """,
        version: DQMonVersion.current,
        subcommands: [CheckCommand.self, ValidateCommand.self, HistoryCommand.self, PruneCommand.self, DemoCommand.self,
                      IncidentsCommand.self, SLACommand.self,
                      AlertsCommand.self, SilenceCommand.self,
                      BacktestCommand.self, BackfillCommand.self])

    /// `history backup PATH` goes to its subcommand directly: ArgumentParser parses a parent's positional
    /// argument (history's CHECK_ID) before it looks for a subcommand, so it would take `backup` for a check id.
    static func parseRouted(_ arguments: [String]) throws -> any ParsableCommand {
        if arguments.starts(with: ["history", "backup"]) { return try HistoryBackupCommand.parseAsRoot(Array(arguments.dropFirst(2))) }
        return try parseAsRoot(arguments)
    }

    /// Parses and runs; usage errors exit 3 ("dqmon could not do its job", SPEC section 7), not ArgumentParser's 64.
    static func main() async {
        do {
            var command = try parseRouted(Array(CommandLine.arguments.dropFirst()))
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as ExitCode {
            Foundation.exit(error.rawValue)
        } catch {
            if exitCode(for: error) == .success { exit(withError: error) }
            // One line: ArgumentParser's first line without its own "Error: " prefix, then where help is.
            var message = fullMessage(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
            if message.hasPrefix("Error: ") { message.removeFirst("Error: ".count) }
            Console.error(message + " (see 'dqmon --help')")
            Foundation.exit(RunExitCode.monitoringBroken.rawValue)
        }
    }
}
