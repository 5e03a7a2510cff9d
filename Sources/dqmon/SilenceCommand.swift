import ArgumentParser
import DQMon
import Foundation

/// `dqmon silence` — hold back alerts for matching incidents for a while; they are still recorded.
struct SilenceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "silence",
        abstract: "Silence alerts for matching incidents for a while (they are recorded, and sent when the silence ends if still open).",
        discussion: """
            Examples:
              dqmon silence add --match dataset='analytics.*' --for 2h --reason "backfill in progress"
              dqmon silence add --match check=orders/freshness --match severity=warning --for 30m --reason "known delay"
              dqmon silence list
              dqmon silence expire 3
            """,
        subcommands: [SilenceAddCommand.self, SilenceListCommand.self, SilenceExpireCommand.self])
}

struct SilenceAddCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add", abstract: "Add a silence.")

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "KEY=VALUE, all must match (repeatable). Keys: dataset and check (globs), check_type, owner, tag, tier, severity.")
    var match: [String] = []

    @Option(name: .customLong("for"), help: "How long, e.g. 2h.")
    var duration: String

    @Option(name: .long, help: "Why (shown in 'dqmon silence list' and 'dqmon alerts').")
    var reason: String

    @Option(name: .long, help: "Who adds it (default: $USER).")
    var by: String?

    func validate() throws {
        if match.isEmpty { throw ValidationError("give at least one --match KEY=VALUE, e.g. --match dataset=analytics.orders") }
        _ = try FlagValues.interval(duration, flag: "--for")
        if reason.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--reason must not be empty") }
    }

    func run() throws {
        let configuration = try global.loadConfiguration()
        do {
            let matchers = try match.map(SilenceMatcher.init(parsing:))
            let now = global.evaluationTime
            let silence = Silence(matchers: matchers, startsAt: now, endsAt: now.addingTimeInterval(Interval(parsing: duration)!.seconds),
                                  reason: reason, createdBy: by ?? ProcessInfo.processInfo.environment["USER"], createdAt: now)
            let history = try HistoryStore(path: configuration.project.history.path)
            let id = try history.addSilence(silence)
            Console.print("silence #\(id) (\(silence.matchersText)) until \(Format.timestamp(silence.endsAt))")
        } catch let error as SilenceError {
            Console.error(error.message)
            throw ExitCode(RunExitCode.monitoringBroken.rawValue)
        } catch let error as HistoryError {
            Console.error(error.description)
            throw ExitCode(RunExitCode.monitoringBroken.rawValue)
        }
    }
}

struct SilenceListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List active and upcoming silences.")

    @OptionGroup var global: GlobalOptions

    @Flag(name: .long, help: "Include ended and expired silences.")
    var all = false

    func run() throws {
        let configuration = try global.loadConfiguration()
        do {
            let history = try HistoryStore(path: configuration.project.history.path)
            let silences = try history.silences(at: global.evaluationTime, includeEnded: all)
            Console.print(AlertsService.silencesTable(silences, now: global.evaluationTime))
        } catch {
            Console.error(error.description)
            throw ExitCode(RunExitCode.monitoringBroken.rawValue)
        }
    }
}

struct SilenceExpireCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "expire", abstract: "End a silence now; held alerts go out on the next run.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The silence id, as 'dqmon silence list' shows it.")
    var id: Int64

    func run() throws {
        let configuration = try global.loadConfiguration()
        do {
            let history = try HistoryStore(path: configuration.project.history.path)
            guard try history.expireSilence(id: id, at: global.evaluationTime) else {
                Console.error("no active silence #\(id) ('dqmon silence list' shows them)")
                throw ExitCode(RunExitCode.monitoringBroken.rawValue)
            }
            Console.print("silence #\(id) expired; alerts it held go out with the next 'dqmon check' if their incidents are still open")
        } catch let error as HistoryError {
            Console.error(error.description)
            throw ExitCode(RunExitCode.monitoringBroken.rawValue)
        }
    }
}
