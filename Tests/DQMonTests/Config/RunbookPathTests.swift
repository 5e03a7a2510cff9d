import DQMon
import DQMonTestSupport
import Foundation
import Testing

/// A runbook is an http(s) URL or a file that resolves (symlinks followed) inside the project folder; anything
/// else is a config error, and `dqmon incidents show` checks again before printing a runbook's text.
@Suite struct RunbookPathTests {
    /// A project with `runbooks/ok.md`, a secret file outside it, and symlinks in and out.
    final class Layout {
        let outside = TemporaryDirectory(prefix: "dqmon-outside")
        let fixture = ProjectFixture()
        var root: URL { fixture.root }
        let secret = "TOPSECRET-do-not-print"

        init() throws {
            fixture.directory.write("runbooks/ok.md", "# Stale data\nRestart the loader.\n")
            outside.write("secret.md", secret + "\n")
            outside.write("dir/secret.md", secret + "\n")
            let links: [(String, String)] = [
                ("runbooks/evil.md", outside.path("secret.md").path), ("runbooks/outdir", outside.path("dir").path),
                ("runbooks/inside.md", "ok.md"), ("runbooks/env.md", "/proc/self/environ"),
            ]
            for (link, target) in links {
                try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent(link).path, withDestinationPath: target)
            }
        }

