import DQMon
import DQMonTestSupport
import Foundation
import Testing

/// The demo's report as a person sees it: built with `dqmon demo` and `dqmon report` through the real binary, rendered
/// by headless Chromium (Debian's `chromium`), which must log no console error; the DOM Chromium builds must have a
/// target for every in-page link and data marks in every chart. Screenshots of the overview and of each section are
/// kept in the test's folder and copied to `.build/report-screenshots/` for a person to look at.
///
/// Needs `chromium` on PATH (CI installs it, see .ci/run); set DQMON_SKIP_CHROMIUM=1 to skip on a machine without it.
@Suite(.serialized) struct ReportChromiumTests {
    static let now = "2026-11-29T18:02:00Z"
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static var skipped: Bool { ProcessInfo.processInfo.environment["DQMON_SKIP_CHROMIUM"] == "1" }

    @Test(.enabled(if: !skipped)) func theConsoleErrorProbeWorks() throws {
        let folder = TemporaryDirectory(prefix: "dqmon-chromium-probe")
        let page = folder.write("probe.html", "<!DOCTYPE html><html><body><script>console.error('probe-error-16')</script></body></html>")
        let run = try Chromium.dumpDOM(page, profile: folder.path("profile"))
        #expect(Chromium.consoleErrors(in: run.stderr).contains { $0.contains("probe-error-16") },
                "console errors are not seen; the check below would pass blindly. stderr: \(run.stderr.suffix(2_000))")
    }

    @Test(.enabled(if: !skipped)) func theDemoReportRendersWithoutErrorsAndTellsTheStory() throws {
        let project = try Self.demoProject()
        let report = try Self.dqmonRun(["report", "--now", Self.now, "--output", "report.html"], in: project.url)
        #expect(report.status == 0, "\(report.stderr)")
        let page = project.path("report.html")
        let html = try String(contentsOf: page, encoding: .utf8)
        try ReportPageChecks.expectWellFormed(html)
        Self.expectStory(html)

        let dom = try Chromium.dumpDOM(page, profile: project.path("chromium-profile"))
        #expect(dom.status == 0, "chromium: \(dom.stderr.suffix(2_000))")
        #expect(Chromium.consoleErrors(in: dom.stderr).isEmpty, "console errors: \(Chromium.consoleErrors(in: dom.stderr))")
        #expect(dom.stdout.contains("id=\"overview\""), "chromium did not render the page: \(dom.stdout.prefix(500))")
        try ReportPageChecks.expectWellFormed(dom.stdout)

        let shots = try Self.screenshots(of: page, in: project)
        for shot in shots {
            let data = try Data(contentsOf: shot)
            #expect(data.starts(with: [0x89, 0x50, 0x4E, 0x47]), "\(shot.lastPathComponent) is not a PNG")
            #expect(data.count > 20_000, "\(shot.lastPathComponent) looks blank (\(data.count) bytes)")
        }
        try Self.keepForPeople(shots)
    }

    /// The demo's story on the overview: stale payments failing now with its open incident, the events volume drop
    /// over days, and the two schema changes, each in words.
    static func expectStory(_ html: String) {
        guard let overview = html.range(of: "id=\"overview\""), let datasets = html.range(of: "id=\"datasets\"") else {
            Issue.record("no overview or datasets section")
            return
        }
        let text = String(html[overview.upperBound..<datasets.lowerBound])
        for expected in ["payments</strong></a> <span class=\"badge fail\">✗ FAIL", "open <a href=\"#incident-", "payments/freshness: data is",
                         "events/volume/daily_events FAIL for 2d", "type of &quot;amount&quot; changed numeric -&gt; text",
                         "removed column &quot;discount&quot;", "Schema drift incidents: 2"] {
            #expect(text.contains(expected), "the overview does not say: \(expected)")
        }
    }

    /// `dqmon demo` in a copy of the repository's project files (its config, checks, runbooks and alert routes).
    static func demoProject() throws -> TemporaryDirectory {
        let project = TemporaryDirectory(prefix: "dqmon-report-demo")
        for item in ["dqmon.yml", "checks", "runbooks", "alerts"] {
            let source = repositoryRoot.appendingPathComponent(item)
            if FileManager.default.fileExists(atPath: source.path) { try FileManager.default.copyItem(at: source, to: project.path(item)) }
        }
        let demo = try dqmonRun(["demo", "--now", now], in: project.url, timeout: 1_800)
        #expect(demo.status == 0, "dqmon demo: \(demo.stderr.suffix(2_000))")
        return project
    }

    static func dqmonRun(_ arguments: [String], in folder: URL, timeout: TimeInterval = 300) throws -> CommandLineRunner.Output {
        try CommandLineRunner.run(arguments, in: folder, environment: ["DQMON_SLACK_WEBHOOK": "", "DQMON_TEAMS_WEBHOOK": ""], timeout: timeout)
    }

    /// The top of the page, then each section alone (a copy of the page with a style hiding the others), so every
    /// part gets a readable picture.
    static func screenshots(of page: URL, in project: TemporaryDirectory) throws -> [URL] {
        let html = try String(contentsOf: page, encoding: .utf8)
        let views: [(String, String, Int)] = [
            ("1-top", "", 2_200),
            ("2-overview", "main>section:not(#overview){display:none}", 2_600),
            ("3-dataset-payments", "main>section:not(#datasets),#datasets>p{display:none}.dataset:not(#dataset-payments){display:none}", 2_000),
            ("4-dataset-events", "main>section:not(#datasets),#datasets>p{display:none}.dataset:not(#dataset-events){display:none}", 2_200),
            ("5-dataset-orders", "main>section:not(#datasets),#datasets>p{display:none}.dataset:not(#dataset-orders){display:none}", 2_400),
            ("6-incidents", "main>section:not(#incidents){display:none}", 2_400),
            ("7-cost", "main>section:not(#cost){display:none}", 1_400),
        ]
        return try views.map { name, style, height in
            let view = project.write("view-\(name).html", html.replacingOccurrences(of: "</head>", with: "<style>\(style)</style></head>"))
            let shot = project.path("\(name).png")
            let run = try Chromium.screenshot(view, to: shot, height: height, profile: project.path("chromium-profile"))
            #expect(run.status == 0, "chromium screenshot \(name): \(run.stderr.suffix(1_000))")
            return shot
        }
    }

    /// Copies the screenshots to `.build/report-screenshots/`, where a person can open them after the test.
    static func keepForPeople(_ shots: [URL]) throws {
        let folder = repositoryRoot.appendingPathComponent(".build/report-screenshots")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for shot in shots {
            let target = folder.appendingPathComponent(shot.lastPathComponent)
            try? FileManager.default.removeItem(at: target)
            try FileManager.default.copyItem(at: shot, to: target)
        }
    }
}

