import DQMon
import DQMonTestSupport
import Foundation
import GRDB
import Testing

/// `dqmon incidents` and `dqmon sla` through the real binary, on a scripted `--now` timeline.
@Suite struct IncidentsCommandTests {
    /// `orders` (tier 1, fail -> critical) goes 7h stale at 12:00; a runbook file and runbook_base_url make the link.
    func project() throws -> ProjectFixture {
        let fixture = ProjectFixture(projectYAML: """
            version: 1
            warehouses:
              main: { type: sqlite, path: warehouse.sqlite }
            history: { path: .dqmon/history.sqlite }
            runbook_base_url: https://example.com/runbooks/
            """)
        fixture.environment = ["USER": "carol"]
        fixture.directory.write("runbooks/stale.md", "# Stale orders\nRestart the orders loader.\n")
        fixture.checks("orders.yml", ProjectFixture.checksYAML(
            dataset: "orders", keys: ["tier: 1", "owner: team-orders", "runbook: runbooks/stale.md"],
            checks: "      - freshness: { column: updated_at, warn_after: 2h, error_after: 6h }"))
        try fixture.warehouse().table("orders", timestamps: [ISO8601.date(from: "2026-11-25T05:00:00Z")!])
        return fixture
    }

    @Test func listShowAckNoteResolveAndReopen() throws {
        let fixture = try project()
        let check = try dqmon(["check", "--now", "2026-11-25T12:00:00Z"], in: fixture)
        #expect(check.status == 1)
        #expect(check.stdout.contains("incident #1 opened: orders/freshness (critical) — fail: data is 7h old (fail after 6h)"))

        let list = try dqmon(["incidents", "--now", "2026-11-25T13:00:00Z"], in: fixture)
        #expect(list.status == 0)
        let lines = list.stdout.split(separator: "\n").map(String.init)
        #expect(lines[0].hasPrefix("ID  SEVERITY  STATUS  DATASET  CHECK      SINCE                 AGE  OWNER        ACK"))
        #expect(lines[1] == "#1  critical  open    orders   freshness  2026-11-25T12:00:00Z  1h   team-orders  -")

        let ack = try dqmon(["incidents", "ack", "1", "--note", "on it", "--now", "2026-11-25T12:10:00Z"], in: fixture)
        #expect(ack.stdout == "incident #1 acknowledged by carol\n")
        #expect(try dqmon(["incidents", "note", "#1", "loader restarted", "--by", "dave", "--now", "2026-11-25T12:20:00Z"], in: fixture).status == 0)

        let show = try dqmon(["incidents", "show", "1", "--now", "2026-11-25T12:30:00Z"], in: fixture).stdout
        #expect(show.contains("Incident #1: orders/freshness — critical, open"))
        #expect(show.contains("owner       team-orders"))
        #expect(show.contains("observed    7h  (last fail at 2026-11-25T12:00:00Z)"))
        #expect(show.contains("expected    warn > 2h, fail > 6h"))
        #expect(show.contains("onset       2026-11-25T11:00:00Z (data_timestamp)"))
        #expect(show.contains("ack         2026-11-25T12:10:00Z by carol"))
        #expect(show.contains("2026-11-25T12:20:00Z  dave: loader restarted"))
        #expect(show.contains("Runbook: https://example.com/runbooks/runbooks/stale.md"))
        #expect(show.contains("Restart the orders loader."))

        // Resolved by hand while still stale: the next run reopens it and says so.
        #expect(try dqmon(["incidents", "resolve", "1", "--now", "2026-11-25T12:40:00Z"], in: fixture).stdout == "incident #1 resolved by carol\n")
        let again = try dqmon(["check", "--now", "2026-11-25T14:00:00Z"], in: fixture)
        #expect(again.stdout.contains("incident #1 reopened: orders/freshness (critical) — fail: data is 9h old"))
        let json = try dqmon(["incidents", "show", "1", "--format", "json", "--now", "2026-11-25T14:00:00Z"], in: fixture).stdout
        let document = try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [String: Any]
        let events = (document["events"] as! [[String: Any]]).map { $0["kind"] as! String }
        #expect(events == ["opened", "acknowledged", "note", "resolved", "reopened"])
        #expect((document["incident"] as! [String: Any])["status"] as? String == "open")
    }

