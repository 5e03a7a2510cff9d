import ArgumentParser
import DQMon
import Foundation

/// `dqmon alerts` — the outbox: list what is pending or failed, flush it, or send a test message.
struct AlertsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alerts",
        abstract: "List pending and failed alert notifications, retry them, or send a test message.",
        discussion: """
            Examples:
              dqmon alerts                    pending and failed notifications, and alerts held by silences
              dqmon alerts flush              send every pending notification now (exit 4 if some stay pending)
              dqmon alerts test oncall-slack  send a test message to one receiver of alerts/*.yml
            """,
        subcommands: [AlertsListCommand.self, AlertsFlushCommand.self, AlertsTestCommand.self],
        defaultSubcommand: AlertsListCommand.self)
}

struct AlertsListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List pending and failed notifications.")

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let configuration = try global.loadConfiguration()
        let listing: AlertsService.Listing
        do { listing = try AlertsService.list(history: try HistoryStore(path: configuration.project.history.path)) } catch {
            throw DQMonError(error)
        }
        Console.print(global.format == .json ? AlertsService.json(listing) : AlertsService.table(listing))
    }
}

struct AlertsFlushCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flush", abstract: "Send every pending notification now; exit 4 when some stay pending or fail.")

    @OptionGroup var global: GlobalOptions

    @OptionGroup var lock: LockTimeoutOption

    func run() async throws {
        let configuration = try global.loadConfiguration()
        let report: AlertDeliveryReport
        do { report = try await AlertsService.flush(configuration: configuration, now: global.evaluationTime, lockTimeout: lock.seconds) } catch {
            throw DQMonError(error)
        }
        for problem in report.problems { Console.error(problem) }
        Console.print("sent \(report.sent), failed \(report.failed), still pending \(report.pending)")
        if report.hasUndelivered { throw RunStatus(exitCode: .alertsPending) }
    }
}

struct AlertsTestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test", abstract: "Send a test message to one receiver (PagerDuty: a trigger, then its resolve).")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "A receiver name from alerts/*.yml.")
    var receiver: String

    func run() async throws {
        let configuration = try global.loadConfiguration()
        let history: HistoryStore
        do { history = try HistoryStore(path: configuration.project.history.path) } catch { throw DQMonError(error) }
        switch await AlertDelivery(alerts: configuration.alerts, history: history).sendTest(to: receiver, now: global.evaluationTime) {
        case .success(let message): Console.print(message)
        case .failure(let error): throw DQMonError(error.message, exitCode: .alertsPending)
        }
    }
}
