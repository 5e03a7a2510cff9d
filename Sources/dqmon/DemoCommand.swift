import ArgumentParser
import DQMon
import Foundation

/// `dqmon demo` — creates the demo warehouse and replays a month of hourly runs.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Create the demo SQLite warehouse and replay about 30 days of hourly 'dqmon check' runs.",
        discussion: """
            Recreates the 'demo' warehouse file named in dqmon.yml and resets the history database, then loads
            data hour by hour and runs the checks in checks/ after each hour, as a scheduler would (--now moves
            with the replay). During the replay 'events' loses most of its daily volume for three days and
            'payments' stops loading 36 hours before the end; 'payments.amount' changes type (day 9) and
            'orders.discount' is dropped (day 24). Business rules: a batch of payments for orders that do not
            exist (day 5, deleted the next day) and a day of order statuses outside the accepted list (day 12,
            corrected the next morning). Ends with the last run's summary.

            Examples:
              dqmon demo
              dqmon demo --days 14 --now 2026-11-25T12:00:00Z
              dqmon demo --postgres "$DQMON_DEMO_URL"    also load the demo into PostgreSQL and check it there
              dqmon demo --mysql "$DQMON_DEMO_MYSQL_URL" the same into MySQL or MariaDB
            """)

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "Days to replay.")
    var days: Int = 30

    @Option(name: .long, help: ArgumentHelp(
        "Also load the demo into this PostgreSQL database (tables customers, orders, payments, events in schema public) and replay the checks against it.",
        valueName: "postgres://user:password@host:5432/database"))
    var postgres: String?

    @Option(name: .long, help: ArgumentHelp(
        "Also load the demo into this MySQL or MariaDB database (tables customers, orders, payments, events) and replay the checks against it.",
        valueName: "mysql://user:password@host:3306/database"))
    var mysql: String?

    func validate() throws {
        if days < 3 || days > 365 { throw ValidationError("--days must be between 3 and 365") }
        _ = try postgresSettings()
        _ = try mysqlSettings()
        if postgres != nil, mysql != nil { throw ValidationError("--postgres and --mysql: choose one warehouse to copy the demo into") }
    }

    /// The MySQL target of `--mysql`, nil without it; a bad URL or a missing client library is a `ValidationError`.
    func mysqlSettings() throws -> MySQLSettings? {
        guard let mysql else { return nil }
        do {
            let url = try MySQLURL(parsing: mysql)
            if let problem = MySQLSettings.clientLibraryProblem { throw ValidationError("--mysql: \(problem)") }
            return MySQLSettings(url: url)
        } catch let error as MySQLURL.ParseError {
            throw ValidationError("--mysql \(error.reason)")
        }
    }

    /// The PostgreSQL target of `--postgres`, nil without it. `?sslmode=` in the URL follows the config's rule
    /// (`PostgresSettings.sslMode(in:)`: `prefer` when absent); a bad URL or sslmode is a `ValidationError`.
    func postgresSettings() throws -> PostgresSettings? {
        guard let postgres else { return nil }
        let url: PostgresURL
        do { url = try PostgresURL(parsing: postgres) } catch { throw ValidationError("--postgres \(error.reason)") }
        do { return PostgresSettings(url: url, sslMode: try PostgresSettings.sslMode(in: url)) } catch {
            throw ValidationError("--postgres \(error.message(in: "the URL"))")
        }
    }

    func run() async throws {
        let configuration = try global.loadConfiguration()
        let scenario = DemoScenario(end: global.evaluationTime, days: days)
        Console.note("building the demo warehouse and replaying \(days * 24) hourly runs from \(Format.timestamp(scenario.start)) ...")
        let showProgress = Console.stderrIsTerminal
        let report: RunReport
        do {
            report = try await DemoReplay.run(configuration: configuration, scenario: scenario, copyInto: try postgresSettings() ?? mysqlSettings()) { progress in
                if showProgress, progress.run % 24 == 0 || progress.run == progress.runs {
                    FileHandle.standardError.write(Data("\rdqmon: replayed \(progress.run)/\(progress.runs) runs".utf8))
                    if progress.run == progress.runs { FileHandle.standardError.write(Data("\n".utf8)) }
                }
            }
        } catch {
            throw DQMonError(unexpected: error, context: "demo failed")
        }
        Console.print("Last run of the replay:\n")
        Console.print(RunReportRenderer.table(report))
        Console.print("\nNext: 'dqmon history payments/freshness', 'dqmon history events/volume/daily_events', 'dqmon history orders --schema', 'dqmon check --all'")
    }
}
