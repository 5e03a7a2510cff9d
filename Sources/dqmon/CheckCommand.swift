import ArgumentParser
import DQMon
import Foundation

/// `dqmon check` — runs the due checks, records them in history and prints a summary.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        // Only read when `check` is parsed on its own (see `DQMonCommand.parseRouted`): it names the real root in
        // usage lines, and tells ArgumentParser not to look for a completion-script request (routed arguments have none).
        _superCommandName: "dqmon",
        abstract: "Run the checks that are due, record the results, and print them.",
        discussion: """
            Exit codes: 0 all passed (warnings too), 1 a check failed, 2 only warnings with --fail-on warn,
            3 dqmon could not do its job (config invalid, warehouse unreachable, a check errored, history locked),
            4 alerts left pending. When several apply: 3, 4, 1, 2, 0.

            Examples:
              dqmon check                               checks that are due, judged from history
              dqmon check --all --select tier:1         every tier-1 check
              dqmon check --select 'analytics.*' --exclude tag:slow
              dqmon check --dry-run                     print the SQL, run nothing
              dqmon check --fail-on never               exit non-zero only when monitoring is broken
            """)

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "Only these datasets: a name or glob, tag:X, tier:N or owner:X (repeatable).")
    var select: [String] = []

    @Option(name: .long, help: "Leave out these datasets (same forms as --select; repeatable).")
    var exclude: [String] = []

    @Flag(name: .long, help: "Run every selected check, not only those that are due.")
    var all = false

    @Option(name: .long, help: "Datasets queried at once per warehouse (default: the warehouse's max_connections).")
    var parallel: Int?

    @Flag(name: .long, help: "Print the SQL that would run; query nothing and write nothing.")
    var dryRun = false

    @Option(name: .long, help: "Exit non-zero on: fail (default), warn, or never (only broken monitoring).")
    var failOn: String = "fail"

    @OptionGroup var lock: LockTimeoutOption

    @Flag(name: .long, help: "Record results and incidents, but write and send no alert notifications.")
    var noAlerts = false

    @Flag(name: .long, help: "Print nothing unless a check is not pass, an incident changed or an alert is pending (for cron).")
    var quiet = false

    @Option(name: .long, help: "Also write the run's state as Prometheus metrics to PATH, atomically (node_exporter's textfile collector: a *.prom file). If it cannot be written: one line on stderr, exit 3; the run is still recorded.")
    var prometheusFile: String?

    func validate() throws {
        if FailOn(rawValue: failOn) == nil { throw ValidationError("--fail-on must be fail, warn or never, got '\(failOn)'") }
        if let parallel { try FlagValues.count(parallel, flag: "--parallel", in: FlagValues.parallelism) }
        if let prometheusFile {
            if prometheusFile.isEmpty { throw ValidationError("--prometheus-file needs a path, e.g. /var/lib/node_exporter/textfile/dqmon.prom") }
            if dryRun { throw ValidationError("--prometheus-file does not apply to --dry-run, which writes nothing") }
        }
    }

    func run() async throws {
        let configuration = try global.loadConfiguration()
        let options = try runOptions()
        if dryRun {
            try printDryRun(configuration, options: options)
            return
        }
        let report: RunReport
        let rendered: String?
        RunEvents.started(configuration: global.configURL, options: options)
        // The text table needs nothing the history adds, so it is rendered on another core while the run is recorded.
        let rendersTable = global.format == .table && !quiet
        do {
            (report, rendered) = try await CheckRunner.run(configuration: configuration, options: options, lockTimeout: lock.seconds,
                                                           alongsideRecording: { rendersTable ? RunReportRenderer.resultsAndSummary($0) : nil })
        } catch {
            throw DQMonError(error)
        }
        if Console.stderrIsTerminal { ProgressLine.clear() }
        for problem in report.warehouseErrors { Console.error(problem.description) }
        if let alerts = report.alerts {
            for problem in alerts.problems { Console.error(problem) }
            if alerts.hasUndelivered { Console.note("alerts: \(alerts.sent) sent, \(alerts.failed) failed, \(alerts.pending) pending ('dqmon alerts' lists them)") }
        }
        RunEvents.finished(report)
        let exitCode = writePrometheusFile(report, configuration: configuration) ? report.exitCode : .monitoringBroken
        // The process exits right after: the exit frees the run's 5,000 results and 1,000 dataset configs at once,
        // where releasing them on the way out of this function freed them one allocation at a time (~3 ms).
        LeftForExit.keep((report, configuration))
        if quiet && !RunEvents.needsAttention(report) { throw RunStatus(exitCode: exitCode) }
        switch global.format {
        case .table: Console.print(RunReportRenderer.table(report, resultsAndSummary: rendered))
        case .json: Console.print(RunReportRenderer.json(report))
        case .junit: Console.print(RunReportRenderer.junit(report))
        }
        throw RunStatus(exitCode: exitCode)
    }

    /// `--prometheus-file`: writes the metrics after the run is recorded. A failure is one line on stderr naming the
    /// path and returns false (the caller exits 3); the run and its history stay as recorded.
    func writePrometheusFile(_ report: RunReport, configuration: Configuration) -> Bool {
        guard let prometheusFile else { return true }
        let path = URL(fileURLWithPath: prometheusFile).standardizedFileURL
        do {
            let history = try HistoryStore(path: configuration.project.history.path)
            let families = try PrometheusRunMetrics.families(report: report, configuration: configuration, history: history)
            try PrometheusTextfile.write(PrometheusTextfile.render(families), to: path)
            return true
        } catch let error as PrometheusTextfile.WriteError {
            Console.error(error.description)
        } catch {
            Console.error("--prometheus-file \(path.path): cannot read the run's state from history: \(error); the run itself was recorded")
        }
        return false
    }

    func runOptions() throws(DQMonError) -> RunOptions {
        do {
            let selection = Selection(select: try select.map(Selection.term(parsing:)), exclude: try exclude.map(Selection.term(parsing:)))
            var options = RunOptions(now: global.evaluationTime, selection: selection, runAll: all,
                                     failOn: FailOn(rawValue: failOn) ?? .fail, parallelism: parallel)
            if Console.stderrIsTerminal { options.progress = ProgressLine(started: Date()).update }
            options.sendAlerts = !noAlerts
            return options
        } catch {
            throw DQMonError("--select/--exclude \(error.description)")
        }
    }

    /// Dry runs read history (to judge what is due) but never create or write it.
    func printDryRun(_ configuration: Configuration, options: RunOptions) throws(DQMonError) {
        do {
            let states = try HistoryStore.checkStatesReadOnly(path: configuration.project.history.path)
            Console.print(try CheckRunner.dryRunSQL(configuration: configuration, options: options, states: states))
        } catch {
            throw DQMonError(unexpected: error)
        }
    }
}

/// Values a command leaves for the process's exit to free, held until then (reachable, so not a leak to a checker).
enum LeftForExit {
    private static let held = Held()

    static func keep(_ value: any Sendable) {
        held.lock.withLock { held.values.append(value) }
    }

    private final class Held: @unchecked Sendable {
        let lock = NSLock()
        var values: [any Sendable] = []
    }
}

/// The progress line on a terminal's stderr, shown only for runs longer than a second.
struct ProgressLine: Sendable {
    let started: Date

    func update(done: Int, total: Int) {
        guard Date().timeIntervalSince(started) > 1 else { return }
        FileHandle.standardError.write(Data("\rdqmon: checked \(done)/\(total) datasets".utf8))
    }

    static func clear() {
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
