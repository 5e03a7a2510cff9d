import ArgumentParser
import DQMon
import Foundation

/// The `dqmon` command line: a thin layer over the DQMon library, one file per subcommand.
@main
struct DQMonCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dqmon",
        abstract: "Data quality and observability monitor: freshness, volume, schema and anomaly checks on warehouse tables.",
        discussion: """
            Checks live in checks/*.yml beside dqmon.yml and run as SQL in the warehouse
            (SQLite or PostgreSQL). Check types:
              freshness  the newest timestamp in a column is recent enough
              volume     row count of the table or of a recent window: min/max
                         rows, max change since the last good run
              schema     columns, types, nullability and order vs the last
                         snapshot (and a contract, if given)
              anomaly    a metric (row count, null rate, mean, SQL...) outside
                         the range learned from its history, seasonality included
            Results go to a SQLite history; failures open incidents (with SLA
            figures), and alerts go to Slack, Teams, PagerDuty or webhooks.

            Commands:
              check       run the checks that are due (validate: config only)
              doctor      is everything a run needs ready? (one line each)
              history     results or schema changes over time; backup; prune
              incidents   list, show, ack, resolve, note, followup; review (weekly)
              sla         SLA compliance and documentation completeness
              lineage     what a dataset is built from and what it feeds, with status
              report      one HTML page: SLA, datasets, incidents, cost
              alerts      pending and failed notifications, flush, test; silence
              backfill    seed anomaly history from a timestamp column
              backtest    replay anomaly detection over history or a CSV
              demo        a demo warehouse with a month of hourly runs
              init        a starting checks file from a warehouse's catalog
              import dbt  checks from a dbt manifest: freshness, owners, lineage

            Exit codes: 0 ok, 1 a check failed, 2 warnings (--fail-on warn),
            3 dqmon could not do its job, 4 alerts left pending.

            Examples:
              dqmon demo                      build the demo, replay 30 days of hourly runs
              dqmon check                     run the checks that are due
              dqmon check --all --format json run every check, print JSON
              dqmon validate                  report every config error
              dqmon history orders/freshness  one check's results over time
            """,
        version: DQMonVersion.display,
        subcommands: [CheckCommand.self, ValidateCommand.self, DoctorCommand.self, HistoryCommand.self, PruneCommand.self, DemoCommand.self,
                      IncidentsCommand.self, SLACommand.self, ReportCommand.self,
                      AlertsCommand.self, SilenceCommand.self,
                      BacktestCommand.self, BackfillCommand.self,
                      LineageCommand.self,
                      ImportCommand.self, InitCommand.self])

    /// `history backup PATH` goes to its subcommand directly: ArgumentParser parses a parent's positional
    /// argument (history's CHECK_ID) before it looks for a subcommand, so it would take `backup` for a check id.
    ///
    /// `check` (run every few minutes by cron) is parsed by its own command, not through the whole tree: the
    /// tree reflects every subcommand's configuration and first parses the arguments twice more looking for
    /// `--generate-completion-script`, a few milliseconds of a one-dataset run. Anything that could ask
    /// ArgumentParser for something built in (help, version, completion scripts, any single-dash argument, which
    /// `check` never takes) still goes through the tree, so help, errors and exit codes are the same either way.
    /// Plain `check` arguments (the ones cron passes) do not reach ArgumentParser at all: `CheckArgumentsFastPath`
    /// fills the command without its reflection, and declines anything else.
    /// `DQMON_PARSE_THROUGH_TREE` set (any value) sends `check` through the tree too: `CheckParseRoutingTests`
    /// compares the two parses over many argument vectors.
    static func parseRouted(_ arguments: [String]) throws -> any ParsableCommand {
        if arguments.starts(with: ["history", "backup"]) { return try HistoryBackupCommand.parseAsRoot(Array(arguments.dropFirst(2))) }
        if arguments.first == "check", getenv("DQMON_PARSE_THROUGH_TREE") == nil {
            let checkArguments = Array(arguments.dropFirst())
            if let command = CheckArgumentsFastPath.command(checkArguments) { return command }
            if !checkArguments.contains(where: mayAskForBuiltIn) { return try CheckCommand.parseAsRoot(checkArguments) }
        }
        return try parseAsRoot(arguments)
    }

    /// Whether ArgumentParser could read `argument` as one of its own flags (or a subcommand's name `help`).
    static func mayAskForBuiltIn(_ argument: String) -> Bool {
        if argument == "help" { return true }
        if argument.hasPrefix("-") && !argument.hasPrefix("--") { return true }
        return ["--help", "--version", "--generate-completion-script", "--experimental"].contains { argument.hasPrefix($0) }
    }

    /// Parses and runs. The one place errors become output and exit codes:
    /// - `DQMonError`: its detail lines, then `dqmon: error: <message>` once, exit with its code (3 unless it says);
    /// - `RunStatus`: the run already printed its report; exit with the code derived from its statuses (0, 1, 2, 4);
    /// - usage errors: ArgumentParser's first line, exit 3 ("dqmon could not do its job"), not ArgumentParser's 64.
    static func main() async {
        do {
            var command = try parseRouted(Array(CommandLine.arguments.dropFirst()))
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as DQMonError {
            for line in error.details { Console.error(line, prefix: false) }
            Console.error(error.message)
            Foundation.exit(error.exitCode.rawValue)
        } catch let status as RunStatus {
            Foundation.exit(status.exitCode.rawValue)
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

/// A command that ran to the end and printed its report, exiting with the code its statuses give
/// (`dqmon check`: 0, 1, 2, 3 or 4; `dqmon alerts flush`: 4 when notifications stay pending). Not a failure to
/// report: nothing more is printed.
struct RunStatus: Error {
    let exitCode: RunExitCode
}
