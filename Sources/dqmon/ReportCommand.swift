import ArgumentParser
import DQMon
import Foundation

/// `dqmon report` — one self-contained HTML page: overview, a section per dataset, incidents and cost.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write an HTML report (SLA, datasets, incidents, cost) as one self-contained file.",
        discussion: """
            The page has no script and loads nothing: publish it as a CI artifact or on an internal page.
            Anchors: #overview, #datasets, #incidents, #cost, #dataset-<name>, #incident-<id>
            (set 'report_url:' in dqmon.yml and alerts link to them).

            Examples:
              dqmon report                               report.html, the last 30 days
              dqmon report --output public/index.html --window 7d
            """)

    @OptionGroup var global: GlobalOptions

    @Option(name: .long, help: "The HTML file to write (relative to the working directory; not a directory).")
    var output: String = "report.html"

    @Option(name: .long, help: "How far back from now (or --now), e.g. 30d, 7d, 12h.")
    var window: String = "30d"

    func validate() throws {
        _ = try FlagValues.interval(window, flag: "--window")
        if global.format != .table { throw ValidationError("--format applies to other commands; 'dqmon report' writes HTML to --output") }
        if output.isEmpty { throw ValidationError("--output must name a file, e.g. report.html") }
    }

    func run() throws {
        let configuration = try global.loadConfiguration()
        let report = try withHistory(configuration) { history in
            try HTMLReport.load(configuration: configuration, history: history, window: Interval(parsing: window)!, now: global.evaluationTime)
        }
        let html = report.render()
        let path = URL(fileURLWithPath: output).standardizedFileURL
        try HTMLReportFile.write(html, to: path)
        Console.print("wrote \(output) (\(html.utf8.count / 1_024) KB): \(report.summary)")
    }
}
