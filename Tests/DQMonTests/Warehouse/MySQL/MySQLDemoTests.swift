import DQMon
import DQMonTestSupport
import Foundation
import Testing

/// `dqmon demo --mysql URL`: the same demo, copied into MariaDB hour by hour and checked there.
@Suite(.enabled(if: MariaDBTestServer.isAvailable,
                "DQMON_TEST_MYSQL_URL is not set: run scripts/test, which starts a throwaway MariaDB server (Debian: mariadb-server, libmariadb3)"))
struct MySQLDemoTests {
    static let checks = """
        version: 1
        datasets:
          - name: orders
            checks:
              - freshness: { column: updated_at, warn_after: 2h, error_after: 6h }
              - volume: { min_rows: 500 }
              - volume: { name: daily_orders, window: 1d, column: created_at, min_rows: 400, max_change: 50% }
          - name: payments
            checks:
              - freshness: { column: paid_at, warn_after: 90m, error_after: 3h }
          - name: events
            checks:
              - freshness: { column: occurred_at, warn_after: 1h, error_after: 4h }
              - volume: { name: daily_events, window: 1d, column: occurred_at, min_rows: 600 }
        """
    static let project = "version: 1\nwarehouses:\n  demo: { type: sqlite, path: demo.sqlite }\nhistory: { path: .dqmon/history.sqlite }\n"

    @Test func replayAgainstMariaDBGivesTheSameResultsAsSQLite() async throws {
        try await withTemporaryDatabase("demo") { db in
            let scenario = DemoScenario(end: ProjectFixture.now, days: 3)
            let sqlite = ProjectFixture(projectYAML: Self.project)
            sqlite.checks("demo.yml", Self.checks)
            let sqliteReport = try await DemoReplay.run(configuration: sqlite.load(), scenario: scenario)

            let mysql = ProjectFixture(projectYAML: Self.project)
            mysql.checks("demo.yml", Self.checks)
            let mysqlReport = try await DemoReplay.run(configuration: mysql.load(), scenario: scenario,
                                                       copyInto: MariaDBTestServer.settings(database: db.name))
            #expect(mysqlReport.results.map(\.warehouse) == Array(repeating: "demo", count: 6))
            #expect(mysqlReport.results.map(\.checkID) == sqliteReport.results.map(\.checkID))
            #expect(mysqlReport.results.map(\.status) == sqliteReport.results.map(\.status))
            #expect(mysqlReport.results.map(\.observed) == sqliteReport.results.map(\.observed))
            #expect(mysqlReport.results[3].status == .fail)
            let counts = try await db.rows("SELECT (SELECT count(*) FROM orders), (SELECT count(*) FROM events)")
            let sqliteCounts = try await SQLiteWarehouse(name: "s", settings: SQLiteSettings(path: sqlite.directory.path("demo.sqlite")))
                .queryRow(SQLStatement("SELECT (SELECT count(*) FROM orders), (SELECT count(*) FROM events)"))
            #expect(counts.first == sqliteCounts)
            // The story's schema changes reached MariaDB too.
            let columns = try await db.rows("SELECT column_name, column_type FROM information_schema.columns WHERE table_schema = ? AND table_name IN ('orders', 'payments') AND column_name IN ('discount', 'amount') ORDER BY table_name", [.text(db.name)])
            #expect(columns == [[.text("amount"), .text("decimal(12,2)")], [.text("amount"), .text("varchar(64)")]])
        }
    }

    @Test func demoCommandTakesMySQLAndNeverPrintsThePassword() async throws {
        try await withTemporaryDatabase("democli") { db in
            let fixture = ProjectFixture(projectYAML: Self.project)
            fixture.checks("demo.yml", Self.checks)
            var url = try MariaDBTestServer.url
            url.database = db.name
            let text = "mysql://\(url.user):\(url.password ?? "")@\(url.host):\(url.port)/\(db.name)"
            let output = try dqmon(["demo", "--mysql", text, "--days", "3", "--now", "2026-11-25T12:00:00Z"], in: fixture)
            #expect(output.status == 0, "\(output.stderr)")
            #expect(output.stdout.contains("Last run of the replay"), "\(output.stdout)")
            #expect(!(output.stdout + output.stderr).contains(url.password ?? "-"))
            #expect(try await db.rows("SELECT count(*) > 0 FROM events") == [[.integer(1)]])
            let bad = try dqmon(["demo", "--mysql", "mysql://u:pa55-word@h"], in: fixture)
            #expect(bad.status != 0)
            #expect(bad.stderr.contains("--mysql has no database name after the host"), "\(bad.stderr)")
            #expect(!bad.stderr.contains("pa55-word"))
        }
    }
}
