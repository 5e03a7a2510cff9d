import DQMon
import DQMonTestSupport
import Foundation
import Testing

/// `dqmon validate` reports every error in one pass: past structural errors, past a broken dqmon.yml, and
/// only the root error when a definition is bad. File problems say what is really wrong, on one line.
@Suite struct ConfigResilienceTests {
    func errors(_ fixture: ProjectFixture, environment: [String: String] = [:]) -> [String] {
        fixture.configErrors(environment: environment)
    }

    func errors(checks yaml: String, environment: [String: String] = [:]) -> [String] {
        let fixture = ProjectFixture()
        fixture.checks("orders.yml", yaml)
        return errors(fixture, environment: environment)
    }

    /// A dataset with a structural error in `name` (and variants) still has each of its checks validated.
    static let structuralNames = ["name: {a: b}", "name: [a, b]", "name: ''", "nme: orders", "name: ${UNSET}", "name: \"${\""]

    @Test(arguments: structuralNames)
    func aBadDatasetNameHidesNoOtherError(_ nameLine: String) {
        var yaml = "version: 1\ndatasets:\n  - \(nameLine)\n    tier: 9\n    checks:\n"
        for index in 0..<20 { yaml += "      - volume: { name: v\(index), min_rows: lots\(index) }\n" }
        let found = errors(checks: yaml)
        // The name's own error (two for a misspelt key: unknown 'nme', missing 'name'), then all the others.
        #expect(found.count == (nameLine.hasPrefix("nme") ? 23 : 22), "\(nameLine): \(found)")
        #expect(found.first?.hasPrefix("checks/orders.yml:3:") == true, "\(nameLine): \(found)")
        #expect(found.contains("checks/orders.yml:4:11: 'tier' must be between 1 and 3, got 9"))
        for index in 0..<20 {
            #expect(found.contains("checks/orders.yml:\(6 + index):\(index < 10 ? 39 : 40): 'min_rows' must be a whole number, got 'lots\(index)'"))
        }
    }

