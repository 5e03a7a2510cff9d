import ArgumentParser
import DQMon
import Foundation

/// `dqmon prune` — deletes history older than `history.retention`.
struct PruneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune",
        abstract: "Delete runs, results, metric points and resolved incidents older than history.retention (default 400d).")

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let configuration = try global.loadConfiguration()
        let retention = configuration.project.history.retention
        let cutoff = global.evaluationTime.addingTimeInterval(-retention.seconds)
        do {
            let lock = try RunLock.acquire(for: configuration.project.history.path, timeout: 60)
            defer { withExtendedLifetime(lock) {} }
            let history = try HistoryStore(path: configuration.project.history.path)
            let runs = try history.prune(before: cutoff)
            Console.print("pruned \(runs) run(s) older than \(retention) (before \(Format.timestamp(cutoff)))")
        } catch {
            Console.error("\(error)")
            throw ExitCode(RunExitCode.monitoringBroken.rawValue)
        }
    }
}
