@testable import DQMon
import DQMonTestSupport
import Foundation
import Testing

/// What `dqmon report` shows beyond the charts, through the real binary: failing-row samples stored with results
/// (only where a check stores them), incidents linked to an upstream root said as "blocked by upstream #N (dataset
/// X)" rather than as fires of their own, and follow-ups as timeline events with their times. Every value hostile,
/// every value escaped.
@Suite struct ReportContentTests {
    static let hostile = "<script>alert('x')</script> & \"co\""
    static let hostileEscaped = "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;co&quot;"

    static func page(_ fixture: ProjectFixture, now: Date = ProjectFixture.now) throws -> String {
        let output = try dqmon(["report", "--now", ISO8601.string(from: now), "--output", "out.html"], in: fixture)
        #expect(output.status == 0, "\(output.stderr)")
        return try String(contentsOf: fixture.directory.path("out.html"), encoding: .utf8)
    }

    static func check(_ fixture: ProjectFixture, at time: Date) throws {
        let run = try dqmon(["check", "--now", ISO8601.string(from: time)], in: fixture)
        #expect([0, 1].contains(run.status), "\(run.stdout)\n\(run.stderr)")
    }

    /// `orders` has rows whose `note` breaks the accepted values; the check with `samples: 3` stores them, the one
    /// without stores nothing.
    static func samplesProject() throws -> ProjectFixture {
        let fixture = ProjectFixture()
        let warehouse = try fixture.warehouse()
        try warehouse.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, note TEXT, code TEXT, updated_at TEXT)")
        for (index, note) in ["ok", hostile, "ok", "</td></tr></table><b>x", "ok"].enumerated() {
            try warehouse.execute("INSERT INTO orders (note, code, updated_at) VALUES (?, ?, ?)",
                                  [note, index == 1 ? nil : "c\(index)", WarehouseFixture.text(ProjectFixture.now.addingTimeInterval(-600))])
        }
        fixture.checks("orders.yml", """
            version: 1
            datasets:
              - name: orders
                checks:
                  - accepted_values: { name: notes, column: note, values: [ok], samples: 3, sample_columns: [id, note, code] }
                  - accepted_values: { name: unsampled, column: note, values: [ok] }
            """)
        return fixture
    }

    @Test func failingRowSamplesAreShownEscapedUnderTheirResultAndTheirIncident() throws {
        let fixture = try Self.samplesProject()
        try Self.check(fixture, at: ProjectFixture.now.addingTimeInterval(-3_600))
        try Self.check(fixture, at: ProjectFixture.now)
        let html = try Self.page(fixture)
        try ReportPageChecks.expectWellFormed(html)
        #expect(!html.lowercased().contains("<script"), "a sampled value reached the page unescaped")
        #expect(!html.contains("</td></tr></table><b>x"), "a sampled value closed the table")
        #expect(html.contains("<td>\(Self.hostileEscaped)</td>"), "the sampled value is not shown escaped")
        #expect(html.contains("&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;&lt;b&gt;x"))
        #expect(html.contains("<th>id</th><th>note</th><th>code</th>"), "the sample's columns")
        #expect(html.contains("<td class=\"muted\">NULL</td>"), "NULL is written as NULL")
        // Under the latest result, under the one before (in the folded table) and under the incident's timeline.
        let blocks = html.components(separatedBy: "Failing-row samples (result at ").count - 1
        #expect(blocks == 3, "samples shown \(blocks) times: \(html.components(separatedBy: "Failing-row samples").dropFirst().map { String($0.prefix(80)) })")
        #expect(html.contains("Failing-row samples (result at 2026-11-25 12:00): 2 rows"), "newest result's samples, with its time")
        // The check without samples: stores none, shows none.
        let unsampled = try #require(html.range(of: "<strong>orders/accepted_values/unsampled</strong>"))
        let block = String(html[unsampled.lowerBound...]).components(separatedBy: "</section>").first ?? ""
        #expect(!block.contains("Failing-row samples"), "a check without samples: showed some")
    }

    /// `raw` (no quote in its name: it is also the table's) feeds `orders`; both go stale together.
    static func lineageProject() throws -> ProjectFixture {
        let fixture = ProjectFixture()
        let root = "raw<b>&'pay'"
        let warehouse = try fixture.warehouse()
        try warehouse.table(root, timestamps: [ProjectFixture.now.addingTimeInterval(-5 * 3_600)])
        try warehouse.table("orders", timestamps: [ProjectFixture.now.addingTimeInterval(-5 * 3_600)])
        fixture.checks("lineage.yml", """
            version: 1
            datasets:
              - name: "raw<b>&'pay'"
                tier: 1
                owner: team-raw
                checks:
                  - freshness: { column: updated_at, warn_after: 90m, error_after: 3h }
              - name: orders
                tier: 1
                owner: team-orders
                upstream: ["raw<b>&'pay'"]
                checks:
                  - freshness: { column: updated_at, warn_after: 2h, error_after: 4h }
            """)
        return fixture
    }

    @Test func anIncidentLinkedToAnUpstreamRootIsBlockedByItNotAFireOfItsOwn() throws {
        let fixture = try Self.lineageProject()
        try Self.check(fixture, at: ProjectFixture.now)
        let listed = try dqmon(["incidents", "--format", "json", "--now", ISO8601.string(from: ProjectFixture.now)], in: fixture)
        let incidents = (try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [String: Any])?["incidents"] as? [[String: Any]] ?? []
        let root = try #require(incidents.first { ($0["check_id"] as? String)?.hasPrefix("raw") == true }?["id"] as? Int, "\(listed.stdout)")
        let linked = try #require(incidents.first { $0["check_id"] as? String == "orders/freshness" }?["id"] as? Int, "\(listed.stdout)")
        let shown = try dqmon(["incidents", "show", "\(linked)", "--now", ISO8601.string(from: ProjectFixture.now)], in: fixture)
        #expect(shown.stdout.contains("caused by   upstream incident #\(root)"), "the engine did not link them: \(shown.stdout)")

        let html = try Self.page(fixture)
        try ReportPageChecks.expectWellFormed(html)
        let rootName = "raw&lt;b&gt;&amp;&#39;pay&#39;"
        let blocked = "blocked by upstream <a href=\"#incident-\(root)\">#\(root)</a> (dataset <a href=\"#\(HTMLReport.datasetAnchor("raw<b>&'pay'"))\">\(rootName)</a>)"
        let overview = try #require(html.components(separatedBy: "<section id=\"datasets\"").first)
        #expect(overview.contains("open <a href=\"#incident-\(linked)\">incident #\(linked)</a> on orders/freshness is \(blocked), not a fire of its own"),
                "the overview lists the linked incident as a fire: \(overview.components(separatedBy: "Needs attention").last?.prefix(1_500) ?? "")")
        #expect(overview.contains("1 blocked by upstream"), "the open-incidents card counts it as independent")
        #expect(!overview.contains("open <a href=\"#incident-\(linked)\">incident #\(linked)</a> on orders/freshness:"))
        let timeline = try #require(html.components(separatedBy: "id=\"incident-\(linked)\"").dropFirst().first)
        #expect(timeline.prefix(2_000).contains("⛓ \(blocked)"), "the timeline does not say it is blocked")
        #expect(!html.contains("raw<b>"), "the root's name reached the page unescaped")
    }

    @Test func followUpsAreTimelineEventsWithTheirTimes() throws {
        let fixture = try Self.lineageProject()
        try Self.check(fixture, at: ProjectFixture.now.addingTimeInterval(-3_600))
        let text = "add an <b>index</b> & alert \"early\""
        let steps: [[String]] = [
            ["incidents", "followup", "1", "add", text, "--by", "<dave>", "--now", "2026-11-25T11:20:00Z"],
            ["incidents", "followup", "1", "add", "second", "--now", "2026-11-25T11:25:00Z"],
            ["incidents", "followup", "1", "done", "1", "--by", "erin", "--now", "2026-11-25T11:40:00Z"],
        ]
        for step in steps {
            let output = try dqmon(step, in: fixture)
            #expect(output.status == 0, "\(step): \(output.stderr)")
        }
        let html = try Self.page(fixture)
        try ReportPageChecks.expectWellFormed(html)
        let timeline = try #require(html.components(separatedBy: "<section class=\"card\" id=\"incident-1\">").dropFirst().first?
            .components(separatedBy: "</section>").first)
        let escaped = "add an &lt;b&gt;index&lt;/b&gt; &amp; alert &quot;early&quot;"
        let added = "<li><span class=\"when\">2026-11-25 11:20</span><strong>☐ follow-up 1 added</strong> by &lt;dave&gt;: \(escaped)</li>"
        let second = "<li><span class=\"when\">2026-11-25 11:25</span><strong>☐ follow-up 2 added</strong> by "
        let done = "<li><span class=\"when\">2026-11-25 11:40</span><strong>☑ follow-up 1 done</strong> by erin: \(escaped)</li>"
        for item in [added, second, done] {
            #expect(timeline.contains(item), "missing from the timeline: \(item)\n\(timeline)")
        }
        let order = [added, second, done].compactMap { timeline.range(of: $0)?.lowerBound }
        #expect(order == order.sorted() && order.count == 3, "follow-up events out of time order")
        let opened = try #require(timeline.range(of: "<strong>opened</strong>"))
        #expect(opened.lowerBound < (order.first ?? opened.lowerBound), "the incident's own events come first in time")
        #expect(!html.contains("<b>index</b>"))
    }
}
