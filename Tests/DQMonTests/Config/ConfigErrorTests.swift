import DQMon
import DQMonTestSupport
import Foundation
import Testing

/// Bad config inputs and the exact one-line errors users see (`file:line:column: message`).
@Suite struct ConfigErrorTests {
    /// Loads a project whose only checks file is `yaml`, and returns every error as printed.
    func errors(checks yaml: String, project: String? = nil, environment: [String: String] = [:]) -> [String] {
        ProjectFixture.configErrors(checks: yaml, project: project, environment: environment)
    }

    static let cases: [(name: String, yaml: String, expected: String)] = [
        ("unknown key with suggestion", """
            version: 1
            datasets:
              - name: orders
                checks:
                  - freshness: { column: updated_at, warn_aftr: 2h, error_after: 6h }
            """, "checks/orders.yml:5:42: unknown key 'warn_aftr' in freshness check (did you mean 'warn_after'?)"),
        ("unknown check type", """
            version: 1
            datasets:
              - name: orders
                checks:
                  - freshnes: { column: updated_at, warn_after: 2h }
            """, "checks/orders.yml:5:9: unknown check type 'freshnes' (did you mean 'freshness'?); dqmon supports: freshness, volume, schema, anomaly, missing, accepted_values, range, pattern, duplicates, references, sql, compare"),
        ("bad duration", """
            version: 1
            datasets:
              - name: orders
                checks:
                  - freshness: { column: updated_at, warn_after: 6hours }
            """, "checks/orders.yml:5:54: 'warn_after' is not a valid duration: '6hours' (write a number and a unit: 90s, 15m, 6h, 2d)"),
        ("wrong type for a number", """
            version: 1
            datasets:
              - name: orders
                checks:
                  - volume: { min_rows: lots }
            """, "checks/orders.yml:5:29: 'min_rows' must be a whole number, got 'lots'"),
        ("missing environment variable", """
            version: 1
            datasets:
              - name: orders
                owner: ${ORDERS_OWNER}
                checks:
                  - volume: { min_rows: 1 }
            """, "checks/orders.yml:4:12: environment variable 'ORDERS_OWNER' is not set (export it, or write ${ORDERS_OWNER:-default})"),
        ("wrong version", """
            version: 2
            datasets: []
            """, "checks/orders.yml:1:10: unsupported version '2' (this dqmon reads version: 1)"),
        ("missing version", """
            datasets: []
            """, "checks/orders.yml:1:1: missing 'version: 1' at the top of the file"),
        ("unknown warehouse", """
            version: 1
            datasets:
              - name: orders
                warehouse: mian
                checks:
                  - volume: { min_rows: 1 }
            """, "checks/orders.yml:4:16: unknown warehouse 'mian' (did you mean 'main'?); define it under 'warehouses' in dqmon.yml"),
        ("duplicate check id", """
            version: 1
            datasets:
              - name: orders
                checks:
                  - volume: { min_rows: 1 }
                  - volume: { min_rows: 5 }
            """, "checks/orders.yml:6:9: duplicate check id 'orders/volume' (first defined at checks/orders.yml:5:9); give one of them a distinct 'name:'"),
        ("bad percentage", """
            version: 1
            datasets:
              - name: orders
                checks:
                  - volume: { max_change: half }
            """, "checks/orders.yml:5:31: 'max_change' must be a percentage such as '50%', got 'half'"),
        ("freshness without column", """
            version: 1
            datasets:
              - name: orders
                checks:
                  - freshness: { warn_after: 2h }
            """, "checks/orders.yml:5:20: freshness check needs 'column'"),
        ("freshness without thresholds", """
            version: 1
            datasets:
              - name: orders
                checks:
                  - freshness: { column: updated_at }
            """, "checks/orders.yml:5:20: freshness check needs 'warn_after' or 'error_after' (or both), e.g. { column: updated_at, warn_after: 2h, error_after: 6h }"),
        ("warn_after not shorter than error_after", """
            version: 1
            datasets:
              - name: orders
                checks:
                  - freshness: { column: updated_at, warn_after: 6h, error_after: 2h }
            """, "checks/orders.yml:5:54: 'warn_after' (6h) must be shorter than 'error_after' (2h)"),
        ("window without column", """
            version: 1
            datasets:
              - name: orders
                checks:
                  - volume: { window: 1d }
            """, "checks/orders.yml:5:27: 'window' needs 'column': a windowed volume counts rows whose timestamp column falls in the last window, e.g. { window: 1d, column: created_at }"),
        ("tier out of range", """
            version: 1
            datasets:
              - name: orders
                tier: 5
                checks:
                  - volume: {}
            """, "checks/orders.yml:4:11: 'tier' must be between 1 and 3, got 5"),
        ("min_rows above max_rows", """
            version: 1
            datasets:
              - name: orders
                checks:
                  - volume: { min_rows: 10, max_rows: 5 }
            """, "checks/orders.yml:5:29: 'min_rows' (10) is greater than 'max_rows' (5)"),
        ("YAML syntax error", """
            version: 1
            datasets:
              - name: orders
                checks: [
            """, "checks/orders.yml:5:1: YAML syntax error: while parsing a flow node, did not find expected node content"),
        ("unknown dataset key", """
            version: 1
            datasets:
              - name: orders
                ownr: team-a
                checks:
                  - volume: {}
            """, "checks/orders.yml:4:5: unknown key 'ownr' in dataset (did you mean 'owner'?)"),
        ("check written as a list", """
            version: 1
            datasets:
              - name: orders
                checks:
                  - volume
            """, "checks/orders.yml:5:9: each check is a mapping with one check type, e.g. '- freshness: { column: updated_at, warn_after: 2h }'"),
        ("missing runbook file", """
            version: 1
            datasets:
              - name: orders
                runbook: runbooks/nope.md
                checks:
                  - volume: {}
            """, "checks/orders.yml:4:14: runbook file 'runbooks/nope.md' not found (create it, or link a URL)"),
        ("duplicate YAML key", """
            version: 1
            datasets:
              - name: orders
                checks:
                  - volume: { min_rows: 1, min_rows: 2 }
            """, "checks/orders.yml:5:19: duplicate key 'min_rows' in one mapping (each key may appear once)"),
        ("unknown timezone", """
            version: 1
            datasets:
              - name: orders
                timezone: Mars/Olympus
                checks:
                  - volume: {}
            """, "checks/orders.yml:4:15: unknown timezone 'Mars/Olympus' (use an IANA name such as 'UTC' or 'Europe/Berlin')"),
    ]

