import ArgumentParser
import DQMon
import Foundation

/// `dqmon history backup PATH` — a consistent copy of the history, safe while a run is writing it.
struct HistoryBackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Copy the history to PATH with SQLite's online backup (safe while 'dqmon check' runs).",
        discussion: """
            The copy holds whole runs only and is checked before it is put in place. To restore, stop scheduled runs
            and copy the backup over the history file (history.path in dqmon.yml).

            Examples:
              dqmon history backup /backups/dqmon-history-$(date +%F).sqlite
              dqmon history backup backup.sqlite --force
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Where to write the copy (a new file; see --force).")
    var path: String

    @Flag(name: .long, help: "Replace PATH if it exists.")
    var force = false

    func run() throws {
        let configuration = try global.loadConfiguration()
        let source = configuration.project.history.path
        let target = URL(fileURLWithPath: path).standardizedFileURL
        let summary: HistoryBackup.Summary
        do { summary = try HistoryBackup.copy(source, to: target, replace: force) } catch { throw DQMonError(error) }
        Console.print("backed up \(ConfigLoader.displayPath(source)) to \(ConfigLoader.displayPath(target)): "
                      + "\(summary.runs) runs, \(summary.results) results, \(Self.megabytes(summary.bytes))")
    }

    static func megabytes(_ bytes: Int64) -> String {
        String(format: "%.1f MB", Double(bytes) / 1_000_000)
    }
}
