import DQMon
import DQMonTestSupport
import Foundation
import Testing

/// The demo's business-rule failures through the binary on SQLite: `dqmon demo`, then `dqmon incidents`, `dqmon sla`,
/// `dqmon history` and `dqmon incidents show` tell them, and the rest of the story is still there.
@Suite struct DemoStoryTests {
    @Test func badStatusesAndOrphanPaymentsOpenAndResolveIncidentsAndLowerThePassRate() throws {
        let project = try DemoStoryProject(days: 10)
        try project.demo()
        try DemoRuleStory.expectOpenedAndResolved(in: project)

        // On-call acknowledged the rule incidents; only the stale payments incident is left unacknowledged.
        let incidents = try project.incidents()
        for check in ["orders/accepted_values", "payments/references"] {
            #expect(incidents.first { $0["check_id"] as? String == check }?["acknowledged_by"] as? String == "demo-oncall", "\(check)")
        }
        #expect(incidents.first { $0["check_id"] as? String == "payments/freshness" }?["acknowledged_by"] == nil)

        // What on-call reads: the offending values, sample rows and the runbook.
        let statusID = try #require(incidents.first { $0["check_id"] as? String == "orders/accepted_values" }?["id"] as? Int)
        let status = try dqmon(["incidents", "show", "\(statusID)", "--now", project.lastRun], in: project.fixture)
        #expect(status.status == 0, "\(status.stderr)")
        #expect(status.stdout.contains("have status outside [placed, paid, shipped, delivered, cancelled] (fail > 0); most frequent: 'settled' ("), "\(status.stdout.prefix(1_500))")
        #expect(status.stdout.contains("Failing-row samples"), "\(status.stdout.suffix(3_000))")
        #expect(status.stdout.contains("Runbook: runbooks/invalid-values.md"))
        let orphanID = try #require(incidents.first { $0["check_id"] as? String == "payments/references" }?["id"] as? Int)
        let orphan = try dqmon(["incidents", "show", "\(orphanID)", "--now", project.lastRun], in: project.fixture)
        #expect(orphan.stdout.contains("24 of "), "\(orphan.stdout.prefix(1_500))")
        #expect(orphan.stdout.contains("have order_id with no match in orders.id (fail > 0)"))
        #expect(orphan.stdout.contains("  900001  "), "the samples name the missing order ids: \(orphan.stdout.suffix(3_000))")
        #expect(orphan.stdout.contains("Runbook: runbooks/orphan-rows.md"))

        // The table view lists both, resolved, among the story's other incidents.
        let list = try dqmon(["incidents", "--now", project.lastRun], in: project.fixture)
        for line in ["resolved  orders         accepted_values", "resolved  payments       references", "open      payments       freshness"] {
            #expect(list.stdout.contains(line), "dqmon incidents does not list: \(line)\n\(list.stdout)")
        }
    }
}
