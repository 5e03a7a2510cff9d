@testable import DQMon
import DQMonTestSupport
import Foundation
import Testing

/// `dqmon report` through the real binary: a fresh project, hostile names and values, where the file may go, and
/// the page's own promises (no script, every in-page link has its target, every chart has marks).
@Suite struct ReportCommandTests {
    static let hostileName = "<script>alert('x')</script> & \"co\""

    /// A project whose dataset name, owner, description, tags and check name try to break out of the page.
    static func hostileProject() throws -> ProjectFixture {
        let fixture = ProjectFixture()
        let now = ProjectFixture.now
        let warehouse = try fixture.warehouse()
        let quoted = "\"" + hostileName.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        try warehouse.execute("CREATE TABLE \(quoted) (id INTEGER PRIMARY KEY, updated_at TEXT)")
        for time in WarehouseFixture.spread(20, over: 86_400 * 3, endingAt: now.addingTimeInterval(-20 * 3_600)) {
            try warehouse.execute("INSERT INTO \(quoted) (updated_at) VALUES (?)", [WarehouseFixture.text(time)])
        }
        fixture.checks("hostile.yml", """
            version: 1
            datasets:
              - name: '<script>alert(''x'')</script> & "co"'
                tier: 1
                owner: '"><img src=x onerror=alert(1)>'
                description: "</style><script>document.title='pwned'</script> &amp; more"
                tags: ['a&b', '<b>']
                runbook: 'https://runbooks.example/x?a="><script>alert(1)</script>'
                checks:
                  - freshness: { column: updated_at, warn_after: 1h, error_after: 6h }
                  - volume: { name: '"><svg onload=alert(1)>', min_rows: 30 }
            """)
        return fixture
    }

    /// Runs `dqmon check` at three hours and reports; returns the page.
    static func report(_ fixture: ProjectFixture, extra: [String] = []) throws -> String {
        for hour in 0..<3 {
            let now = ISO8601.string(from: ProjectFixture.now.addingTimeInterval(Double(hour - 2) * 3_600))
            let run = try dqmon(["check", "--now", now], in: fixture)
            #expect([0, 1].contains(run.status), "\(run.stderr)")
        }
        let output = try dqmon(["report", "--now", ISO8601.string(from: ProjectFixture.now), "--output", "out.html"] + extra, in: fixture)
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout.contains("wrote out.html"))
        return try String(contentsOf: fixture.directory.path("out.html"), encoding: .utf8)
    }

    @Test func hostileNamesAreEscapedEverywhere() throws {
        let html = try Self.report(try Self.hostileProject())
        let lowered = html.lowercased()
        for tag in ["<script", "<img", "<svg onload"] {
            let reached = lowered.contains(tag)
            #expect(!reached, "a value reached the page as \(tag)")
        }
        let styleEnds = lowered.components(separatedBy: "</style>").count - 1
        #expect(styleEnds == 1, "a value closed the style element")
        for escaped in ["&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;co&quot;", "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;", "&amp;amp; more"] {
            let found = html.contains(escaped)
            #expect(found, "not found escaped: \(escaped)")
        }
        try ReportPageChecks.expectWellFormed(html)
    }

    @Test func hostileNamesGetDistinctStableAnchors() throws {
        let names = [Self.hostileName, "orders", "a b", "a-b", "A B", "ödeme", "支払い", "", "\u{0}x", String(repeating: "x", count: 500)]
        let anchors = names.map(HTMLReport.datasetAnchor)
        #expect(Set(anchors).count == names.count, "two names share an anchor: \(anchors)")
        for anchor in anchors {
            #expect(anchor.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }, "\(anchor)")
            #expect(anchor.count <= 80)
        }
        #expect(HTMLReport.datasetAnchor("orders") == "dataset-orders")
        #expect(HTMLReport.incidentAnchor(12) == "incident-12")
        #expect(anchors == names.map(HTMLReport.datasetAnchor), "anchors are not stable")
    }

    @Test func aFreshProjectGetsAPageThatSaysNothingIsRecordedYet() throws {
        let fixture = ProjectFixture()
        fixture.checks("orders.yml", ProjectFixture.checksYAML(dataset: "orders", checks: "      - volume: { min_rows: 1 }\n"))
        let output = try dqmon(["report", "--output", "empty.html"], in: fixture)
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout.contains("nothing recorded in the window yet"))
        let html = try String(contentsOf: fixture.directory.path("empty.html"), encoding: .utf8)
        #expect(html.contains("Nothing recorded yet"))
        #expect(html.contains("dqmon check"))
        try ReportPageChecks.expectWellFormed(html)
    }

    @Test func outputMayBeOutsideTheProjectButNeverADirectory() throws {
        let fixture = ProjectFixture()
        fixture.checks("orders.yml", ProjectFixture.checksYAML(dataset: "orders", checks: "      - volume: { min_rows: 1 }\n"))
        let outside = TemporaryDirectory(prefix: "dqmon-report-out")
        let written = try dqmon(["report", "--output", outside.path("r.html").path], in: fixture)
        #expect(written.status == 0, "\(written.stderr)")
        #expect(FileManager.default.fileExists(atPath: outside.path("r.html").path))
        // Written again over the old file (atomically, by rename).
        #expect(try dqmon(["report", "--output", outside.path("r.html").path], in: fixture).status == 0)

        let directory = try dqmon(["report", "--output", outside.url.path], in: fixture)
        #expect(directory.status == 3)
        #expect(directory.stderr.contains("is a directory"), "\(directory.stderr)")
        var isDirectory: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: outside.url.path, isDirectory: &isDirectory) && isDirectory.boolValue)

        let missing = try dqmon(["report", "--output", outside.path("no/such/r.html").path], in: fixture)
        #expect(missing.status == 3)
        #expect(missing.stderr.contains("does not exist"), "\(missing.stderr)")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: outside.url.path).filter { $0.hasSuffix(".tmp") }
        #expect(leftovers.isEmpty, "temporary files left: \(leftovers)")
    }

    @Test func badFlagsAreOneLineAndExitThree() throws {
        let fixture = ProjectFixture()
        for arguments in [["report", "--window", "forever"], ["report", "--format", "json"], ["report", "--output", ""]] {
            let output = try dqmon(arguments, in: fixture)
            #expect(output.status == 3, "\(arguments): \(output.stderr)")
            #expect(output.stderr.split(separator: "\n").count == 1, "\(arguments): \(output.stderr)")
        }
    }

    @Test func escapingIsTotalOverManyStrings() {
        var generator = ReportTestGenerator(seed: 16)
        let alphabet = Array("<>&\"'abc /=\u{0}\u{7}\u{9f}é支\n\t;:")
        for _ in 0..<2_000 {
            let text = String((0..<Int.random(in: 0...24, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! })
            let escaped = HTMLText.escape(text)
            #expect(!escaped.contains("<") && !escaped.contains(">") && !escaped.contains("\"") && !escaped.contains("'"),
                    "seed 16: \(text.debugDescription) -> \(escaped.debugDescription)")
            #expect(!escaped.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" && $0 != "\t" }, "seed 16: \(text.debugDescription)")
        }
    }
}