    @Test(arguments: cases.indices)
    func reportsExactMessage(_ index: Int) {
        let testCase = Self.cases[index]
        let found = errors(checks: testCase.yaml)
        #expect(found == [testCase.expected], "\(testCase.name)")
    }

    @Test func reportsEveryErrorNotOnlyTheFirst() {
        let found = errors(checks: """
            version: 1
            datasets:
              - name: orders
                checks:
                  - freshness: { column: updated_at, warn_after: 6hours }
                  - volume: { min_rows: lots }
                  - volumes: {}
            """)
        #expect(found.count == 3)
    }

    @Test func environmentVariablesExpandWithDefaults() throws {
        let fixture = ProjectFixture()
        fixture.checks("orders.yml", """
            version: 1
            datasets:
              - name: ${TABLE:-orders}
                owner: ${OWNER}
                checks:
                  - volume: { min_rows: "${MIN:-7}" }
            """)
        let configuration = try ConfigLoader.load(configPath: fixture.configURL, environment: ["OWNER": "team-a"])
        #expect(configuration.datasets[0].name == "orders")
        #expect(configuration.datasets[0].owner == "team-a")
        #expect((configuration.checks[0].spec as? VolumeCheck)?.minRows == 7)
    }

    @Test func projectFileErrors() {
        let found = errors(checks: "version: 1\ndatasets: []\n", project: """
            version: 1
            warehouses:
              main: { type: sqlit, path: w.sqlite }
              other: { type: sqlite, pth: w.sqlite }
            default_warehouse: nope
            histroy: {}
            """)
        #expect(found == [
            "dqmon.yml:3:17: unknown warehouse type 'sqlit' (did you mean 'sqlite'?); dqmon supports: sqlite, postgres, mysql",
            "dqmon.yml:4:10: warehouse 'other' needs 'path'",
            "dqmon.yml:4:26: unknown key 'pth' in warehouse 'other' (did you mean 'path'?)",
            "dqmon.yml:5:20: default_warehouse 'nope' is not defined under 'warehouses'",
            "dqmon.yml:6:1: unknown key 'histroy' in dqmon.yml (did you mean 'history'?)",
        ])
    }

    @Test func durationsAndPercentagesParse() {
        #expect(Interval(parsing: "90s")?.seconds == 90)
        #expect(Interval(parsing: "15m")?.seconds == 900)
        #expect(Interval(parsing: "6h")?.seconds == 21_600)
        #expect(Interval(parsing: "2d")?.seconds == 172_800)
        #expect(Interval(parsing: "1h30m")?.seconds == 5_400)
        #expect(Interval(parsing: "6hours") == nil)
        #expect(Interval(parsing: "") == nil)
        #expect(Interval(parsing: "10") == nil)
        #expect(Percentage(parsing: "50%")?.fraction == 0.5)
        #expect(Percentage(parsing: "12.5%")?.fraction == 0.125)
        #expect(Percentage(parsing: "50") == nil)
    }
}
