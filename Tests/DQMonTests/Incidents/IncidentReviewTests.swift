import DQMon
import DQMonTestSupport
import Foundation
import GRDB
import Testing

/// The incident review through the real binary: `incidents resolve --cause --rca`, `incidents followup`,
/// `incidents show` and `incidents review`, on a scripted `--now` timeline.
@Suite struct IncidentReviewTests {
    /// `orders` (tier 1) and `payments` (tier 2) both go stale at 12:00 (data from 05:00, fail after 6h).
    func project() throws -> (ProjectFixture, WarehouseFixture) {
        let fixture = ProjectFixture(projectYAML: """
            version: 1
            warehouses:
              main: { type: sqlite, path: warehouse.sqlite }
            history: { path: .dqmon/history.sqlite }
            """)
        fixture.environment = ["USER": "carol"]
        fixture.checks("orders.yml", """
            version: 1
            datasets:
              - name: orders
                tier: 1
                owner: team-orders
                checks:
                  - freshness: { column: updated_at, warn_after: 2h, error_after: 6h }
              - name: payments
                tier: 2
                checks:
                  - freshness: { column: updated_at, warn_after: 2h, error_after: 6h }
            """)
        let warehouse = try fixture.warehouse()
        let stale = [ISO8601.date(from: "2026-11-25T05:00:00Z")!]
        try warehouse.table("orders", timestamps: stale)
        try warehouse.table("payments", timestamps: stale)
        return (fixture, warehouse)
    }

    func run(_ arguments: [String], _ fixture: ProjectFixture) throws -> CommandLineRunner.Output {
        try dqmon(arguments, in: fixture)
    }

    @Test func resolveWithCauseAndRCAThenFollowupsShowInShow() throws {
        let (fixture, _) = try project()
        #expect(try run(["check", "--now", "2026-11-25T12:00:00Z"], fixture).status == 1)

        let resolve = try run(["incidents", "resolve", "1", "--cause", "upstream", "--rca", "https://wiki.example.com/rca/1",
                               "--now", "2026-11-25T12:30:00Z"], fixture)
        #expect(resolve.status == 0)
        #expect(resolve.stdout == "incident #1 resolved by carol (cause upstream, RCA https://wiki.example.com/rca/1)\n")

        #expect(try run(["incidents", "followup", "1", "add", "alert on the upstream export", "--now", "2026-11-25T12:40:00Z"], fixture).stdout
                == "follow-up 1 added to incident #1 ('dqmon incidents followup 1 done 1' closes it)\n")
        #expect(try run(["incidents", "followup", "#1", "add", "document the loader", "--by", "dave", "--now", "2026-11-25T12:41:00Z"], fixture).status == 0)
        let done = try run(["incidents", "followup", "1", "done", "1", "--now", "2026-11-26T09:00:00Z"], fixture)
        #expect(done.stdout == "follow-up 1 of incident #1 done by carol\n")

        let show = try run(["incidents", "show", "1", "--now", "2026-11-26T10:00:00Z"], fixture).stdout
        #expect(show.contains("cause       upstream"))
        #expect(show.contains("rca         https://wiki.example.com/rca/1"))
        #expect(show.contains("follow-ups  1 open of 2"))
        #expect(show.contains("  1. alert on the upstream export  [done 2026-11-26T09:00:00Z by carol]  (added 2026-11-25T12:40:00Z by carol)"))
        #expect(show.contains("  2. document the loader  [open]  (added 2026-11-25T12:41:00Z by dave)"))
        #expect(show.contains("RESOLVED  resolved by hand; cause: upstream; RCA: https://wiki.example.com/rca/1  [carol]"))

        let json = try run(["incidents", "show", "1", "--format", "json"], fixture).stdout
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(document["cause"] as? String == "upstream")
        #expect(document["rca_url"] as? String == "https://wiki.example.com/rca/1")
        let followups = try #require(document["followups"] as? [[String: Any]])
        #expect(followups.map { $0["number"] as? Int } == [1, 2])
        #expect(followups.map { $0["done_at"] as? String } == ["2026-11-26T09:00:00Z", nil])