/// A deterministic generator (SplitMix64) so a failure names its seed.
private typealias ReportTestGenerator = SeededRandom  // DQMon's SplitMix64: the same sequence for the same seed

/// Structural checks every report must pass, on the HTML as written or on the DOM Chromium dumps.
enum ReportPageChecks {
    /// Every `href="#x"` has an element with `id="x"`, ids are unique, and every chart or strip has data marks.
    static func expectWellFormed(_ html: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
        let ids = matches(#"\sid="([^"]*)""#, in: html)
        #expect(Set(ids).count == ids.count, "duplicate ids: \(Dictionary(grouping: ids, by: { $0 }).filter { $0.value.count > 1 }.keys)", sourceLocation: sourceLocation)
        let targets = Set(ids)
        for href in matches(##"href="#([^"]*)""##, in: html) {
            #expect(targets.contains(href), "broken anchor #\(href)", sourceLocation: sourceLocation)
        }
        for svg in matches(#"(<svg[^>]*>[\s\S]*?</svg>)"#, in: html) {
            #expect(svg.contains(" data\"") || svg.contains("data\" "), "an empty chart: \(svg.prefix(200))", sourceLocation: sourceLocation)
        }
        #expect(!html.lowercased().contains("<script"), sourceLocation: sourceLocation)
        #expect(!html.contains("src=\"http") && !html.contains("href=\"//"), "the page loads something from outside", sourceLocation: sourceLocation)
    }

    static func matches(_ pattern: String, in text: String) -> [String] {
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return [] }
        let range = NSRange(text.startIndex..., in: text)
        return regex.matches(in: text, range: range).compactMap { match in
            Range(match.range(at: 1), in: text).map { String(text[$0]) }
        }
    }
}
