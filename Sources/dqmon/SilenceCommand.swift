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
        let matchers: [SilenceMatcher]
        do { matchers = try match.map(SilenceMatcher.init(parsing:)) } catch { throw DQMonError(error.message) }
        let now = global.evaluationTime
        let silence = Silence(matchers: matchers, startsAt: now, endsAt: now.addingTimeInterval(Interval(parsing: duration)?.seconds ?? 0),
                              reason: reason, createdBy: by ?? ProcessInfo.processInfo.environment["USER"], createdAt: now)
        let id: Int64
        do { id = try HistoryStore(path: configuration.project.history.path).addSilence(silence) } catch {
            throw DQMonError(error)
        }
        Console.print("silence #\(id) (\(silence.matchersText)) until \(Format.timestamp(silence.endsAt))")
    }
}

struct SilenceListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List active and upcoming silences.")

    @OptionGroup var global: GlobalOptions

    @Flag(name: .long, help: "Include ended and expired silences.")
    var all = false

    func run() throws {
        let configuration = try global.loadConfiguration()
        let silences: [Silence]
        do {
            let history = try HistoryStore(path: configuration.project.history.path)
            silences = try history.silences(at: global.evaluationTime, includeEnded: all)
        } catch {
            throw DQMonError(error)
        }
        Console.print(AlertsService.silencesTable(silences, now: global.evaluationTime))
    }
}

struct SilenceExpireCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "expire", abstract: "End a silence now; held alerts go out on the next run.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The silence id, as 'dqmon silence list' shows it.")
    var id: Int64

    func run() throws {
        let configuration = try global.loadConfiguration()
        let expired: Bool
        do { expired = try HistoryStore(path: configuration.project.history.path).expireSilence(id: id, at: global.evaluationTime) } catch {
            throw DQMonError(error)
        }
        guard expired else { throw DQMonError("no active silence #\(id) ('dqmon silence list' shows them)") }
        Console.print("silence #\(id) expired; alerts it held go out with the next 'dqmon check' if their incidents are still open")
    }
}
