import ArgumentParser
import DQMon
import Foundation

extension DQMonLog.Format: ExpressibleByArgument {}

/// Output formats; `junit` applies to `check` only.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json, junit
}

/// Options every subcommand takes: `--config`, `--now`, `--format`.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "Path to dqmon.yml (checks/ is read beside it).")
    var config: String = "dqmon.yml"

    @Option(name: .long, help: "Evaluate as if at this time (ISO 8601, e.g. 2026-11-25T18:00:00Z, years 0001-9999, offsets up to ±18:00): replays, backfills, tests.")
    var now: String?

    @Option(name: .long, help: "Output format: table or json (check also takes junit).")
    var format: OutputFormat = .table

    @Option(name: .long, help: "stderr: text (default), or json: one JSON object per event, for log aggregators.")
    var logFormat: DQMonLog.Format = .text

    func validate() throws {
        DQMonLog.bootstrap(logFormat)
        if let now {
            do {
                _ = try ISO8601.parse(now)
            } catch {
                let shown = String(now.unicodeScalars.prefix(60).map { $0.value < 0x20 || $0.value == 0x7f ? "?" : Character($0) })
                if error == .notATime { throw ValidationError("--now '\(shown)' is \(error.description)") }
                throw ValidationError("--now '\(shown)': \(error.description); write e.g. 2026-11-25T18:00:00Z")
            }
        }
    }

    var evaluationTime: Date { now.flatMap(ISO8601.date(from:)) ?? Date() }

    var configURL: URL { URL(fileURLWithPath: config).standardizedFileURL }

    /// Loads the configuration; on errors, one `DQMonError` that prints each as `file:line:column: message`, exit 3.
    func loadConfiguration() throws(DQMonError) -> Configuration {
        do {
            return try ConfigLoader.load(configPath: configURL)
        } catch {
            throw DQMonError(configuration: error)
        }
    }
}

/// Writes to stdout and stderr. Errors are one line, prefixed `dqmon: error:`.
enum Console {
    static func print(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    static func error(_ text: String, prefix: Bool = true) {
        if DQMonLog.isJSON { return DQMonLog.event("error", level: .error, text) }
        FileHandle.standardError.write(Data(((prefix ? "dqmon: error: " : "") + text + "\n").utf8))
    }

    static func note(_ text: String) {
        if DQMonLog.isJSON { return DQMonLog.event("note", level: .notice, text) }
        FileHandle.standardError.write(Data(("dqmon: " + text + "\n").utf8))
    }

    static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) != 0 }
}
