import DQMon
import DQMonTestSupport
import Foundation
import Testing

/// alerts/*.yml: loading, exact errors, and the routing rules the README documents.
@Suite struct AlertsConfigTests {
    let environment = ["SLACK_URL": "https://hooks.slack.com/services/T000/B000/SECRETSECRET", "PD_KEY": "R0UT1NGKEY0000000000000000000000"]

    func fixture(_ alerts: String) -> ProjectFixture {
        let fixture = ProjectFixture(dataset: "orders", keys: ["tier: 1", "owner: team-orders", "tags: [finance]"],
                                     checks: "      - volume: {}")
        fixture.alerts(alerts)
        return fixture
    }

    func errors(_ alerts: String) -> [String] {
        fixture(alerts).configErrors(environment: environment)
    }

    @Test func specExampleLoads() throws {
        let config = try fixture("""
            version: 1
            receivers:
              oncall-slack:   { type: slack, url: "${SLACK_URL}" }
              analytics-teams: { type: teams, url: "https://example.webhook.office.com/workflows/abc" }
              pager:          { type: pagerduty, routing_key: "${PD_KEY}" }
              audit:          { type: webhook, url: "https://audit.example.com/hook", secret: "s3cr3t" }
              local:          { type: file, path: .dqmon/alerts.jsonl }
            routes:
              - match: { severity: critical }
                receivers: [pager, oncall-slack]
                repeat_interval: 1h
              - match: { severity: [warning, info], tags: [finance] }
                receivers: [analytics-teams]
                continue: true
              - receivers: [local]
            maintenance:
              - { datasets: ["analytics.*"], cron: "0 2 * * SUN", duration: 2h, reason: weekly vacuum }
            """).load(environment: environment)
        #expect(config.alerts.receivers.map(\.name) == ["oncall-slack", "analytics-teams", "pager", "audit", "local"])
        #expect(config.alerts.routes.count == 3)
        #expect(config.alerts.maintenance[0].duration == Interval(seconds: 7_200))
        #expect(config.alerts.receivers[0].settings.destination == "https://hooks.slack.com/…")
    }

    @Test func errorsNameFileLineColumnWithSuggestions() {
        let found = errors("""
            version: 1
            receivers:
              slack: { type: slak, url: "https://hooks.slack.com/x" }
              hook: { type: webhook, url: "not a url", secrett: x }
            routes:
              - match: { severity: critcal, tier: 4 }
                receivers: [slakc]
                repeat_intervall: 1h
            maintenance:
              - { datasets: ["a.*"], cron: "0 2 * * FUNDAY", duration: 2h }
            """)
        #expect(found == [
            "alerts/alerts.yml:3:18: unknown receiver type 'slak' (did you mean 'slack'?); dqmon supports: slack, teams, pagerduty, webhook, file",
            "alerts/alerts.yml:4:31: 'url' must be an http(s) URL, got '****'",
            "alerts/alerts.yml:4:44: unknown key 'secrett' in receiver 'hook' (did you mean 'secret'?)",
            "alerts/alerts.yml:6:24: unknown severity 'critcal' (did you mean 'critical'?); use one of: none, info, warning, critical",
            "alerts/alerts.yml:6:39: 'tier' must be 1, 2 or 3, got '4'",
            "alerts/alerts.yml:7:16: route sends to receiver 'slakc', which is not defined under 'receivers'",
            "alerts/alerts.yml:8:5: unknown key 'repeat_intervall' in route (did you mean 'repeat_interval'?)",
            "alerts/alerts.yml:10:32: cron day-of-week value 'FUNDAY' must be 0-7 or a name such as SUN (e.g. \"0 2 * * SUN\": 02:00 UTC every Sunday)",
        ])
    }

    @Test func missingVersionAndUnknownTopLevelKey() {
        #expect(errors("""
            receivers: {}
            route: []
            """) == [
            "alerts/alerts.yml:1:1: missing 'version: 1' at the top of the file",
            "alerts/alerts.yml:2:1: unknown key 'route' in alerts file (did you mean 'routes'?)",
        ])
    }

    @Test func missingSecretVariableIsAnErrorNamingIt() {
        #expect(errors("""
            version: 1
            receivers:
              pager: { type: pagerduty, routing_key: "${NOT_SET_KEY}" }
            """) == ["alerts/alerts.yml:3:42: environment variable 'NOT_SET_KEY' is not set (export it, or write ${NOT_SET_KEY:-default})"])
    }

    // MARK: - Routing

    func routed(_ config: Configuration, severity: AlertSeverity, tier: Int = 1, dataset: String = "orders", owner: String? = "team-orders",
                tags: [String] = ["finance"], checkType: String = "volume") -> [String] {
        config.alerts.route(AlertSubject(severity: severity, tier: tier, dataset: dataset, owner: owner, tags: tags,
                                         checkType: checkType, checkID: "\(dataset)/\(checkType)")).map(\.receiver)
    }

    @Test func firstMatchWinsContinueFallsThroughDefaultCatchesTheRest() throws {
        let config = try fixture("""
            version: 1
            receivers:
              pager: { type: pagerduty, routing_key: "${PD_KEY}" }
              slack: { type: slack, url: "${SLACK_URL}" }
              teams: { type: teams, url: "https://example.com/teams" }
              finance: { type: file, path: finance.jsonl }
              local: { type: file, path: local.jsonl }
            routes:
              - match: { severity: critical }
                receivers: [pager, slack]
                repeat_interval: 1h
              - match: { severity: [warning, info], tags: [finance] }
                receivers: [teams]
                continue: true
              - match: { dataset: "analytics.*", check_type: freshness }
                receivers: [finance]
              - match: { owner: team-orders, tier: [2, 3] }
                receivers: [finance]
                send_resolved: false
              - receivers: [local]
            """).load(environment: environment)
        #expect(routed(config, severity: .critical) == ["pager", "slack"])  // first match wins: no local
        #expect(routed(config, severity: .warning) == ["teams", "local"])   // continue: true falls through
        #expect(routed(config, severity: .warning, tags: []) == ["local"])
        #expect(routed(config, severity: .info, dataset: "analytics.events", tags: [], checkType: "freshness") == ["finance"])
        #expect(routed(config, severity: .info, dataset: "analytics.events", tags: [], checkType: "volume") == ["local"])
        #expect(routed(config, severity: .info, tier: 2, tags: []) == ["finance"])
        #expect(routed(config, severity: .info, tier: 1, tags: []) == ["local"])
        #expect(routed(config, severity: .none) == [])                      // none = record only
        let critical = config.alerts.route(AlertSubject(severity: .critical, tier: 1, dataset: "orders", owner: nil, tags: [],
                                                        checkType: "volume", checkID: "orders/volume"))
        #expect(critical.map(\.repeatInterval) == [3_600, 3_600])
        let warning = config.alerts.route(AlertSubject(severity: .warning, tier: 1, dataset: "x", owner: nil, tags: [],
                                                       checkType: "volume", checkID: "x/volume"))
        #expect(warning.map(\.repeatInterval) == [86_400])                  // default 24h below critical
        #expect(warning.map(\.sendResolved) == [true])
    }

    @Test func anEmptyOptionalURLSwitchesTheReceiverOff() throws {
        let config = try fixture("""
            version: 1
            receivers:
              slack: { type: slack, url: "${UNSET_SLACK:-}" }
              local: { type: file, path: local.jsonl }
            routes:
              - receivers: [slack, local]
            """).load(environment: environment)
        #expect(routed(config, severity: .warning) == ["local"])
    }
}
