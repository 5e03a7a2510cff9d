import DQMon
import DQMonTestSupport
import Foundation
import Testing

/// The registries tell the truth: every registered type runs end to end, and a type added by a test (its own folder
/// under Tests/DQMonTests/Examples plus one `adding(...)` line) works with no other change to dqmon.
@Suite struct RegistriesTests {
    /// One minimal check of each built-in type, on a table `orders(id, updated_at)` of three rows.
    static let checkSamples: [String: String] = [
        "freshness": "freshness: { name: freshness_check, column: updated_at, warn_after: 2h, error_after: 6h }",
        "volume": "volume: { name: volume_check, min_rows: 1 }",
        "schema": "schema: { name: schema_check }",
        "anomaly": "anomaly: { name: anomaly_check, metric: row_count }",
        "missing": "missing: { name: missing_check, column: id }",
        "accepted_values": "accepted_values: { name: accepted_values_check, column: id, values: [1, 2, 3] }",
        "range": "range: { name: range_check, column: id, min: 1, max: 3 }",
        "pattern": "pattern: { name: pattern_check, column: id, regex: '^[0-9]+$' }",
        "duplicates": "duplicates: { name: duplicates_check, column: id }",
        "references": "references: { name: references_check, column: id, to_dataset: orders, to_column: id }",
        "sql": "sql: { name: sql_check, query: 'select * from orders where id < 0' }",
        "compare": "compare: { name: compare_check, metric: row_count, with: { dataset: orders } }",
    ]