    @Test func unknownIdsAndBadFlagsAreOneLineErrors() throws {
        let fixture = try project()
        let show = try dqmon(["incidents", "show", "42"], in: fixture)
        #expect(show.status == 3)
        #expect(show.stderr == "dqmon: error: no incident #42 in this history ('dqmon incidents' lists them)\n")
        let ack = try dqmon(["incidents", "ack", "7"], in: fixture)
        #expect(ack.stderr == "dqmon: error: no incident #7 in this history ('dqmon incidents' lists them)\n")
        let severity = try dqmon(["incidents", "--severity", "critcal"], in: fixture)
        #expect(severity.status == 3)
        #expect(severity.stderr.contains("--severity must be info, warning or critical, got 'critcal' (did you mean 'critical'?)"))
        let sla = try dqmon(["sla", "--dataset", "order"], in: fixture)
        #expect(sla.stderr == "dqmon: error: unknown dataset 'order' (did you mean 'orders'?); it must be defined in checks/\n")
    }

    @Test func reopenWithinIsValidatedWithDidYouMean() throws {
        let fixture = ProjectFixture(projectYAML: """
            version: 1
            warehouses:
              main: { type: sqlite, path: warehouse.sqlite }
            incidents: { reopen_witin: 2h }
            """)
        let output = try dqmon(["validate"], in: fixture)
        #expect(output.status == 3)
        #expect(output.stderr.hasPrefix("dqmon.yml:4:14: unknown key 'reopen_witin' in 'incidents' (did you mean 'reopen_within'?)"))
    }

    @Test func slaJSONOnTheTimeline() throws {
        let fixture = try project()
        _ = try dqmon(["check", "--now", "2026-11-25T06:00:00Z"], in: fixture)   // 1h old: pass
        _ = try dqmon(["check", "--now", "2026-11-25T12:00:00Z"], in: fixture)   // 7h old: fail, onset 11:00
        let output = try dqmon(["sla", "--window", "1d", "--now", "2026-11-25T12:00:00Z", "--format", "json"], in: fixture)
        #expect(output.status == 0)
        let document = try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as! [String: Any]
        let orders = (document["datasets"] as! [[String: Any]])[0]
        let freshness = orders["freshness"] as! [String: Any]
        // Covered 06:00-12:00 (from the first run). The pass holds until 12:00, but the fail backdates staleness
        // to its onset, max(updated_at) + error_after = 05:00 + 6h = 11:00: fresh 5h, stale 1h. TTD = 12:00 - 11:00.
        #expect(freshness["fresh_seconds"] as? Double == 18_000)
        #expect(freshness["stale_seconds"] as? Double == 3_600)
        #expect(freshness["unknown_seconds"] as? Double == 0)
        let mttd = orders["mttd"] as! [String: Any]
        #expect(mttd["count"] as? Int == 1)
        #expect(mttd["mean"] as? Double == 3_600)
        #expect(orders["data_downtime_seconds"] as? Double == 3_600)
    }

    @Test func listingAndSLAQueriesUseIndexes() throws {
        let fixture = try project()
        _ = try HistoryStore(path: fixture.historyURL)
        let queue = try DatabaseQueue(path: fixture.historyURL.path)
        let plan = { (sql: String) throws -> String in
            try queue.read { db in try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql).map { $0["detail"] as String }.joined(separator: "; ") }
        }
        #expect(try plan("SELECT * FROM incidents ORDER BY status, severity_rank DESC, detected_at DESC LIMIT 50") == "SCAN incidents USING INDEX incidents_listing")
        #expect(try plan("SELECT * FROM incidents WHERE dataset = 'x' ORDER BY status, severity_rank DESC, detected_at DESC LIMIT 50")
                == "SEARCH incidents USING INDEX incidents_dataset_listing (dataset=?)")
        // `dqmon sla`: incidents of the window, running totals, and each freshness check's results.
        #expect(try plan("SELECT dataset, detected_at, onset_at, acknowledged_at, resolved_at FROM incidents WHERE detected_at > 1 AND detected_at <= 2")
                == "SEARCH incidents USING COVERING INDEX incidents_sla (detected_at>? AND detected_at<?)")
        #expect(try plan("""
            SELECT cum_runs, cum_available, cum_passes, cum_evaluated FROM dataset_run_totals
            WHERE dataset = 'x' AND evaluated_at <= 2 ORDER BY evaluated_at DESC LIMIT 1
            """) == "SEARCH dataset_run_totals USING PRIMARY KEY (dataset=? AND evaluated_at<?)")
        #expect(try plan("""
            SELECT evaluated_at, status, data_timestamp FROM results
            WHERE check_id = 'x' AND check_type = 'freshness' AND evaluated_at > 1 AND evaluated_at <= 2 ORDER BY evaluated_at
            """) == "SEARCH results USING COVERING INDEX results_freshness (check_id=? AND evaluated_at>? AND evaluated_at<?)")
    }
}
