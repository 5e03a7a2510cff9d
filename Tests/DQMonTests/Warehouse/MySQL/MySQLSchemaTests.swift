import DQMon
import DQMonTestSupport
import Foundation
import Testing

/// Schema checks against the real MariaDB server that scripts/test starts, through the `dqmon` binary, with
/// `ALTER TABLE` between runs. Each test works in its own database, so the tests can run in parallel.
@Suite(.enabled(if: MariaDBTestServer.isAvailable,
                "DQMON_TEST_MYSQL_URL is not set: run scripts/test, which starts a throwaway MariaDB server (Debian: mariadb-server, libmariadb3)"))
struct MySQLSchemaTests {
    let now = ProjectFixture.now
    func hour(_ n: Int) -> Date { now.addingTimeInterval(Double(n) * 3_600) }

    func project(_ db: MySQLDatabaseFixture, table: String, settings: String) -> MySQLProjectFixture {
        let fixture = MySQLProjectFixture(database: db.name)
        fixture.checks("datasets.yml", "version: 1\ndatasets:\n  - name: \(table)\n    checks:\n      - schema: \(settings)\n")
        return fixture
    }

    func schemaMessage(_ fixture: MySQLProjectFixture, table: String, at time: Date) throws -> (status: String?, message: String?) {
        let output = try fixture.check(now: time)
        let result = output.checkResults?["\(table)/schema"]
        return (result?["status"] as? String, (result?["message"] as? String) ?? output.stderr)
    }

    @Test func alterTableEnumAndDecimalChangesBetweenRuns() async throws {
        try await withTemporaryDatabase("schema") { db in
            try await db.execute("""
                CREATE TABLE `Orders` (id int(11) NOT NULL, amount decimal(10,2) NOT NULL, discount decimal(5,2),
                                       status enum('new','paid'), `CreatedAt` datetime(3), paid tinyint(1))
                """)
            let fixture = project(db, table: "Orders", settings: "{ contract: { id: integer, amount: numeric, \"status\": \"enum('new', 'paid')\", CreatedAt: datetime, paid: boolean } }")
            let first = try schemaMessage(fixture, table: "Orders", at: now)
            #expect(first.status == "pass")
            #expect(first.message == "first run: baseline of 6 columns recorded")

            // Precision, display width and spelling only: decimal(10,2) -> decimal(12,4), int(11) -> int, enum spacing.
            try await db.execute("ALTER TABLE `Orders` MODIFY amount decimal(12,4) NOT NULL, MODIFY id int NOT NULL, MODIFY status enum('new', 'paid')")
            let spelling = try schemaMessage(fixture, table: "Orders", at: hour(1))
            #expect(spelling.message == "no schema changes (6 columns, contract of 5 columns met)")

            // An enum member added, a decimal that became text, a column dropped, a column made NOT NULL.
            try await db.execute("""
                ALTER TABLE `Orders` MODIFY status enum('new','paid','refunded'), MODIFY amount varchar(20) NOT NULL,
                                     DROP COLUMN discount, MODIFY `CreatedAt` datetime(3) NOT NULL
                """)
            let changed = try schemaMessage(fixture, table: "Orders", at: hour(2))
            #expect(changed.status == "fail")
            #expect(changed.message == """
                removed column "discount"; type of "amount" changed numeric -> text; type of "status" changed enum('new','paid') -> enum('new','paid','refunded'); "CreatedAt" became NOT NULL; contract: "amount" is text, expected numeric; contract: "status" is enum('new','paid','refunded'), expected enum('new','paid')
                """)

            try await db.execute("DROP TABLE `Orders`")
            let dropped = try schemaMessage(fixture, table: "Orders", at: hour(3))
            #expect(dropped.status == "fail")
            #expect(dropped.message?.hasPrefix("table dropped: Orders no longer exists (last snapshot at 2026-11-25T14:00:00Z had 5 columns") == true, "\(dropped.message ?? "")")
        }
    }

    /// A 500-column table: one catalog query reads it, and a drop and an add among the 500 are reported by name.
    @Test func fiveHundredColumnTable() async throws {
        try await withTemporaryDatabase("wide") { db in
            let columns = (1...500).map { "c\($0) \($0 % 3 == 0 ? "decimal(10,2)" : $0 % 3 == 1 ? "int" : "varchar(20)")" }
            try await db.execute("CREATE TABLE wide (\(columns.joined(separator: ", ")))")
            let fixture = project(db, table: "wide", settings: "{}")
            let first = try schemaMessage(fixture, table: "wide", at: now)
            #expect(first.message == "first run: baseline of 500 columns recorded")
            try await db.execute("ALTER TABLE wide DROP COLUMN c250, MODIFY c300 double, ADD COLUMN c501 json")
            let changed = try schemaMessage(fixture, table: "wide", at: hour(1))
            #expect(changed.status == "fail")
            #expect(changed.message?.contains("removed column \"c250\"") == true, "\(changed.message ?? "")")
            #expect(changed.message?.contains("type of \"c300\" changed numeric -> double precision") == true, "\(changed.message ?? "")")
            #expect(changed.message?.contains("added column \"c501\"") == true, "\(changed.message ?? "")")
        }
    }
}
