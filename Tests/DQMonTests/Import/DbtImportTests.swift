import DQMon
import DQMonTestSupport
import Foundation
import Testing

/// `dqmon import dbt` through the real binary, on manifests real dbt wrote for Tests/Fixtures/dbt-sample
/// (scripts/regen-dbt-manifest): schema v9 (dbt 1.5), v11 (dbt 1.7) and v12 (dbt 1.11).
struct DbtImportTests {
    static let manifests = PythonVirtualEnv.repositoryRoot.appendingPathComponent("Tests/Fixtures/dbt-sample/manifests")

    static func manifest(_ version: String) -> URL {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: manifests.path)) ?? []
        let name = names.first { $0.hasPrefix("manifest-\(version)-") } ?? "missing-\(version)"
        return manifests.appendingPathComponent(name)
    }

    static func project() -> ProjectFixture {
        ProjectFixture(projectYAML: """
            version: 1
            warehouses:
              pg: { type: postgres, url: "postgres://dqmon@127.0.0.1:1/dqmon" }
            default_warehouse: pg
            """)
    }

    static func generated(_ fixture: ProjectFixture, _ file: String = "checks/dbt.yml") -> String {
        (try? String(contentsOf: fixture.directory.path(file), encoding: .utf8)) ?? ""
    }

    @Test(arguments: ["v9", "v11", "v12"])
    func everyPromiseOfTheImportFromARealManifest(version: String) throws {
        let fixture = Self.project()
        let output = try dqmon(["import", "dbt", Self.manifest(version).path], in: fixture)
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout.contains("7 added, 0 updated, 0 removed"), "\(output.stdout)")
        let yaml = Self.generated(fixture)
        // Source freshness: count+period thresholds, loaded_at_field, filter as where:.
        #expect(yaml.contains(#"- freshness: { name: dbt, column: _loaded_at, warn_after: 2h, error_after: 6h, where: "status <> 'test'" }"#), "\(yaml)")
        #expect(yaml.contains("- freshness: { name: dbt, column: created_at, warn_after: 30m, error_after: 1d }"))
        // Owners: table meta, source meta (customers inherits the source's), model config.meta.
        #expect(yaml.contains("    dbt: source.shop.shop_raw.orders\n    owner: team-orders"))
        #expect(yaml.contains("    dbt: source.shop.shop_raw.customers\n    owner: team-ingest"))
        #expect(yaml.contains("    dbt: model.shop.daily_revenue\n    owner: team-finance"))
        #expect(yaml.contains("tags: [finance, executive]"))
        #expect(yaml.contains(#"description: "Revenue per day: payments joined to orders.""#))
        // Lineage and exposures.
        #expect(yaml.contains("  - name: analytics.daily_revenue\n"))
        #expect(yaml.contains("upstream: [analytics.stg_payments, analytics.stg_orders]") || yaml.contains("upstream: [analytics.stg_orders, analytics.stg_payments]"))
        #expect(yaml.contains("upstream: [raw.orders]"))
        #expect(yaml.contains("""
              - name: executive_revenue_dashboard
                dbt: exposure.shop.executive_revenue_dashboard
                type: dashboard
                owner: "Exec Analytics <exec-analytics@example.com>"
                maturity: high
                url: "https://bi.example.com/d/42"
            """), "\(yaml)")
        #expect(yaml.contains("depends_on: [analytics.daily_revenue]"))
        let validate = try dqmon(["validate"], in: fixture)
        #expect(validate.status == 0, "\(validate.stdout)\(validate.stderr)\n\(yaml)")
    }

    @Test func reRunningUpdatesWhatItWroteAndKeepsTheUsersEdits() throws {
        let fixture = Self.project()
        fixture.directory.write("runbooks/revenue.md", "# revenue\n")
        _ = try dqmon(["import", "dbt", Self.manifest("v12").path], in: fixture)
        var yaml = Self.generated(fixture)
        yaml = yaml.replacingOccurrences(of: "    owner: team-finance\n", with: "    owner: someone-else\n    tier: 1   # the CFO reads this\n    runbook: runbooks/revenue.md\n")
        yaml = yaml.replacingOccurrences(of: "  - name: analytics.stg_payments\n", with: """
              # my own dataset
              - name: analytics.my_table
                owner: me
                checks:
                  - volume: { min_rows: 1 }
              - name: analytics.stg_payments

            """)
        yaml = yaml.replacingOccurrences(of: "warn_after: 30m, error_after: 1d }\n", with: "warn_after: 10m, error_after: 1d }\n      # my check\n      - volume: { min_rows: 10 }\n")
        // An entry dbt no longer has goes; a user dataset named like a dbt relation wins over it.
        yaml = yaml.replacingOccurrences(of: "exposures:\n", with: """
              - name: analytics.gone
                dbt: model.shop.gone
                checks: []
              - name: raw.customers
                owner: my-team
                checks: []
            exposures:

            """)
        yaml = yaml.replacingOccurrences(of: "  - name: raw.customers\n    dbt: source.shop.shop_raw.customers\n    owner: team-ingest\n    description: \"Customer master data; no freshness rule.\"\n    checks: []\n", with: "")
        fixture.directory.write("checks/dbt.yml", yaml)
        let output = try dqmon(["import", "dbt", Self.manifest("v12").path], in: fixture)
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout.contains("removed analytics.gone"), "\(output.stdout)")
        #expect(output.stdout.contains("kept your own dataset raw.customers"), "\(output.stdout)")
        let updated = Self.generated(fixture)
        #expect(updated.contains("    owner: team-finance\n"), "dbt's owner wins on a generated entry\n\(updated)")
        #expect(!updated.contains("someone-else"))
        #expect(updated.contains("    tier: 1   # the CFO reads this\n    runbook: runbooks/revenue.md\n"), "\(updated)")
        #expect(updated.contains("warn_after: 30m, error_after: 1d }\n      # my check\n      - volume: { min_rows: 10 }\n"), "\(updated)")
        #expect(updated.contains("  # my own dataset\n  - name: analytics.my_table\n    owner: me\n"))
        #expect(!updated.contains("analytics.gone"))
        #expect(updated.contains("  - name: raw.customers\n    owner: my-team\n"))
        #expect(!updated.contains("source.shop.shop_raw.customers"))
        #expect(try dqmon(["validate"], in: fixture).status == 0)
        // Idempotent: the same manifest again changes nothing.
        _ = try dqmon(["import", "dbt", Self.manifest("v12").path], in: fixture)
        #expect(Self.generated(fixture) == updated)
    }

    @Test func theOutputStaysInTheProjectsChecksFolder() throws {
        let fixture = Self.project()
        for bad in ["../outside.yml", "/tmp/dqmon-dbt-elsewhere.yml", "checks/sub/dbt.yml", "checks/../dqmon.yml", "checks/dbt.txt", "dqmon.yml"] {
            let output = try dqmon(["import", "dbt", Self.manifest("v12").path, "--output", bad], in: fixture)
            #expect(output.status == 3, "\(bad)")
            #expect(output.stderr.split(separator: "\n").count == 1, "\(bad): \(output.stderr)")
            #expect(output.stderr.contains("--output"), "\(output.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: "/tmp/dqmon-dbt-elsewhere.yml"))
        let named = try dqmon(["import", "dbt", Self.manifest("v12").path, "--output", "checks/shop.yml", "--warehouse", "pgg"], in: fixture)
        #expect(named.status == 3)
        #expect(named.stderr.contains("no such warehouse in dqmon.yml (did you mean 'pg'?)"), "\(named.stderr)")
        let good = try dqmon(["import", "dbt", Self.manifest("v12").path, "--output", "checks/shop.yml", "--warehouse", "pg"], in: fixture)
        #expect(good.status == 0, "\(good.stderr)")
        #expect(Self.generated(fixture, "checks/shop.yml").contains("    warehouse: pg\n"))
    }

    /// The real manifest with `metadata.dbt_schema_version` (or anything else) replaced.
    static func edited(_ edit: (inout [String: Any]) -> Void) throws -> Data {
        var object = try JSONSerialization.jsonObject(with: Data(contentsOf: manifest("v12"))) as? [String: Any] ?? [:]
        edit(&object)
        return try JSONSerialization.data(withJSONObject: object)
    }

    @Test(arguments: [("v8", "manifest schema v8 is not supported; dqmon reads v9 (dbt 1.5) to v12 (dbt 1.8 and later): upgrade dbt to 1.5 or later"),
                      ("v13", "manifest schema v13 is not supported; dqmon reads v9 (dbt 1.5) to v12 (dbt 1.8 and later)")])
    func anUnsupportedVersionIsOneLineNamingItAndTheRange(version: String, message: String) throws {
        let fixture = Self.project()
        let data = try Self.edited { object in
            var metadata = object["metadata"] as? [String: Any] ?? [:]
            metadata["dbt_schema_version"] = "https://schemas.getdbt.com/dbt/manifest/\(version).json"
            object["metadata"] = metadata
        }
        let path = fixture.directory.path("manifest.json")
        try data.write(to: path)
        let output = try dqmon(["import", "dbt", "manifest.json"], in: fixture)
        #expect(output.status == 3)
        #expect(output.stderr.hasPrefix("dqmon: error: manifest.json: \(message)"), "\(output.stderr)")
        #expect(output.stderr.split(separator: "\n").count == 1)
    }

    @Test func aValueOfTheWrongTypeIsOneLineNamingTheFileAndJSONPath() throws {
        let fixture = Self.project()
        let data = try Self.edited { object in
            var sources = object["sources"] as? [String: Any] ?? [:]
            var orders = sources["source.shop.shop_raw.orders"] as? [String: Any] ?? [:]
            orders["freshness"] = ["warn_after": ["count": "two", "period": "hour"]]
            sources["source.shop.shop_raw.orders"] = orders
            object["sources"] = sources
        }
        try data.write(to: fixture.directory.path("manifest.json"))
        let output = try dqmon(["import", "dbt", "manifest.json"], in: fixture)
        #expect(output.status == 3)
        #expect(output.stderr == "dqmon: error: manifest.json: $.sources['source.shop.shop_raw.orders'].freshness.warn_after.count: expected a number\n", "\(output.stderr)")
        let missing = try dqmon(["import", "dbt", "target/manifest.json"], in: fixture)
        #expect(missing.status == 3)
        #expect(missing.stderr.hasPrefix("dqmon: error: target/manifest.json: cannot read the dbt manifest ("), "\(missing.stderr)")
        try Data("{\"metadata\": ".utf8).write(to: fixture.directory.path("broken.json"))
        let broken = try dqmon(["import", "dbt", "broken.json"], in: fixture)
        #expect(broken.stderr.hasPrefix("dqmon: error: broken.json: not valid JSON"), "\(broken.stderr)")
        #expect(broken.stderr.split(separator: "\n").count == 1)
    }
}