/// Headless Chromium as the tests and `scripts/test-report` run it (`--no-sandbox`: CI runs as root).
enum Chromium {
    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static var binary: String? {
        for name in ["chromium", "chromium-browser", "google-chrome"] {
            for folder in ["/usr/bin", "/usr/local/bin", "/snap/bin"] where FileManager.default.isExecutableFile(atPath: "\(folder)/\(name)") {
                return "\(folder)/\(name)"
            }
        }
        return nil
    }

    static func arguments(profile: URL) -> [String] {
        ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--hide-scrollbars",
         "--user-data-dir=\(profile.path)", "--enable-logging=stderr", "--v=0"]
    }

    static func dumpDOM(_ page: URL, profile: URL) throws -> Output {
        try run(arguments(profile: profile) + ["--dump-dom", page.absoluteString])
    }

    static func screenshot(_ page: URL, to file: URL, height: Int, profile: URL) throws -> Output {
        try run(arguments(profile: profile) + ["--screenshot=\(file.path)", "--window-size=1280,\(height)", page.absoluteString])
    }

    /// Console messages of level error (`CONSOLE` lines Chromium logs with `--enable-logging=stderr`; uncaught
    /// exceptions are logged the same way).
    static func consoleErrors(in stderr: String) -> [String] {
        stderr.split(separator: "\n").map(String.init).filter { line in
            line.contains("CONSOLE") && (line.contains(":ERROR:") || line.lowercased().contains("error") || line.contains("Uncaught"))
        }
    }

    /// Runs chromium under coreutils `timeout` (a hung browser must not hang the suite).
    static func run(_ arguments: [String]) throws -> Output {
        guard let binary else {
            Issue.record("chromium is not installed (apt-get install chromium), or set DQMON_SKIP_CHROMIUM=1")
            return Output(status: -1, stdout: "", stderr: "")
        }
        let folder = TemporaryDirectory(prefix: "dqmon-chromium-run")
        let out = folder.path("stdout"), err = folder.path("stderr")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        FileManager.default.createFile(atPath: err.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
        process.arguments = ["120", binary] + arguments
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
        process.waitUntilExit()
        let read = { (url: URL) in (try? String(contentsOf: url, encoding: .utf8)) ?? "" }
        return Output(status: process.terminationStatus, stdout: read(out), stderr: read(err))
    }
}
