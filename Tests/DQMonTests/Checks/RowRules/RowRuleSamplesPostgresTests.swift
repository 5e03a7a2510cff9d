import DQMon
import DQMonTestSupport
import Foundation
import Testing

/// Failing-row samples on the real PostgreSQL of scripts/test: the same rows as on SQLite, identifiers quoted and
/// values bound by the dialect, the dataset's `where:` applied, off by default, and a sample query that fails
/// leaves the check's status as it is.
@Suite(.enabled(if: PostgresTestServer.isAvailable,
                "DQMON_TEST_POSTGRES_URL is not set: run scripts/test, which starts a throwaway PostgreSQL cluster"))
struct RowRuleSamplesPostgresTests {
    func project(_ db: PostgresSchemaFixture, datasetWhere: String? = nil, checks: String) async throws -> PostgresProjectFixture {
        for statement in RowRuleScenario.statements(table: "\"\(db.name)\".\"Orders\"", timestamp: "timestamp") {
            try await db.execute(statement)
        }
        let fixture = PostgresProjectFixture(
            warehouses: #"  pg: { type: postgres, url: "${DQMON_TEST_POSTGRES_URL}", sslmode: disable, schema: \#(db.name) }"#)
        let filter = datasetWhere.map { "    where: \"\($0)\"\n" } ?? ""
        fixture.checks("orders.yml", "version: 1\ndatasets:\n  - name: Orders\n\(filter)    checks:\n\(checks)  - name: Placed\n    checks:\n      - volume: { min_rows: 1 }\n")
        return fixture
    }

    func samples(_ checkID: String, in project: ProjectFixture) throws -> [String: Any]? {
        let output = try dqmon(["history", checkID, "--format", "json", "--now", RowRuleSamplesTests.now], in: project)
        let document = try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any]
        return (document?["results"] as? [[String: Any]])?.first?["samples"] as? [String: Any]
    }

    @Test func theSameRowsAsOnSQLite() async throws {
        try await withTemporarySchema("samples") { db in
            let fixture = try await project(db, checks: """
                      - missing: { column: Status, missing_values: ['', 'N/A'], samples: 2, sample_columns: [id, Status] }
                      - accepted_values: { column: Status, values: [paid, refunded, void], samples: 10 }
                      - pattern: { column: sku, regex: '^[A-Z]{3}-[0-9]+$', samples: 10, sample_columns: [id] }
                      - duplicates: { name: line, columns: [order_id, line_no], samples: 5, sample_columns: [id, order_id, line_no] }
                      - references: { column: order_id, to_dataset: Placed, to_column: id, samples: 5, sample_columns: [id, order_id] }
                      - sql: { query: 'select id from "\(db.name)"."Orders" where amount < 0', samples: 3 }
                      - sql: { name: bad, query: 'select id from "\(db.name)"."Orders" where amount < 0', samples: 3, sample_columns: [nope] }

                """)
            let run = try RowRuleScenario.results(in: fixture.project)
            #expect(run.results["Orders/missing"]?.status == "fail", "\(run.output)")
            let missing = try samples("Orders/missing", in: fixture.project)
            #expect(missing?["columns"] as? [String] == ["id", "Status"], "\(run.output)")
            let rows = missing?["rows"] as? [[Any]] ?? []
            #expect(rows.count == 2, "\(rows)")
            #expect(rows.allSatisfy { $0[1] is NSNull || ["", "N/A"].contains($0[1] as? String) }, "\(rows)")
            let accepted = try samples("Orders/accepted_values", in: fixture.project)
            #expect(Set((accepted?["rows"] as? [[String]] ?? []).map { $0[0] }) == ["lost", "", "N/A"], "\(String(describing: accepted))")
            let pattern = try samples("Orders/pattern", in: fixture.project)
            #expect(Set((pattern?["rows"] as? [[String]] ?? []).map { $0[0] }) == ["3", "6", "8"], "\(String(describing: pattern))")
            let line = try samples("Orders/duplicates/line", in: fixture.project)
            #expect(Set((line?["rows"] as? [[String]] ?? []).map { $0[0] }) == ["5", "6"], "\(String(describing: line))")
            let references = try samples("Orders/references", in: fixture.project)
            #expect(Set((references?["rows"] as? [[String]] ?? []).map { $0[0] }) == ["5", "6", "7"], "\(String(describing: references))")
            let sql = try samples("Orders/sql", in: fixture.project)
            #expect(sql?["rows"] as? [[String]] == [["3"]], "\(String(describing: sql))")

            #expect(run.results["Orders/sql/bad"]?.status == "fail", "a failing sample query leaves the status: \(run.output)")
            let message = run.results["Orders/sql/bad"]?.message ?? ""
            #expect(message.hasPrefix("1 row returned by the check's query (fail > 0) (samples not taken: the sample query failed: "), "\(message)")
            #expect(message.hasSuffix("; the status is unchanged)"), "\(message)")
            #expect(try samples("Orders/sql/bad", in: fixture.project) == nil)
        }
    }

    @Test func theDatasetWhereNarrowsTheSampleAndSamplesAreOffByDefault() async throws {
        try await withTemporarySchema("samples") { db in
            let fixture = try await project(db, datasetWhere: "region = 'EU'", checks: """
                      - missing: { column: Status, missing_values: ['', 'N/A'], samples: 10, sample_columns: [id, region] }
                      - accepted_values: { column: Status, values: [paid, refunded, void] }

                """)
            let run = try RowRuleScenario.results(in: fixture.project)
            #expect(run.results["Orders/missing"]?.message == "2 of 5 rows (40%) have Status missing (NULL, '', 'N/A') (fail > 0)", "\(run.output)")
            let missing = try samples("Orders/missing", in: fixture.project)
            #expect((missing?["rows"] as? [[String]] ?? []).map { $0[0] }.sorted() == ["5", "6"], "\(String(describing: missing))")
            #expect(run.results["Orders/accepted_values"]?.status == "fail")
            #expect(try samples("Orders/accepted_values", in: fixture.project) == nil, "off by default")
            #expect(try RowRuleSamplesTests.storedSampleCount(fixture.project) == 1)
            let dryRun = try dqmon(["check", "--all", "--dry-run", "--now", RowRuleSamplesTests.now], in: fixture.project)
            #expect(dryRun.stdout.contains("""
                SELECT "id", "region" FROM (SELECT * FROM "\(db.name)"."Orders" WHERE (region = 'EU')) AS dqmon_rows WHERE ("Status" IS NULL OR CAST("Status" AS TEXT) IN ('', 'N/A')) LIMIT 10;
                """), "\(dryRun.stdout)")
            #expect(dryRun.stdout.components(separatedBy: "failing-row samples").count == 2, "one sample statement: \(dryRun.stdout)")
        }
    }
}
