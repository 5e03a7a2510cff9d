import ArgumentParser
import DQMon
import Foundation

/// `dqmon prune` — deletes history older than `history.retention`.
struct PruneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune",
        abstract: "Delete runs, results, metric points and resolved incidents older than history.retention (default 400d).")

    @OptionGroup var global: GlobalOptions

    @OptionGroup var lock: LockTimeoutOption

    func run() throws {
        let configuration = try global.loadConfiguration()
        let summary = try HistoryPrune.run(configuration: configuration, now: global.evaluationTime, lockTimeout: lock.seconds)
        Console.print(summary.description)
    }
}
