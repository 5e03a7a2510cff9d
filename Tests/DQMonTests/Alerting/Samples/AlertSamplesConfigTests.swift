import DQMon
import DQMonTestSupport
import Foundation
import Testing

/// `include_samples:` on receivers and routes: off by default, the route's value wins when it writes one, and a bad
/// value or a misspelt key is one config error at file:line:column (exit 3 from the CLI, nothing run).
@Suite struct AlertSamplesConfigTests {
    func fixture(_ alerts: String) -> ProjectFixture {
        let fixture = ProjectFixture(dataset: "orders", keys: ["tier: 1", "owner: team-orders"], checks: "      - volume: {}")
        fixture.alerts(alerts)
        return fixture
    }

    func included(_ config: Configuration) -> [String: Bool] {
        let routed = config.alerts.route(AlertSubject(severity: .critical, tier: 1, dataset: "orders", owner: "team-orders", tags: [],
                                                      checkType: "volume", checkID: "orders/volume"))
        return Dictionary(uniqueKeysWithValues: routed.map { ($0.receiver, $0.includeSamples) })
    }

    @Test func offByDefaultAndTheRoutesValueWinsWhenWritten() throws {
        let config = try fixture("""
            version: 1
            receivers:
              plain: { type: file, path: plain.jsonl }
              rows: { type: file, path: rows.jsonl, include_samples: true }
              quiet: { type: file, path: quiet.jsonl, include_samples: true }
              opted: { type: file, path: opted.jsonl }
            routes:
              - receivers: [plain, rows]
                continue: true
              - receivers: [quiet]
                include_samples: false
                continue: true
              - receivers: [opted]
                include_samples: true
            """).load(environment: [:])
        #expect(included(config) == ["plain": false, "rows": true, "quiet": false, "opted": true])
        #expect(config.alerts.receiver(named: "rows")?.includeSamples == true)
        #expect(config.alerts.routes.map(\.includeSamples) == [nil, false, true])
    }

    @Test func everyReceiverTypeAcceptsTheKey() throws {
        let config = try fixture("""
            version: 1
            receivers:
              slack: { type: slack, url: "https://hooks.slack.com/x", include_samples: true }
              teams: { type: teams, url: "https://example.com/teams", include_samples: yes }
              pager: { type: pagerduty, routing_key: "k", include_samples: on }
              hook: { type: webhook, url: "https://example.com/hook", include_samples: false }
              local: { type: file, path: local.jsonl, include_samples: true }
            routes:
              - receivers: [slack, teams, pager, hook, local]
            """).load(environment: [:])
        #expect(included(config) == ["slack": true, "teams": true, "pager": true, "hook": false, "local": true])
    }

    @Test func badValuesAndMisspeltKeysAreOneErrorEachAtTheirPlace() {
        #expect(fixture("""
            version: 1
            receivers:
              local: { type: file, path: local.jsonl, include_samples: always }
              hook: { type: webhook, url: "https://example.com/hook", include_sample: true }
            routes:
              - receivers: [local]
                include_samples: [true]
              - receivers: [hook]
                includesamples: true
            """).configErrors() == [
            "alerts/alerts.yml:3:60: 'include_samples' must be true or false, got 'always'",
            "alerts/alerts.yml:4:59: unknown key 'include_sample' in receiver 'hook' (did you mean 'include_samples'?)",
            "alerts/alerts.yml:7:22: 'include_samples' must be a single value, not a list",
            "alerts/alerts.yml:9:5: unknown key 'includesamples' in route (did you mean 'include_samples'?)",
        ])
    }

    /// Seeded: any value that is not a boolean, on a receiver or a route, in flow or block style, is exactly one error on
    /// the value's line, naming the key; `dqmon check` then exits 3 and writes no history.
    @Test func anyNonBooleanValueIsOneErrorOnItsLine() throws {
        let seed = UInt64(ProcessInfo.processInfo.environment["DQMON_TEST_SEED"] ?? "") ?? 13_013
        var random = SeededRandom(seed: seed)
        let values = ["1", "0", "2", "truee", "ture", "'true '", "\"\"", "null", "~", "[]", "{}", "{ a: 1 }", "'yes please'",
                      "TRUE1", "falsey", "\"${X}\"", "-1", "1.0", "'\\u0000'", "\"\\t\""]
        for round in 0..<24 {
            let value = values[Int(random.next() % UInt64(values.count))]
            let onRoute = random.next() % 2 == 0
            let yaml = onRoute
                ? "version: 1\nreceivers:\n  local: { type: file, path: local.jsonl }\nroutes:\n  - receivers: [local]\n    include_samples: \(value)\n"
                : "version: 1\nreceivers:\n  local:\n    type: file\n    path: local.jsonl\n    include_samples: \(value)\nroutes:\n  - receivers: [local]\n"
            let errors = fixture(yaml).configErrors(environment: ["X": "1"])
            #expect(errors.count == 1, "seed \(seed) round \(round) value \(value): \(errors)")
            #expect(errors.first?.hasPrefix("alerts/alerts.yml:6:") == true, "seed \(seed) round \(round): \(errors)")
            #expect(errors.first?.contains("include_samples") == true, "seed \(seed) round \(round): \(errors)")
        }
        let project = fixture("version: 1\nreceivers:\n  local: { type: file, path: local.jsonl, include_samples: sometimes }\n")
        let output = try dqmon(["check", "--now", "2026-11-25T12:00:00Z"], in: project)
        #expect(output.status == 3, "\(output.stderr)")
        #expect(output.stderr.contains("alerts/alerts.yml:3:60: 'include_samples' must be true or false, got 'sometimes'"), "\(output.stderr)")
        #expect(!FileManager.default.fileExists(atPath: project.historyURL.path))
    }
}