    @Test func checksWrittenAsAMappingAreStillEachValidated() {
        let found = errors(checks: """
            version: 1
            datasets:
              - name: orders
                checks:
                  freshness: { column: c, warn_after: 99999999999999999999w }
                  volume: { min_rows: lots }
            """)
        #expect(found == [
            "checks/orders.yml:5:7: 'checks' must be a list, not a mapping: start each check with '- ', e.g. '- freshness: { column: updated_at, warn_after: 2h }'",
            "checks/orders.yml:5:43: 'warn_after' must be at most 3650d, got '99999999999999999999w'",
            "checks/orders.yml:6:27: 'min_rows' must be a whole number, got 'lots'",
        ])
    }

    @Test func aCheckWithBadSettingsStillHasItsCommonKeysValidated() {
        let found = errors(checks: """
            version: 1
            datasets:
              - name: orders
                checks:
                  - freshness: { warn_after: nope, runbook: ../outside.md, name: [x] }
            """)
        #expect(found.count == 4, "\(found)")
        #expect(found.contains { $0.contains("runbook '../outside.md'") || $0.contains("runbook file '../outside.md' not found") })
    }

    @Test func aBrokenProjectFileDoesNotHideTheChecksAndAlertsErrors() {
        for project in ["version: 1\nwarehouses: [\n", "- just a list\n", "version: 1\nwarehouses: nope\n", "\0"] {
            let fixture = ProjectFixture(projectYAML: project)
            fixture.checks("orders.yml", "version: 1\ndatasets:\n  - name: orders\n    checks:\n      - volume: { min_rows: lots }\n")
            fixture.alerts("version: 1\nreceivers:\n  local: { type: fil }\n")
            let found = errors(fixture)
            #expect(found.contains("checks/orders.yml:5:29: 'min_rows' must be a whole number, got 'lots'"), "\(project): \(found)")
            #expect(found.contains { $0.hasPrefix("alerts/alerts.yml:3:18: unknown receiver type 'fil'") }, "\(project): \(found)")
            // Warehouse references cannot be judged without the warehouses: no "unknown warehouse" noise.
            #expect(!found.contains { $0.contains("warehouse") && $0.hasPrefix("checks/") }, "\(project): \(found)")
        }
    }

    @Test func aBadWarehouseIsReportedOnceAtItsDefinition() {
        for url in ["mysql://u@h/d", "postgres://u@h:99999/d", "postgres://h/d", "${UNSET_PG_URL}", "postgres://u@h/d?sslmode=nope"] {
            let fixture = ProjectFixture(projectYAML: """
                version: 1
                warehouses:
                  pg: { type: postgres, url: "\(url)" }
                default_warehouse: pg
                """)
            fixture.checks("orders.yml", """
                version: 1
                datasets:
                  - name: orders
                    checks: [ { volume: {} } ]
                  - name: payments
                    warehouse: pg
                    checks: [ { volume: {} } ]
                """)
            let found = errors(fixture)
            #expect(found.count == 1, "\(url): \(found)")
            #expect(found.first?.hasPrefix("dqmon.yml:3:") == true, "\(url): \(found)")
        }
    }

    @Test func aBadReceiverIsReportedOnceAtItsDefinition() {
        for receiver in ["{ type: webhook, url: \"ftp://x/y\" }", "{ type: webhook }", "{ type: slak, url: \"https://x/y\" }",
                         "{ type: pagerduty, routing_key: \"${UNSET_KEY}\" }", "nope"] {
            let fixture = ProjectFixture()
            fixture.checks("orders.yml", "version: 1\ndatasets:\n  - name: orders\n    checks: [ { volume: {} } ]\n")
            fixture.alerts("version: 1\nreceivers:\n  hook: \(receiver)\nroutes:\n  - receivers: [hook]\n")
            let found = errors(fixture)
            #expect(found.count == 1, "\(receiver): \(found)")
            #expect(found.first?.hasPrefix("alerts/alerts.yml:3:") == true, "\(receiver): \(found)")
        }
    }

    @Test func anUndefinedReceiverIsStillAnError() {
        let fixture = ProjectFixture()
        fixture.checks("orders.yml", "version: 1\ndatasets:\n  - name: orders\n    checks: [ { volume: {} } ]\n")
        fixture.alerts("version: 1\nreceivers:\n  hook: { type: file, path: a.jsonl }\nroutes:\n  - receivers: [hoook]\n")
        #expect(errors(fixture) == ["alerts/alerts.yml:5:16: route sends to receiver 'hoook', which is not defined under 'receivers' (did you mean 'hook'?)"])
    }

    @Test func uppercaseSchemesWorkAndOthersAreRejected() throws {
        let fixture = ProjectFixture()
        fixture.checks("orders.yml", "version: 1\ndatasets:\n  - name: orders\n    checks: [ { volume: {} } ]\n")
        fixture.alerts("version: 1\nreceivers:\n  a: { type: webhook, url: \"HTTP://example.com/hook\" }\n  b: { type: slack, url: \"HttpS://hooks.example.com/x\" }\n")
        let configuration = try fixture.load()
        let request = configuration.alerts.receivers[0].settings.request(body: "{}", webhookID: "w", sentAt: ProjectFixture.now)
        guard case .http(let url, _, _) = request else { Issue.record("not an HTTP request"); return }
        #expect(url.scheme == "http")
        #expect(url.absoluteString == "http://example.com/hook")
        for scheme in ["ftp", "file", "javascript", "gopher"] {
            fixture.alerts("version: 1\nreceivers:\n  a: { type: webhook, url: \"\(scheme)://example.com/x\" }\n")
            #expect(errors(fixture).first?.hasPrefix("alerts/alerts.yml:3:28: 'url' must be an http(s) URL") == true, "\(scheme)")
        }
    }

    @Test func alertGlobsThatCouldNeverMatchAreErrors() {
        let fixture = ProjectFixture()
        fixture.checks("orders.yml", "version: 1\ndatasets:\n  - name: orders\n    checks: [ { volume: {} } ]\n")
        fixture.alerts("""
            version: 1
            receivers:
              local: { type: file, path: a.jsonl }
            routes:
              - match: { dataset: "analytics.[", check: "[[:digit:]]*" }
                receivers: [local]
            maintenance:
              - { datasets: ["[[:alpa:]]*"], cron: "0 2 * * *", duration: 1h }
            """)
        #expect(errors(fixture) == [
            "alerts/alerts.yml:5:23: 'dataset': 'analytics.[': '[' is not closed with ']'; write e.g. 'orders_[0-9]*', or '\\[' for a literal '['",
            "alerts/alerts.yml:8:17: 'datasets': '[[:alpa:]]*': unknown character class '[:alpa:]' (did you mean 'alpha'?); use one of alnum, alpha, blank, cntrl, digit, graph, lower, print, punct, space, upper, xdigit",
        ])
    }

    // MARK: - ${VAR}

    static let interpolationCases: [(value: String, expected: String)] = [
        ("\"${UNCLOSED\"", "'${' is not closed: write ${NAME} or ${NAME:-default} (or $${ for a literal '${')"),
        ("\"abc ${\"", "'${' is not closed: write ${NAME} or ${NAME:-default} (or $${ for a literal '${')"),
        ("\"${OWNER:-x\"", "'${' is not closed: write ${NAME} or ${NAME:-default} (or $${ for a literal '${')"),
        ("\"${}\"", "'${}' is not a variable name: use letters, digits and '_', e.g. ${DQMON_PROD_URL}"),
        ("\"${A B}\"", "'${A B}' is not a variable name: use letters, digits and '_', e.g. ${DQMON_PROD_URL}"),
        ("\"${1X}\"", "'${1X}' is not a variable name: use letters, digits and '_', e.g. ${DQMON_PROD_URL}"),
    ]

    @Test(arguments: interpolationCases.indices)
    func brokenInterpolationIsAnError(_ index: Int) {
        let testCase = Self.interpolationCases[index]
        let found = errors(checks: "version: 1\ndatasets:\n  - name: orders\n    owner: \(testCase.value)\n    checks: [ { volume: {} } ]\n")
        #expect(found == ["checks/orders.yml:4:12: \(testCase.expected)"])
    }

    @Test func escapedAndDefaultedInterpolationStillWork() throws {
        let fixture = ProjectFixture()
        fixture.checks("orders.yml", "version: 1\ndatasets:\n  - name: orders\n    owner: \"$${literal} ${T:-team} ${U}\"\n    checks: [ { volume: {} } ]\n")
        #expect(try fixture.load(environment: ["U": "x"]).datasets[0].owner == "${literal} team x")
    }

    @Test func aValueFromTheEnvironmentIsNeverQuotedBack() {
        let secret = "s3cr3t-T0KEN-value"
        let found = errors(checks: """
            version: 1
            datasets:
              - name: orders
                tier: "${SECRET}"
                every: "${SECRET}"
                checks:
                  - volume: { max_change: "${SECRET}", min_rows: "${SECRET}" }
            """, environment: ["SECRET": secret])
        #expect(found.count == 4, "\(found)")
        for line in found {
            #expect(!line.contains(secret), "\(line)")
            #expect(line.contains("${SECRET}"), "\(line)")
        }
    }

    // MARK: - Files that are not what they seem

    @Test func fileProblemsSayWhatIsWrongOnOneLine() throws {
        let fixture = ProjectFixture()
        fixture.checks("orders.yml", "version: 1\ndatasets: []\n")
        let checks = fixture.root.appendingPathComponent("checks")
        try FileManager.default.createDirectory(at: checks.appendingPathComponent("folder.yml"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: checks.appendingPathComponent("loop.yml").path, withDestinationPath: "loop.yml")
        try FileManager.default.createSymbolicLink(atPath: checks.appendingPathComponent("dangling.yml").path, withDestinationPath: "missing.yml")
        try Data("version: 1\ndatasets:\n  - name: o\u{0}x\n".utf8).write(to: checks.appendingPathComponent("nul.yml"))
        try Data([0x76, 0x3A, 0x20, 0x31, 0x0A, 0x23, 0xE9, 0x0A]).write(to: checks.appendingPathComponent("latin1.yml"))
        #expect(mkfifo(checks.appendingPathComponent("pipe.yml").path, 0o600) == 0)
        #expect(errors(fixture) == [
            "checks/dangling.yml:1:1: is a symbolic link to 'missing.yml', which does not exist; fix the link or remove it",
            "checks/folder.yml:1:1: is a folder, not a YAML file; rename it so it does not end in .yml/.yaml, or move it out",
            "checks/latin1.yml:2:2: is not UTF-8 text (first invalid byte here); save the file as UTF-8",
            "checks/loop.yml:1:1: is a symbolic link that loops back on itself; point it at a real file or remove it",
            "checks/nul.yml:3:12: control character U+0000 is not allowed in YAML; remove it",
            "checks/pipe.yml:1:1: is not a regular file (a pipe, socket or device); dqmon reads config only from regular files",
        ])
    }

    @Test func aMissingProjectFileIsPositioned() {
        let fixture = ProjectFixture()
        try? FileManager.default.removeItem(at: fixture.configURL)
        #expect(errors(fixture) == ["dqmon.yml:1:1: file not found (run dqmon from the project folder, or pass --config PATH)"])
    }

    @Test func validateKeepsGoingThroughTheBinary() throws {
        let fixture = ProjectFixture(projectYAML: "version: 1\nwarehouses: [\n")
        fixture.checks("a.yml", "version: 1\ndatasets:\n  - name: {a: b}\n    checks:\n      - volume: { min_rows: x }\n      - freshness: { column: c, warn_after: 99999999999999999999w }\n")
        fixture.checks("b.yml", "version: 1\ndatasets:\n  - name: b\n    owner: \"${\"\n    checks: [ { volume: { max_change: 1e300% } } ]\n")
        let output = try CommandLineRunner.run(["validate"], in: fixture.root)
        #expect(output.status == 3)
        let lines = output.stderr.split(separator: "\n").map(String.init)
        #expect(lines.count == 7, "\(output.stderr)")
        #expect(lines.last == "dqmon: error: 6 configuration errors; nothing was run")
        for line in lines.dropLast() { #expect(FuzzProject.isPositioned(line), "\(line)") }
    }
}
