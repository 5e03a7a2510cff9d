import DQMon
import DQMonTestSupport
import Foundation
import Testing

/// Schema checks against the real PostgreSQL cluster that scripts/test starts, with `ALTER TABLE` between runs.
/// Each test works in its own schema, so the tests can run in parallel.
@Suite(.enabled(if: PostgresTestServer.isAvailable,
                "DQMON_TEST_POSTGRES_URL is not set: run scripts/test, which starts a throwaway PostgreSQL cluster"))
struct PostgresSchemaTests {
    let now = ProjectFixture.now
    func hour(_ n: Int) -> Date { now.addingTimeInterval(Double(n) * 3_600) }

    func project(schema: String, table: String, settings: String) -> PostgresProjectFixture {
        let fixture = PostgresProjectFixture(
            warehouses: #"  pg: { type: postgres, url: "${DQMON_TEST_POSTGRES_URL}", sslmode: disable, schema: \#(schema) }"#)
        fixture.checks("datasets.yml", """
            version: 1
            datasets:
              - name: \(table)
                checks:
                  - schema: \(settings)
            """)
        return fixture
    }

    @Test func alterTableBetweenRuns() async throws {
        try await withTemporarySchema("schema") { db in
            let table = "\"\(db.name)\".\"Orders\""
            try await db.execute("""
                CREATE TABLE \(table) (id int4 NOT NULL, amount numeric(10,2) NOT NULL, discount numeric, status varchar(20),
                                       "CreatedAt" timestamp(3) with time zone)
                """)
            let fixture = project(schema: db.name, table: "Orders",
                                  settings: "{ contract: { id: integer, amount: numeric, status: text, CreatedAt: timestamptz } }")
            let first = try await fixture.run()
            #expect(first.results[0].status == .pass)
            #expect(first.results[0].message == "first run: baseline of 5 columns recorded")

            // Spelling and length changes only: int4 -> integer, varchar(20) -> character varying(50), numeric(10,2) -> (12,2).
            try await db.execute("""
                ALTER TABLE \(table) ALTER COLUMN id TYPE integer, ALTER COLUMN status TYPE character varying(50),
                                     ALTER COLUMN amount TYPE numeric(12,2)
                """)
            #expect(try await fixture.run(now: hour(1)).results[0].message == "no schema changes (5 columns, contract of 4 columns met)")

            try await db.execute("""
                ALTER TABLE \(table) DROP COLUMN discount, ALTER COLUMN amount TYPE text, ALTER COLUMN "CreatedAt" SET NOT NULL
                """)
            let changed = try await fixture.run(now: hour(2))
            #expect(changed.results[0].status == .fail)
            #expect(changed.results[0].message == "removed column \"discount\"; type of \"amount\" changed numeric -> text; \"CreatedAt\" became NOT NULL; contract: \"amount\" is text, expected numeric")

            try await db.execute("ALTER TABLE \(table) ALTER COLUMN amount TYPE numeric USING amount::numeric, ADD COLUMN note text")
            try await db.execute("ALTER TABLE \(table) RENAME COLUMN status TO order_status")
            let renamed = try await fixture.run(now: hour(3))
            #expect(renamed.results[0].message == "removed column \"status\"; type of \"amount\" changed text -> numeric; added column \"order_status\" (text, possibly renamed from \"status\"); added column \"note\" (text); contract: column \"status\" (text) is missing")

            try await db.execute("DROP TABLE \(table)")
            let dropped = try await fixture.run(now: hour(4))
            #expect(dropped.results[0].status == .fail)
            #expect(dropped.results[0].message.hasPrefix("table dropped: Orders no longer exists (last snapshot at 2026-11-25T15:00:00Z had 5 columns"))
            let snapshots = try HistoryStore(path: fixture.project.historyURL).schemaSnapshots(dataset: "Orders")
            #expect(snapshots.map(\.snapshot.columns.count) == [5, 4, 5])
        }
    }

    @Test func aTableWith500Columns() async throws {
        try await withTemporarySchema("wide") { db in
            let columns = (1...500).map { "c\($0) \($0 % 2 == 0 ? "bigint" : "varchar(10)")" }.joined(separator: ", ")
            try await db.execute("CREATE TABLE \"\(db.name)\".wide (\(columns))")
            let fixture = project(schema: db.name, table: "wide", settings: "{}")
            #expect(try await fixture.run().results[0].message == "first run: baseline of 500 columns recorded")
            try await db.execute("ALTER TABLE \"\(db.name)\".wide ALTER COLUMN c2 TYPE int4, DROP COLUMN c499")
            let changed = try await fixture.run(now: hour(1))
            #expect(changed.results[0].message == "removed column \"c499\"; type of \"c2\" changed bigint -> integer")
        }
    }

    @Test func demoReplayOnPostgresReportsTheSameDrift() async throws {
        try await withTemporarySchema("demoschema") { db in
            let fixture = ProjectFixture(projectYAML: "version: 1\nwarehouses:\n  demo: { type: sqlite, path: demo.sqlite }\nhistory: { path: .dqmon/history.sqlite }\n")
            fixture.checks("demo.yml", """
                version: 1
                datasets:
                  - { name: orders, checks: [ schema: { contract: { id: bigint, amount: numeric, status: text } } ] }
                  - { name: payments, checks: [ schema: {} ] }
                """)
            let scenario = DemoScenario(end: ProjectFixture.now, days: 3)
            _ = try await DemoReplay.run(configuration: fixture.load(), scenario: scenario, copyInto: PostgresTestServer.settings(schema: db.name))
            let history = try HistoryStore(path: fixture.historyURL)
            let failures = { (id: String) in try history.results(checkID: id, limit: 1_000).filter { $0.status != .pass }.map(\.message) }
            #expect(try failures("payments/schema") == ["type of \"amount\" changed numeric -> text"])
            #expect(try failures("orders/schema") == ["removed column \"discount\""])
            #expect(try history.schemaSnapshots(dataset: "orders").map(\.snapshot.columns.count) == [7, 8])
        }
    }
}
