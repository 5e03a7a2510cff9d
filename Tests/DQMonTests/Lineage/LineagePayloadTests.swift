import DQMon
import DQMonTestSupport
import Foundation
import Testing

/// Alerts carrying lineage (impact, folded-in downstream incidents, "blocked by upstream") still pass the shared
/// validators (Slack Block Kit limits, Adaptive Card 1.4 and Teams' 28 KB), and every receiver type shows the impact.
@Suite struct LineagePayloadTests {
    static let location = SourceLocation(file: "checks/x.yml", line: 1, column: 1)

    /// A dataset feeding `downstream` datasets (tiers 1-3) and `exposures` exposures, the worst case for message size.
    static func impact(downstream: Int, exposures: Int) -> LineageImpact {
        let nodes = [(LineageGraph.Node(name: "raw.payments_with_a_long_name", tier: 3, owner: "team-payments"), [LineageReference]())]
            + (0..<downstream).map { index in
                (LineageGraph.Node(name: "analytics.downstream_table_\(index)_<&>", tier: 1 + index % 3, owner: "team-\(index)"),
                 [LineageReference(name: "raw.payments_with_a_long_name", location: location)])
            }
        let exposureConfigs = (0..<exposures).map { index in
            ExposureConfig(name: "executive_revenue_dashboard_\(index)", type: "dashboard", owner: "exec-analytics", maturity: "high",
                           url: "https://bi.example.com/d/\(index)", description: nil,
                           dependsOn: [LineageReference(name: "analytics.downstream_table_0_<&>", location: location)], location: location)
        }
        return LineageGraph(nodes: nodes, exposures: exposureConfigs).impact(of: "raw.payments_with_a_long_name")
    }

    static func events(_ count: Int) -> [AlertEvent] {
        PayloadTests.events(count).enumerated().map { index, event in
            var event = event
            event.impact = impact(downstream: 40, exposures: 12)
            event.linked = (0..<15).map {
                LinkedIncident(id: Int64(100 + $0), checkID: "analytics.downstream_table_\($0)_<&>/freshness", dataset: "analytics.downstream_table_\($0)",
                               tier: 1 + $0 % 3, owner: "team-\($0)", severity: .critical, isOpen: $0 % 2 == 0, detectedAt: PayloadTests.now)
            }
            if index % 2 == 1 {
                event.blockedBy = LineageCause(incidentID: 1, checkID: "raw.payments/freshness", dataset: "raw.payments", owner: "team-payments",
                                               rootIsOpen: true, linkedNow: true)
            }
            return event
        }
    }

    @Test func theImpactLineIsShortAndNamesTiersAndExposures() {
        let summary = Self.impact(downstream: 40, exposures: 12).summary
        #expect(summary.hasPrefix("Impact: 40 downstream datasets (tier 1: "))
        #expect(summary.contains("and 9 more; tier 2: "))
        #expect(summary.contains("feeds exposures Executive Revenue Dashboard 0 (owner exec-analytics)"))
        #expect(summary.contains("treated as tier 1 (feeds tier 1 dataset analytics.downstream_table_0_<&>)"))
        #expect(summary.count < 1_000)
    }

    @Test(.enabled(if: PayloadTests.validatorsAvailable), arguments: [1, 2, 48, 500])
    func slackWithLineagePassesTheBlockKitChecker(count: Int) throws {
        let message = SlackReceiver(url: Secret("https://hooks.slack.com/services/x")).messages(for: Self.events(count), context: PayloadTests.context)[0]
        let (status, output) = try PayloadTests.validate("validate_slack_message.py", message)
        #expect(status == 0, "\(output)")
        let text = message.serialized()
        #expect(text.contains("Impact: 40 downstream datasets"))
        #expect(text.contains("analytics.downstream_table_0_&lt;&amp;&gt;"))
        #expect(text.contains("#100 analytics.downstream_table_0_&lt;&amp;&gt;/freshness (tier 1, still failing)"))
        if count > 1 { #expect(text.contains("Blocked by upstream #1 raw.payments/freshness (owner team-payments): not paged")) }
    }

    @Test(.enabled(if: PayloadTests.validatorsAvailable), arguments: [1, 2, 500])
    func teamsWithLineagePassesTheAdaptiveCardSchemaAndSizeLimit(count: Int) throws {
        let message = TeamsReceiver(url: Secret("https://example.com/teams")).messages(for: Self.events(count), context: PayloadTests.context)[0]
        let (status, output) = try PayloadTests.validate("validate_adaptive_card.py", message)
        #expect(status == 0, "\(output)")
        #expect(message.pythonStyleByteCount <= 28_000)
        #expect(message.serialized().contains("\"title\":\"Impact\""))
    }

    @Test func pagerDutyAndWebhookCarryTheImpact() throws {
        let events = Self.events(2)
        let pagerDuty = PagerDutyReceiver(routingKey: Secret("KEY"), url: Secret(PagerDutyReceiver.defaultURL), source: "dqmon")
            .messages(for: events, context: PayloadTests.context)
        let details = pagerDuty[0]["payload"]?["custom_details"]
        #expect(details?["impact"]?["effective_tier"] != nil)
        #expect(pagerDuty[0].serialized().contains("Impact: 40 downstream datasets"))
        let webhook = WebhookReceiver(url: Secret("https://example.com/hook"), secret: nil).messages(for: events, context: PayloadTests.context)[0]
        let document = try #require(try JSONSerialization.jsonObject(with: Data(webhook.serialized().utf8)) as? [String: Any])
        let first = try #require((document["events"] as? [[String: Any]])?.first)
        #expect(((first["impact"] as? [String: Any])?["downstream"] as? [Any])?.count == 40)
        #expect((first["linked_incidents"] as? [Any])?.count == 15)
        // A PagerDuty `linked` event re-triggers the root's dedup key: an update, not a new page.
        var linked = events[0]
        linked.kind = .linked
        let update = pagerDuty[0]["dedup_key"]
        let body = PagerDutyReceiver(routingKey: Secret("KEY"), url: Secret(PagerDutyReceiver.defaultURL), source: "dqmon")
            .messages(for: [linked], context: PayloadTests.context)[0]
        #expect(body["event_action"]?.stringValue == "trigger")
        #expect(body["dedup_key"] == update)
    }
}
