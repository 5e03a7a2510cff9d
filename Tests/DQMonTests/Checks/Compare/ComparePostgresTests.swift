import DQMon
import DQMonTestSupport
import Foundation
import Testing

/// `compare` between a SQLite source and its copy on the real PostgreSQL of scripts/test, through `dqmon check`: the
/// same values and messages as SQLite to SQLite (timestamps typed `timestamp`, amounts `numeric`), and `--dry-run`
/// printing the PostgreSQL side in its dialect.
@Suite(.enabled(if: PostgresTestServer.isAvailable,
                "DQMON_TEST_POSTGRES_URL is not set: run scripts/test, which starts a throwaway PostgreSQL cluster"))
struct ComparePostgresTests {
    func scenario(_ db: PostgresSchemaFixture) async throws -> ProjectFixture {
        for statement in CompareScenario.copyStatements(table: "\"\(db.name)\".orders_copy", timestamp: "timestamp") {
            try await db.execute(statement)
        }
        let project = ProjectFixture(projectYAML: """
            version: 1
            warehouses:
              main: { type: sqlite, path: warehouse.sqlite }
              pg: { type: postgres, url: "${DQMON_TEST_POSTGRES_URL}", sslmode: disable, schema: \(db.name) }
            default_warehouse: main
            history: { path: .dqmon/history.sqlite }
            """)
        let main = try project.warehouse()
        for statement in CompareScenario.sourceStatements(table: "orders", timestamp: "text") { try main.execute(statement) }
        project.checks("orders.yml", CompareScenario.checks(copyWarehouse: "pg"))
        return project
    }

    @Test func sqliteSourceAgainstPostgresCopy() async throws {
        try await withTemporarySchema("compare") { db in
            let project = try await scenario(db)
            let run = try CompareScenario.results(in: project)
            #expect(run.status == 1, "\(run.output)")
            for (id, expected) in CompareScenario.expected(copyWarehouse: "pg") {
                #expect(run.results[id]?.status == expected.status, "\(id): \(String(describing: run.results[id]))")
                #expect(run.results[id]?.message == expected.message, "\(id)")
            }
            let dryRun = try dqmon(["check", "--all", "--dry-run", "--now", "2026-11-25T12:00:00Z"], in: project)
            #expect(dryRun.status == 0, "\(dryRun.stderr)")
            #expect(dryRun.stdout.contains("-- orders: orders/compare/latest latest updated_at of orders_copy (warehouse 'pg') (its own statement, on warehouse 'pg')")
                    || dryRun.stdout.contains("max_timestamp(updated_at) of orders_copy (warehouse 'pg') (its own statement, on warehouse 'pg')"), "\(dryRun.stdout)")
            #expect(dryRun.stdout.contains("\"\(db.name)\".\"orders_copy\""), "the PostgreSQL side is qualified by its schema: \(dryRun.stdout)")
        }
    }
}