    @Test func everyRegisteredCheckTypeRunsThroughCheckRecordAndHistory() throws {
        #expect(Set(Self.checkSamples.keys) == Set(CheckRegistry.builtIn.typeNames),
                "add a sample for each registered check type to RegistriesTests.checkSamples")
        let fixture = ProjectFixture()
        try fixture.warehouse().table("orders", timestamps: WarehouseFixture.spread(3, over: 3_600, endingAt: ProjectFixture.now))
        fixture.checks("orders.yml", """
            version: 1
            datasets:
              - name: orders
                checks:
            \(CheckRegistry.builtIn.typeNames.map { "      - " + (Self.checkSamples[$0] ?? "\($0): {}") }.joined(separator: "\n"))
            """)
        let run = try dqmon(["check", "--all", "--now", "2026-11-25T12:00:00Z", "--format", "json"], in: fixture)
        let results = try #require(run.checkResults, "stdout: \(run.stdout)\nstderr: \(run.stderr)")
        for typeName in CheckRegistry.builtIn.typeNames {
            let result = try #require(results["orders/\(typeName)/\(typeName)_check"], "no result for \(typeName): \(results.keys.sorted())")
            #expect(["pass", "skipped"].contains(result["status"] as? String), "\(typeName): \(result)")
            let history = try dqmon(["history", "orders/\(typeName)/\(typeName)_check"], in: fixture)
            #expect(history.status == 0 && history.stdout.contains("orders/\(typeName)/\(typeName)_check: 1 result"), "\(typeName): \(history.stdout)\(history.stderr)")
        }
    }

    @Test func everyRegisteredWarehouseTypeParsesAndPlansItsQuery() throws {
        let samples: [String: String] = [
            "sqlite": "{ type: sqlite, path: warehouse.sqlite }",
            "postgres": "{ type: postgres, url: \"postgres://dqmon@127.0.0.1:5432/analytics\", connect_timeout: 1s }",
            "mysql": "{ type: mysql, url: \"mysql://dqmon@127.0.0.1:3306/analytics\", connect_timeout: 1s }",
        ]
        #expect(Set(samples.keys) == Set(WarehouseRegistry.builtIn.typeNames), "add a sample for each registered warehouse type")
        for (typeName, settings) in samples.sorted(by: { $0.key < $1.key }) {
            let fixture = ProjectFixture(projectYAML: """
                version: 1
                warehouses:
                  main: \(settings)
                default_warehouse: main
                history: { path: .dqmon/history.sqlite }
                """)
            fixture.checks("orders.yml", "version: 1\ndatasets:\n  - name: orders\n    checks:\n      - volume: { min_rows: 1 }\n")
            let validate = try dqmon(["validate"], in: fixture)
            #expect(validate.status == 0, "\(typeName): \(validate.stdout)\(validate.stderr)")
            let dryRun = try dqmon(["check", "--all", "--dry-run"], in: fixture)
            #expect(dryRun.status == 0 && dryRun.stdout.lowercased().contains("count("), "\(typeName): \(dryRun.stdout)\(dryRun.stderr)")
        }
    }

    @Test func everyRegisteredReceiverTypeDeliversAFailure() async throws {
        let http = try TestHTTPReceiver()
        defer { http.stop() }
        let fixture = ProjectFixture()
        let samples: [String: String] = [
            "slack": "{ type: slack, url: \"\(http.url("/slack"))\" }",
            "teams": "{ type: teams, url: \"\(http.url("/teams"))\" }",
            "pagerduty": "{ type: pagerduty, routing_key: abc123, url: \"\(http.url("/pagerduty"))\" }",
            "webhook": "{ type: webhook, url: \"\(http.url("/webhook"))\" }",
            "file": "{ type: file, path: alerts.jsonl }",
        ]
        #expect(Set(samples.keys) == Set(ReceiverRegistry.builtIn.typeNames), "add a sample for each registered receiver type")
        fixture.alerts("""
            version: 1
            receivers:
            \(samples.sorted(by: { $0.key < $1.key }).map { "  \($0.key)_receiver: \($0.value)" }.joined(separator: "\n"))
            routes:
              - receivers: [\(samples.keys.sorted().map { "\($0)_receiver" }.joined(separator: ", "))]
            """)
        try fixture.warehouse().table("orders", timestamps: [ProjectFixture.now.addingTimeInterval(-7 * 3_600)])
        fixture.checks("orders.yml", "version: 1\ndatasets:\n  - name: orders\n    tier: 1\n    checks:\n      - freshness: { column: updated_at, error_after: 6h }\n")
        let run = try dqmon(["check", "--now", "2026-11-25T12:00:00Z"], in: fixture)
        #expect(run.status == 1, "\(run.stdout)\(run.stderr)")
        let paths = Set(http.requests.map(\.path))
        #expect(paths == ["/slack", "/teams", "/pagerduty", "/webhook"], "\(paths)")
        let file = try String(contentsOf: fixture.root.appendingPathComponent("alerts.jsonl"), encoding: .utf8)
        #expect(file.contains("orders/freshness"), "\(file)")
    }

    /// A check type, a warehouse type and a receiver type that only this test target knows, each added by one line.
    @Test func typesAddedByATestRunEndToEndWithNoOtherChange() async throws {
        let registries = Registries.builtIn.adding(check: EvenRowsCheck.self).adding(warehouse: BacktickSettings.self)
            .adding(receiver: LinesReceiver.self)
        let http = try TestHTTPReceiver()
        defer { http.stop() }
        let fixture = ProjectFixture(projectYAML: """
            version: 1
            warehouses:
              main: { type: backtick_sqlite, path: warehouse.sqlite }
            default_warehouse: main
            history: { path: .dqmon/history.sqlite }
            """)
        fixture.checks("orders.yml", """
            version: 1
            datasets:
              - name: orders
                tier: 1
                checks:
                  - even_rows: { warn_on_growth: true }
            """)
        fixture.alerts("""
            version: 1
            receivers:
              plain: { type: lines, url: "\(http.url("/lines"))" }
            routes:
              - receivers: [plain]
            """)
        let warehouse = try fixture.warehouse()
        try warehouse.table("orders", timestamps: WarehouseFixture.spread(3, over: 3_600, endingAt: ProjectFixture.now))
        let configuration = try ConfigLoader.load(configPath: fixture.configURL, environment: [:], registries: registries)

        let first = try await CheckRunner.run(configuration: configuration, options: RunOptions(now: ProjectFixture.now), lockTimeout: 5)
        #expect(first.results.map(\.status) == [.fail], "\(first.results.map(\.message))")
        #expect(BacktickWarehouse.log.all.contains { $0.contains("FROM `orders`") }, "\(BacktickWarehouse.log.all)")
        #expect(http.requests.map(\.body) == ["firing orders/even_rows: row count is odd"], "\(http.requests.map(\.body))")

        try warehouse.execute("INSERT INTO orders (updated_at) VALUES (?)", [WarehouseFixture.text(ProjectFixture.now)])
        let later = ProjectFixture.now.addingTimeInterval(3_600)
        let second = try await CheckRunner.run(configuration: configuration, options: RunOptions(now: later), lockTimeout: 5)
        #expect(second.results.map(\.message) == ["row count grew from 3.0"])

        let history = try HistoryStore(path: fixture.historyURL)
        let stored = try history.results(checkID: "orders/even_rows")
        #expect(stored.map(\.status) == [.warn, .fail])
        #expect(HistoryRenderer.table(checkID: "orders/even_rows", results: stored).contains("row count grew from 3.0"))

        // The binary knows only the built-in types: the same project is a config error there, named with its fix.
        let validate = try dqmon(["validate"], in: fixture)
        #expect(validate.status == 3 && validate.stderr.contains("unknown warehouse type 'backtick_sqlite'"), "\(validate.stderr)")
    }
}
