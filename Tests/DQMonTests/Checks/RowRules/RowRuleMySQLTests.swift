import DQMon
import DQMonTestSupport
import Foundation
import Testing

/// The same data and checks as `RowRuleSQLiteTests`, on the real MariaDB of scripts/test: the same counts and
/// messages. MariaDB's default collations compare text case-insensitively and ignore trailing spaces, so without
/// dqmon's byte-exact comparison `'abc-3'` would match `'^[A-Z]{3}-[0-9]+$'` and `'PAID'` or `'paid '` would pass
/// `values: [paid]`.
@Suite(.enabled(if: MariaDBTestServer.isAvailable,
                "DQMON_TEST_MYSQL_URL is not set: run scripts/test, which starts a throwaway MariaDB server (Debian: mariadb-server, libmariadb3)"))
struct RowRuleMySQLTests {
    /// The scenario's statements in MySQL's spelling: backtick-quoted names, `datetime` for the timestamp.
    func scenario(_ db: MySQLDatabaseFixture) async throws -> MySQLProjectFixture {
        for statement in RowRuleScenario.statements(table: "\"Orders\"", timestamp: "datetime") {
            try await db.execute(statement.replacingOccurrences(of: "\"", with: "`"))
        }
        let fixture = MySQLProjectFixture(database: db.name)
        fixture.checks("orders.yml", RowRuleScenario.checks(table: "`Orders`"))
        return fixture
    }

    @Test func everyTypeGivesTheSameAnswerAsOnSQLite() async throws {
        try await withTemporaryDatabase("rules") { db in
            let fixture = try await scenario(db)
            let run = try RowRuleScenario.results(in: fixture.project)
            #expect(run.status == 1, "\(run.output)")
            for (id, expected) in RowRuleScenario.expected {
                #expect(run.results[id]?.status == expected.status, "\(id): \(String(describing: run.results[id]))")
                #expect(run.results[id]?.message == expected.message, "\(id)")
            }
        }
    }

    /// Case and trailing spaces count, as on SQLite and PostgreSQL, whatever the column's collation.
    @Test(arguments: ["utf8mb4_general_ci", "utf8mb4_unicode_ci", "utf8mb4_bin", "latin1_swedish_ci"])
    func textComparisonsAreExactUnderEveryCollation(collation: String) async throws {
        try await withTemporaryDatabase("collate") { db in
            let charset = String(collation.prefix { $0 != "_" })
            try await db.execute("CREATE TABLE `pay` (id int, status varchar(20) CHARACTER SET \(charset) COLLATE \(collation), code varchar(20) CHARACTER SET \(charset) COLLATE \(collation))")
            try await db.execute("INSERT INTO `pay` VALUES (1, 'paid', 'AB-1'), (2, 'PAID', 'ab-2'), (3, 'paid ', 'AB-3'), (4, 'void', 'AB-4'), (5, '', 'Ab-5'), (6, ' ', 'AB-6')")
            let fixture = MySQLProjectFixture(database: db.name)
            fixture.checks("pay.yml", """
                version: 1
                datasets:
                  - name: pay
                    checks:
                      - accepted_values: { column: status, values: [paid, void] }
                      - missing: { column: status, missing_values: [''] }
                      - pattern: { column: code, regex: '^[A-Z]{2}-[0-9]$' }
                """)
            let run = try RowRuleScenario.results(in: fixture.project)
            #expect(run.results["pay/accepted_values"]?.message.hasPrefix("4 of 6 rows (66.67%) have status outside [paid, void]") == true,
                    "\(collation): \(run.output)")
            #expect(run.results["pay/missing"]?.message.hasPrefix("1 of 6 rows (16.67%) have status missing") == true, "\(collation): \(run.output)")
            #expect(run.results["pay/pattern"]?.message.hasPrefix("2 of 6 rows (33.33%) have code not matching") == true, "\(collation): \(run.output)")
        }
    }
}
