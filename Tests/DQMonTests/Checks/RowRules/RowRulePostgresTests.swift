import DQMon
import DQMonTestSupport
import Foundation
import Testing

/// The same data and checks as `RowRuleSQLiteTests`, on the real PostgreSQL of scripts/test: the same counts and
/// messages, the regex read by `~` instead of dqmon's SQLite function, and `where:` on the dataset and the check.
@Suite(.enabled(if: PostgresTestServer.isAvailable,
                "DQMON_TEST_POSTGRES_URL is not set: run scripts/test, which starts a throwaway PostgreSQL cluster"))
struct RowRulePostgresTests {
    func scenario(_ db: PostgresSchemaFixture) async throws -> PostgresProjectFixture {
        for statement in RowRuleScenario.statements(table: "\"\(db.name)\".\"Orders\"", timestamp: "timestamp") {
            try await db.execute(statement)
        }
        let fixture = PostgresProjectFixture(
            warehouses: #"  pg: { type: postgres, url: "${DQMON_TEST_POSTGRES_URL}", sslmode: disable, schema: \#(db.name) }"#)
        fixture.checks("orders.yml", RowRuleScenario.checks(table: "\"\(db.name)\".\"Orders\""))
        return fixture
    }

    @Test func everyTypeGivesTheSameAnswerAsOnSQLite() async throws {
        try await withTemporarySchema("rules") { db in
            let fixture = try await scenario(db)
            let run = try RowRuleScenario.results(in: fixture.project)
            #expect(run.status == 1, "\(run.output)")
            for (id, expected) in RowRuleScenario.expected {
                #expect(run.results[id]?.status == expected.status, "\(id): \(String(describing: run.results[id]))")
                #expect(run.results[id]?.message == expected.message, "\(id)")
            }
            let dryRun = try dqmon(["check", "--all", "--dry-run", "--now", "2026-11-25T12:00:00Z"], in: fixture.project)
            #expect(dryRun.stdout.contains("NOT (CAST(\"sku\" AS TEXT) ~ '^[A-Z]{3}-[0-9]+$')"), "\(dryRun.stdout)")
        }
    }

    @Test func datasetWhereAndCheckWhereBothApply() async throws {
        try await withTemporarySchema("rules") { db in
            let fixture = try await scenario(db)
            fixture.checks("orders.yml", """
                version: 1
                datasets:
                  - name: Orders
                    where: "region = 'US' AND id < 7"
                    checks:
                      - accepted_values: { column: Status, values: [paid, refunded, void], where: "amount > 0" }
                      - volume: { min_rows: 4 }
                      - freshness: { column: created_at, error_after: 30d }
                      - duplicates: { columns: [order_id, line_no], where: "amount > 0" }
                """)
            let run = try RowRuleScenario.results(in: fixture.project)
            #expect(run.results["Orders/accepted_values"]?.message == "1 of 1 rows (100%) have Status outside [paid, refunded, void] where amount > 0 (fail > 0); most frequent: 'lost' (1)", "\(run.output)")
            #expect(run.results["Orders/volume"]?.message == "2 rows, below min_rows 4", "\(run.output)")
            #expect(run.results["Orders/freshness"]?.message.contains("latest created_at = 2026-11-23T10:00:00Z") == true,
                    "the latest row the where: keeps, not 2026-11-25's: \(run.output)")
            #expect(run.results["Orders/duplicates"]?.message == "0 of 1 rows (0%) repeat another row's (order_id, line_no) where amount > 0", "\(run.output)")
        }
    }
}
