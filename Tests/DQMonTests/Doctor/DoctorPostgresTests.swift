import DQMon
import DQMonTestSupport
import Foundation
import Testing

/// `dqmon doctor` against a real PostgreSQL: server version, tables in the configured schema, the clock, and an
/// unreachable server reported with its fix, the password never shown.
@Suite(.enabled(if: PostgresTestServer.isAvailable,
                "DQMON_TEST_POSTGRES_URL is not set: run scripts/test, which starts a throwaway PostgreSQL 15 cluster"))
struct DoctorPostgresTests {
    @Test func reportsVersionTablesAndClock() async throws {
        try await withTemporarySchema("doctor") { db in
            try await db.table("orders", timestamps: [ProjectFixture.now])
            let fixture = PostgresProjectFixture(warehouses: #"  pg: { type: postgres, url: "${DQMON_TEST_POSTGRES_URL}", sslmode: disable, schema: \#(db.name) }"#)
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
            #expect(lines.contains { $0.hasPrefix("✔ warehouse pg: reachable (postgres, ") && $0.contains("catalog readable, PostgreSQL 1") })
            #expect(lines.contains("✔ dataset orders: table orders present (2 columns)"))
            #expect(lines.contains { $0.hasPrefix("✗ dataset refunds: table refunds not found in warehouse 'pg'; fix: create it") })
            #expect(lines.contains { $0.hasPrefix("✔ clock pg: warehouse now() is ") })
            let password = try PostgresTestServer.url.password ?? "no-password-set"
            #expect(!(output.stdout + output.stderr).contains(password))
        }
    }

    @Test func unreachableServerIsBrokenWithItsFix() throws {
        let fixture = PostgresProjectFixture(warehouses: "  pg: { type: postgres, url: \"postgres://dqmon:pw-not-shown@127.0.0.1:\(PostgresTestServer.closedPort())/db\", sslmode: disable }")
        fixture.checks("orders.yml", "version: 1\ndatasets:\n  - name: orders\n    checks: [ volume: {} ]\n")
        let output = try dqmon(["doctor"], in: fixture.project)
        #expect(output.status == 3)
        #expect(output.stdout.contains("✗ warehouse pg: cannot connect: "))
        #expect(output.stdout.contains("; fix: check its settings in dqmon.yml (dqmon.yml:"))
        #expect(output.stdout.contains("- dataset orders: table orders not looked for: warehouse 'pg' is unreachable"))
        #expect(!(output.stdout + output.stderr).contains("pw-not-shown"))
    }
}