        var resolver: RunbookResolver { RunbookResolver(projectDirectory: root) }
    }

    static let refused: [String] = [
        "../../../../etc/passwd", "/etc/passwd", "/proc/self/environ", "runbooks/evil.md", "runbooks/outdir/secret.md",
        "runbooks/env.md", "runbooks/../../x.md", "runbooks", "runbooks/", ".", "", "  ", "file:///etc/passwd", "FILE:/etc/passwd",
        "javascript:alert(1)", "data:text/plain,x", "ftp://example.com/x", "https://", "runbooks/ok.md\u{0}../../etc/passwd",
        "runbooks/missing.md", "/dev/zero", "/dev/stdin",
    ]

    @Test func refusesEverythingOutsideTheProject() throws {
        let layout = try Layout()
        for runbook in Self.refused {
            guard case .failure(let problem) = layout.resolver.resolve(runbook) else {
                Issue.record("accepted \(runbook.debugDescription)")
                continue
            }
            let message = problem.message(for: runbook)
            #expect(!message.contains("\n") && !message.contains("\u{0}"), "\(message)")
            #expect(layout.resolver.readText(runbook) == nil, "\(runbook)")
        }
        let absoluteOutside = layout.outside.path("secret.md").path
        #expect(layout.resolver.resolve(absoluteOutside) == .failure(.outsideProject(resolved: URL(fileURLWithPath: absoluteOutside).resolvingSymlinksInPath().path)))
    }

    @Test func acceptsURLsAndFilesInside() throws {
        let layout = try Layout()
        for runbook in ["runbooks/ok.md", "./runbooks/ok.md", "runbooks/../runbooks/ok.md", "runbooks/inside.md",
                        layout.root.appendingPathComponent("runbooks/ok.md").path] {
            guard case .success(.file) = layout.resolver.resolve(runbook) else {
                Issue.record("refused \(runbook)")
                continue
            }
            #expect(layout.resolver.readText(runbook)?.hasPrefix("# Stale data") == true, "\(runbook)")
        }
        for url in ["https://wiki.example.com/stale", "HTTPS://WIKI.EXAMPLE.COM/x", "http://example.com"] {
            #expect(layout.resolver.resolve(url) == .success(.url(url)))
            #expect(layout.resolver.readText(url) == nil)
        }
    }

    @Test func aProjectReachedThroughASymlinkStillWorks() throws {
        let layout = try Layout()
        let alias = TemporaryDirectory(prefix: "dqmon-alias")
        let link = alias.path("project")
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: layout.root.path)
        #expect(RunbookResolver(projectDirectory: link).readText("runbooks/ok.md")?.hasPrefix("# Stale data") == true)
    }

    @Test func validateReportsEachAtItsPosition() throws {
        let layout = try Layout()
        layout.fixture.checks("orders.yml", """
            version: 1
            datasets:
              - name: orders
                runbook: ../../../../etc/passwd
                checks:
                  - volume: { runbook: /proc/self/environ }
                  - freshness: { column: c, warn_after: 1h, runbook: runbooks/evil.md }
              - name: payments
                runbook: "ftp://example.com/runbook"
                checks:
                  - volume: { runbook: runbooks/outdir/secret.md }
            """)
        let output = try CommandLineRunner.run(["validate"], in: layout.root)
        #expect(output.status == 3)
        let lines = output.stderr.split(separator: "\n").map(String.init)
        #expect(lines.count == 6, "\(output.stderr)")
        #expect(lines[0] == "checks/orders.yml:4:14: runbook '../../../../etc/passwd' resolves to '/etc/passwd', outside the project folder; a runbook is an http(s) URL or a file inside the project folder, e.g. runbooks/orders.md")
        #expect(lines[1].hasPrefix("checks/orders.yml:6:28: runbook '/proc/self/environ' resolves to '/proc/"))
        #expect(lines[2].hasPrefix("checks/orders.yml:7:58: runbook 'runbooks/evil.md' resolves to '\(layout.outside.url.resolvingSymlinksInPath().path)/secret.md'"))
        #expect(lines[3] == "checks/orders.yml:9:14: runbook 'ftp://example.com/runbook' is a ftp: link; a runbook is an http(s) URL or a file inside the project folder, e.g. runbooks/orders.md")
        #expect(lines[4].hasPrefix("checks/orders.yml:11:28: runbook 'runbooks/outdir/secret.md' resolves to "))
        #expect(!output.stdout.contains(layout.secret) && !output.stderr.contains(layout.secret))
    }

    /// The runbook text is checked again when `incidents show` reads it: a file swapped for a symlink after the
    /// check ran (here: the incident's recorded runbook, its check since removed from config) is not printed.
    @Test func incidentsShowRechecksTheRunbookWhenReadingIt() throws {
        let layout = try Layout()
        layout.fixture.checks("orders.yml", """
            version: 1
            datasets:
              - name: orders
                tier: 1
                runbook: runbooks/stale.md
                checks:
                  - freshness: { column: updated_at, warn_after: 2h, error_after: 6h }
            """)
        layout.fixture.directory.write("runbooks/stale.md", "# Stale orders\nRestart the orders loader.\n")
        try layout.fixture.warehouse().table("orders", timestamps: [ISO8601.date(from: "2026-11-25T05:00:00Z")!])
        #expect(try CommandLineRunner.run(["check", "--now", "2026-11-25T12:00:00Z"], in: layout.root).status == 1)
        let before = try CommandLineRunner.run(["incidents", "show", "1", "--now", "2026-11-25T12:30:00Z"], in: layout.root)
        #expect(before.stdout.contains("Restart the orders loader."))

        // The check leaves the config; its incident keeps `runbooks/stale.md`, which now points outside.
        layout.fixture.checks("orders.yml", "version: 1\ndatasets:\n  - name: other\n    checks: [ { volume: {} } ]\n")
        let stale = layout.root.appendingPathComponent("runbooks/stale.md")
        try FileManager.default.removeItem(at: stale)
        try FileManager.default.createSymbolicLink(atPath: stale.path, withDestinationPath: layout.outside.path("secret.md").path)
        let after = try CommandLineRunner.run(["incidents", "show", "1", "--now", "2026-11-25T12:30:00Z"], in: layout.root)
        #expect(after.status == 0, "\(after.stderr)")
        #expect(after.stdout.contains("Incident #1"))
        #expect(!after.stdout.contains(layout.secret) && !after.stderr.contains(layout.secret))

        // Still configured, the swapped runbook is a config error: nothing is printed from it either.
        layout.fixture.checks("orders.yml", "version: 1\ndatasets:\n  - name: orders\n    runbook: runbooks/stale.md\n    checks: [ { volume: {} } ]\n")
        let configured = try CommandLineRunner.run(["incidents", "show", "1"], in: layout.root)
        #expect(configured.status == 3)
        #expect(!configured.stdout.contains(layout.secret) && !configured.stderr.contains(layout.secret))
    }
}
