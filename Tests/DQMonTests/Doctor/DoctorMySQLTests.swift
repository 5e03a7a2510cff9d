import DQMon
import DQMonTestSupport
import Foundation
import Testing

/// `dqmon doctor` against a real MariaDB: the server version and clock probes of the MySQL dialect, tables present
/// and missing, and the password never shown.
@Suite(.enabled(if: MariaDBTestServer.isAvailable,
                "DQMON_TEST_MYSQL_URL is not set: run scripts/test, which starts a throwaway MariaDB when mariadbd is installed"))
struct DoctorMySQLTests {
    @Test func reportsVersionTablesAndClock() async throws {
        try await withTemporaryDatabase("doctor") { db in
            try await db.table("orders", timestamps: [ProjectFixture.now])
            let fixture = MySQLProjectFixture(database: db.name)
            fixture.checks("orders.yml", """
                version: 1
                datasets:
                  - name: orders
                    checks: [ volume: {} ]
                  - name: refunds
                    checks: [ volume: {} ]
                """)
            let output = try dqmon(["doctor"], in: fixture.project)
            #expect(output.status == 3, "\(output.stdout)\(output.stderr)")
            let lines = output.stdout.split(separator: "\n").map(String.init)
            #expect(lines.contains { $0.hasPrefix("✔ warehouse my: reachable (mysql, ") && $0.contains("catalog readable, ") && $0.contains("MariaDB") },
                    "\(output.stdout)")
            #expect(lines.contains { $0.hasPrefix("✔ dataset orders: table orders present") })
            #expect(lines.contains { $0.hasPrefix("✗ dataset refunds: table refunds not found in warehouse 'my'") })
            #expect(lines.contains { $0.hasPrefix("✔ clock my: warehouse now() is ") }, "\(output.stdout)")
            let password = try MariaDBTestServer.url.password ?? "no-password-set"
            #expect(!(output.stdout + output.stderr).contains(password))
        }
    }
}
