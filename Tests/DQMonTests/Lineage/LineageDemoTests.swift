import DQMon
import DQMonTestSupport
import Foundation
import Testing

/// The demo through the binary: `dqmon demo` in a copy of the repository's project, then the alerts it wrote and
/// `dqmon lineage payments`. When payments stops loading, daily_revenue goes stale too, but only payments pages: the
/// page names daily_revenue and the executive dashboard, and daily_revenue's own route gets one info notice.
@Suite struct LineageDemoTests {
    @Test func theStalePaymentsStoryPagesOnceWithTheDownstreamImpact() throws {
        let fixture = ProjectFixture()
        let repository = DemoTests.repositoryRoot
        for path in ["dqmon.yml", "checks", "alerts", "runbooks"] {
            try? FileManager.default.removeItem(at: fixture.directory.path(path))
            try FileManager.default.copyItem(at: repository.appendingPathComponent(path), to: fixture.directory.path(path))
        }
        let end = ISO8601.string(from: ProjectFixture.now)
        let demo = try dqmon(["demo", "--days", "3", "--now", end], in: fixture)
        #expect(demo.status == 0, "\(demo.stderr)")
        let lines = try String(contentsOf: fixture.directory.path(".dqmon/alerts.jsonl"), encoding: .utf8).split(separator: "\n")
        let events = lines.flatMap { line -> [[String: Any]] in
            ((try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any])?["events"] as? [[String: Any]] ?? []
        }
        let chain = events.filter { ["payments", "daily_revenue"].contains($0["dataset"] as? String) && $0["check_type"] as? String == "freshness" }
        let pages = chain.filter { ["firing", "escalated"].contains($0["kind"] as? String) && $0["severity"] as? String == "critical" }
        #expect(pages.map { $0["dataset"] as? String } == ["payments"], "\(chain.map { "\($0["kind"]!) \($0["dataset"]!) \($0["severity"]!)" })")
        #expect(!chain.contains { $0["dataset"] as? String == "daily_revenue" && $0["severity"] as? String != "info" },
                "\(chain.map { "\($0["kind"]!) \($0["dataset"]!) \($0["severity"]!)" })")
        let impact = (pages.first?["impact"] as? [String: Any])?["summary"] as? String
        #expect(impact?.hasPrefix("Impact: 1 downstream dataset (tier 1: daily_revenue), feeds exposure Executive Revenue Dashboard (owner exec-analytics)") == true, "\(impact ?? "-")")
        #expect(chain.contains { $0["dataset"] as? String == "daily_revenue" && ($0["message"] as? String)?.hasPrefix("blocked by upstream #") == true })
        let lineage = try dqmon(["lineage", "payments", "--now", end], in: fixture)
        #expect(lineage.status == 0, "\(lineage.stderr)")
        #expect(lineage.stdout.contains("└─ daily_revenue  tier 1 · team-finance · fail · incident #"), "\(lineage.stdout)")
        #expect(lineage.stdout.contains("(blocked by upstream #"), "\(lineage.stdout)")
        #expect(lineage.stdout.contains("└─ exposure Executive Revenue Dashboard (dashboard, maturity high, owner exec-analytics)"), "\(lineage.stdout)")
    }
}