        // An incident never classified shows so.
        #expect(try run(["incidents", "show", "2"], fixture).stdout.contains("cause       not classified"))
    }

    /// The usual order in a weekly review: the check recovered on its own, then the team records why.
    @Test func alreadyResolvedIncidentTakesACauseAfterwards() throws {
        let (fixture, warehouse) = try project()
        #expect(try run(["check", "--now", "2026-11-25T12:00:00Z"], fixture).status == 1)
        try warehouse.execute("INSERT INTO orders (updated_at) VALUES ('2026-11-25 13:00:00')")
        try warehouse.execute("INSERT INTO payments (updated_at) VALUES ('2026-11-25 13:00:00')")
        #expect(try run(["check", "--now", "2026-11-25T14:00:00Z"], fixture).status == 0)

        let recorded = try run(["incidents", "resolve", "2", "--cause", "data", "--now", "2026-11-26T10:00:00Z"], fixture)
        #expect(recorded.status == 0)
        #expect(recorded.stdout == "incident #2 was already resolved; recorded cause data\n")
        // Nothing to do: a one-line error that says what would be.
        let nothing = try run(["incidents", "resolve", "2"], fixture)
        #expect(nothing.status == 3)
        #expect(nothing.stderr.hasPrefix("dqmon: error: incident #2 is already resolved (at 2026-11-25T14:00:00Z); give --cause and/or --rca"))
        // A later classification replaces the cause, and the auto-resolution stays.
        #expect(try run(["incidents", "resolve", "2", "--cause", "upstream", "--rca", "http://rca.example.com/2"], fixture).status == 0)
        let json = try run(["incidents", "show", "2", "--format", "json"], fixture).stdout
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(document["cause"] as? String == "upstream")
        #expect(document["rca_url"] as? String == "http://rca.example.com/2")
        #expect((document["incident"] as? [String: Any])?["resolve_reason"] as? String == "auto")
    }

    @Test func badCausesLinksAndFollowupsAreUsageErrors() throws {
        let (fixture, _) = try project()
        _ = try run(["check", "--now", "2026-11-25T12:00:00Z"], fixture)
        let cause = try run(["incidents", "resolve", "1", "--cause", "upstrem"], fixture)
        #expect(cause.status == 3)
        #expect(cause.stderr == "dqmon: error: --cause must be one of upstream, code, infrastructure, data, config, unknown, got 'upstrem' (did you mean 'upstream'?) (see 'dqmon --help')\n")
        for link in ["ftp://wiki/rca", "wiki.example.com/rca", "https://", "javascript:alert(1)", "https://wiki.example.com/a b"] {
            let rca = try run(["incidents", "resolve", "1", "--rca", link], fixture)
            #expect(rca.status == 3, "\(link)")
            #expect(rca.stderr.hasPrefix("dqmon: error: --rca must be an http(s) URL such as https://wiki.example.com/rca/42, got "), "\(link)")
            #expect(rca.stderr.split(separator: "\n").count == 1)
        }
        // Nothing was resolved by the refused commands.
        #expect(try run(["incidents", "--status", "open"], fixture).stdout.contains("2 open, 0 resolved shown"))

        let action = try run(["incidents", "followup", "1", "finish", "1"], fixture)
        #expect(action.status == 3)
        #expect(action.stderr.contains("followup action must be add or done, got 'finish'"))
        #expect(try run(["incidents", "followup", "1", "done", "x"], fixture).stderr.contains("followup done needs the follow-up's number"))
        #expect(try run(["incidents", "followup", "1", "add", "  "], fixture).stderr.contains("followup add needs the action's text"))
        let none = try run(["incidents", "followup", "1", "done", "1"], fixture)
        #expect(none.status == 3)
        #expect(none.stderr == "dqmon: error: incident #1 has no follow-up 1 (it has none; add one with 'dqmon incidents followup 1 add TEXT')\n")
        _ = try run(["incidents", "followup", "1", "add", "first"], fixture)
        #expect(try run(["incidents", "followup", "1", "done", "7"], fixture).stderr == "dqmon: error: incident #1 has no follow-up 7 (it has 1)\n")
        #expect(try run(["incidents", "followup", "1", "done", "1", "--now", "2026-11-25T13:00:00Z"], fixture).status == 0)
        #expect(try run(["incidents", "followup", "1", "done", "1"], fixture).stderr
                == "dqmon: error: follow-up 1 of incident #1 was already done by carol at 2026-11-25T13:00:00Z\n")
        #expect(try run(["incidents", "followup", "9", "add", "x"], fixture).stderr == "dqmon: error: no incident #9 in this history ('dqmon incidents' lists them)\n")
    }

    @Test func reviewGroupsByCauseWithOpenFollowupsAndResponseTimes() throws {
        let (fixture, _) = try project()
        _ = try run(["check", "--now", "2026-11-25T12:00:00Z"], fixture)
        _ = try run(["incidents", "ack", "1", "--now", "2026-11-25T12:15:00Z"], fixture)
        _ = try run(["incidents", "resolve", "1", "--cause", "upstream", "--now", "2026-11-25T14:00:00Z"], fixture)
        _ = try run(["incidents", "followup", "1", "add", "alert on the upstream export", "--now", "2026-11-25T14:05:00Z"], fixture)

        let text = try run(["incidents", "review", "--since", "7d", "--now", "2026-11-27T12:00:00Z"], fixture)
        #expect(text.status == 0)
        #expect(text.stdout.contains("Incident review over 7d: 2026-11-20T12:00:00Z .. 2026-11-27T12:00:00Z"))
        #expect(text.stdout.contains("2 incident(s): 1 open, 1 not classified, 1 open follow-up(s)"))
        #expect(text.stdout.contains("CAUSE: UPSTREAM (1)"))
        #expect(text.stdout.contains("CAUSE: NOT CLASSIFIED (1) — classify with 'dqmon incidents resolve ID --cause CAUSE --rca URL'"))
        #expect(text.stdout.contains("OPEN FOLLOW-UPS (1)"))
        #expect(text.stdout.contains("alert on the upstream export"))
        // upstream comes before the unclassified group
        let upstream = try #require(text.stdout.range(of: "CAUSE: UPSTREAM"))
        let unclassified = try #require(text.stdout.range(of: "CAUSE: NOT CLASSIFIED"))
        #expect(upstream.lowerBound < unclassified.lowerBound)

        let json = try run(["incidents", "review", "--now", "2026-11-27T12:00:00Z", "--format", "json"], fixture).stdout
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let groups = try #require(document["groups"] as? [[String: Any]])
        #expect(groups.map { $0["cause"] as? String } == ["upstream", nil])
        #expect(groups.map { $0["incident_ids"] as? [Int] } == [[1], [2]])
        let times = try #require(document["response_times"] as? [[String: Any]])
        #expect(times.map { $0["scope"] as? String } == ["tier 1", "tier 2", "overall"])
        let overall = try #require(times.last)
        // Onset 11:00 (05:00 + 6h), detected 12:00: TTD 1h for both; TTA 15 min and TTR 2h for #1 only.
        #expect((overall["mttd"] as? [String: Any])?["mean"] as? Double == 3_600)
        #expect((overall["mttd"] as? [String: Any])?["count"] as? Int == 2)
        #expect((overall["mtta"] as? [String: Any])?["mean"] as? Double == 900)
        #expect((overall["mttr"] as? [String: Any])?["mean"] as? Double == 7_200)
        let tier1 = try #require(times.first)
        #expect((tier1["mttd"] as? [String: Any])?["target"] as? Double == 900)
        #expect((tier1["mttd"] as? [String: Any])?["met"] as? Bool == false)
        #expect((document["open_followups"] as? [[String: Any]])?.count == 1)

        // A period after both were detected: the resolved one drops out, the open one stays on the agenda.
        let later = try run(["incidents", "review", "--since", "1d", "--now", "2026-12-10T12:00:00Z", "--format", "json"], fixture).stdout
        let laterDocument = try #require(try JSONSerialization.jsonObject(with: Data(later.utf8)) as? [String: Any])
        let laterIDs = (laterDocument["incidents"] as? [[String: Any]])?.compactMap { ($0["incident"] as? [String: Any])?["id"] as? Int }
        #expect(laterIDs == [2])
        // Response times count only incidents detected in the period.
        #expect(((laterDocument["response_times"] as? [[String: Any]])?.last?["incidents"]) as? Int == 0)
        #expect(try run(["incidents", "review", "--since", "0d"], fixture).status == 3)
    }

    /// `dqmon prune` deletes a pruned incident's follow-ups with it (ON DELETE CASCADE); the kept incident's stay.
    @Test func pruneTakesFollowupsWithTheirIncident() throws {
        let (fixture, _) = try project()
        fixture.directory.write("dqmon.yml", """
            version: 1
            warehouses:
              main: { type: sqlite, path: warehouse.sqlite }
            history: { path: .dqmon/history.sqlite, retention: 1d }
            """)
        _ = try run(["check", "--now", "2026-11-25T12:00:00Z"], fixture)
        _ = try run(["incidents", "resolve", "1", "--cause", "code", "--now", "2026-11-25T13:00:00Z"], fixture)
        _ = try run(["incidents", "followup", "1", "add", "fix the loader", "--now", "2026-11-25T13:00:00Z"], fixture)
        _ = try run(["incidents", "followup", "2", "add", "watch payments", "--now", "2026-11-25T13:00:00Z"], fixture)
        let prune = try run(["prune", "--now", "2026-11-28T12:00:00Z"], fixture)
        #expect(prune.status == 0, "\(prune.stderr)")
        let queue = try DatabaseQueue(path: fixture.historyURL.path)
        let left = try queue.read { db in try Row.fetchAll(db, sql: "SELECT incident_id, text FROM incident_followups").map { "\($0[0] as Int64): \($0[1] as String)" } }
        #expect(left == ["2: watch payments"])
        #expect(try run(["incidents", "show", "1"], fixture).status == 3)
    }

    @Test func emptyHistoryReview() throws {
        let (fixture, _) = try project()
        let output = try run(["incidents", "review", "--now", "2026-11-27T12:00:00Z"], fixture)
        #expect(output.status == 0)
        #expect(output.stdout.contains("no incidents in this period"))
        #expect(output.stdout.contains("OPEN FOLLOW-UPS: none"))
    }
}
