import DQMon
import DQMonTestSupport
import Foundation
import Testing

/// `upstream:` and `exposures:` through `dqmon validate`: unknown names with a did-you-mean, cycles at the entry that
/// closes them (naming the path), one line per error, exit 3; and a valid chain loads into the graph.
@Suite struct LineageConfigTests {
    static func dataset(_ name: String, upstream: [String] = [], tier: Int = 3) -> String {
        var lines = ["  - name: \(name)", "    tier: \(tier)"]
        if !upstream.isEmpty { lines.append("    upstream: [\(upstream.joined(separator: ", "))]") }
        lines += ["    checks:", "      - volume: { min_rows: 1 }", ""]
        return lines.joined(separator: "\n")
    }

    static let revenue = """
        version: 1
        datasets:
          - name: daily_revenue
            tier: 1
            owner: team-finance
            upstream: [payments, orders]
            checks:
              - volume: { min_rows: 1 }
        exposures:
          - name: executive_revenue_dashboard
            type: dashboard
            owner: exec-analytics
            maturity: high
            url: https://bi.example.com/d/42
            depends_on: [daily_revenue]
        """

    static func base(_ fixture: ProjectFixture) {
        fixture.checks("orders.yml", """
            version: 1
            datasets:
              - name: orders
                tier: 1
                owner: team-orders
                checks:
                  - volume: { min_rows: 1 }
              - name: payments
                tier: 3
                owner: team-payments
                checks:
                  - volume: { min_rows: 1 }
            """)
    }

    @Test func aValidChainLoadsWithImpactAndEffectiveTier() throws {
        let fixture = ProjectFixture()
        Self.base(fixture)
        fixture.checks("revenue.yml", Self.revenue)
        let output = try dqmon(["validate"], in: fixture)
        #expect(output.status == 0, "\(output.stderr)")
        let configuration = try fixture.load()
        #expect(configuration.exposures.map(\.name) == ["executive_revenue_dashboard"])
        #expect(configuration.lineage.upstream(of: "daily_revenue").map(\.node.name) == ["payments", "orders"])
        let impact = configuration.lineage.impact(of: "payments")
        #expect(impact.downstream.map(\.name) == ["daily_revenue"])
        #expect(impact.effectiveTier == 1)
        #expect(impact.summary == "Impact: 1 downstream dataset (tier 1: daily_revenue), feeds exposure Executive Revenue Dashboard (owner exec-analytics); treated as tier 1 (feeds tier 1 dataset daily_revenue)")
    }

    @Test func unknownUpstreamAndDependsOnAreOneLineEachWithDidYouMean() throws {
        let fixture = ProjectFixture()
        Self.base(fixture)
        fixture.checks("revenue.yml", Self.revenue.replacingOccurrences(of: "[payments, orders]", with: "[paymnts, orders]")
            .replacingOccurrences(of: "depends_on: [daily_revenue]", with: "depends_on: [daily_revenu]"))
        let output = try dqmon(["validate"], in: fixture)
        #expect(output.status == 3)
        let lines = output.stderr.split(separator: "\n").map(String.init)
        #expect(lines.contains("checks/revenue.yml:6:16: unknown dataset 'paymnts' in 'upstream' of dataset 'daily_revenue' (did you mean 'payments'?); name a dataset as written in its 'name:' in checks/*.yml"), "\(lines)")
        #expect(lines.contains("checks/revenue.yml:15:18: unknown dataset 'daily_revenu' in 'depends_on' of exposure 'executive_revenue_dashboard' (did you mean 'daily_revenue'?); name a dataset as written in its 'name:' in checks/*.yml"), "\(lines)")
    }

    @Test func aCycleAcrossFilesIsReportedAtTheEntryThatClosesIt() throws {
        let fixture = ProjectFixture()
        fixture.checks("a.yml", "version: 1\ndatasets:\n" + Self.dataset("raw", upstream: ["daily_revenue"]))
        fixture.checks("b.yml", "version: 1\ndatasets:\n" + Self.dataset("staging", upstream: ["raw"]) + Self.dataset("daily_revenue", upstream: ["staging"]))
        let output = try dqmon(["validate"], in: fixture)
        #expect(output.status == 3)
        let errors = output.stderr.split(separator: "\n").filter { !$0.hasPrefix("dqmon: error:") }
        #expect(errors.count == 1, "\(output.stderr)")
        #expect(errors.first?.hasPrefix("checks/b.yml:") == true, "\(output.stderr)")
        #expect(errors.first?.contains("closes a lineage cycle: raw -> daily_revenue -> staging -> raw") == true, "\(output.stderr)")
    }

    @Test func selfLoopsDuplicatesBadExposureFieldsAndDuplicateExposures() throws {
        let fixture = ProjectFixture()
        Self.base(fixture)
        fixture.checks("x.yml", """
            version: 1
            datasets:
              - name: loop
                upstream: [loop, orders, orders]
                checks:
                  - volume: { min_rows: 1 }
            exposures:
              - { name: board, type: dashbord, maturity: hihg, depends_on: [orders] }
              - { name: board, type: ml, depends_on: [] }
              - { type: ml, depends_on: [orders] }
            """)
        let errors = fixture.configErrors()
        #expect(errors.contains { $0.hasPrefix("checks/x.yml:4:16: upstream 'loop' closes a lineage cycle: loop -> loop") }, "\(errors)")
        #expect(errors.contains { $0.hasPrefix("checks/x.yml:4:30: 'orders' is listed twice in 'upstream'") }, "\(errors)")
        #expect(errors.contains { $0.contains("unknown exposure type 'dashbord' (did you mean 'dashboard'?)") }, "\(errors)")
        #expect(errors.contains { $0.contains("unknown maturity 'hihg' (did you mean 'high'?)") }, "\(errors)")
        #expect(errors.contains { $0.hasPrefix("checks/x.yml:9:5: duplicate exposure 'board'") }, "\(errors)")
        #expect(errors.contains { $0.hasPrefix("checks/x.yml:10:5: exposure needs 'name'") }, "\(errors)")
        #expect(errors.allSatisfy { !$0.contains("\n") })
    }

    @Test func aFileWithOnlyExposuresIsValid() throws {
        let fixture = ProjectFixture()
        Self.base(fixture)
        fixture.checks("exposures.yml", """
            version: 1
            exposures:
              - { name: finance_notebook, type: notebook, owner: finance, depends_on: [orders, payments] }
            """)
        #expect(fixture.configErrors() == [])
        #expect(try fixture.load().lineage.exposures(fedBy: "payments").map(\.name) == ["finance_notebook"])
    }
}
