import DQMon
import DQMonTestSupport
import Foundation
import Testing

/// `dqmon demo --postgres URL`: the same demo, copied into PostgreSQL hour by hour and checked there.
@Suite(.enabled(if: PostgresTestServer.isAvailable,
                "DQMON_TEST_POSTGRES_URL is not set: run scripts/test, which starts a throwaway PostgreSQL 15 cluster"))
struct PostgresDemoTests {
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

    @Test func replayAgainstPostgresGivesTheSameResultsAsSQLite() async throws {
        try await withTemporarySchema("demo") { db in
            let scenario = DemoScenario(end: ProjectFixture.now, days: 3)

            let sqlite = ProjectFixture(projectYAML: "version: 1\nwarehouses:\n  demo: { type: sqlite, path: demo.sqlite }\nhistory: { path: .dqmon/history.sqlite }\n")
            sqlite.checks("demo.yml", Self.checks)
            let sqliteReport = try await DemoReplay.run(configuration: sqlite.load(), scenario: scenario)

            let postgres = ProjectFixture(projectYAML: "version: 1\nwarehouses:\n  demo: { type: sqlite, path: demo.sqlite }\nhistory: { path: .dqmon/history.sqlite }\n")
            postgres.checks("demo.yml", Self.checks)
            let settings = try PostgresTestServer.settings(schema: db.name)
            let postgresReport = try await DemoReplay.run(configuration: postgres.load(), scenario: scenario, copyInto: settings)

            #expect(postgresReport.results.map(\.warehouse) == Array(repeating: "demo", count: 6))
            #expect(postgresReport.results.map(\.checkID) == sqliteReport.results.map(\.checkID))
            #expect(postgresReport.results.map(\.status) == sqliteReport.results.map(\.status))
            #expect(postgresReport.results.map(\.observed) == sqliteReport.results.map(\.observed))
            // payments stops loading 36 hours before the end: stale in both.
            #expect(postgresReport.results[3].status == .fail)

            let counts = try await db.session.rows(SQLStatement(
                #"SELECT (SELECT count(*) FROM "\#(db.name)".orders), (SELECT count(*) FROM "\#(db.name)".events)"#))
            let sqliteCounts = try await SQLiteWarehouse(name: "s", settings: SQLiteSettings(path: sqlite.directory.path("demo.sqlite")))
                .queryRow(SQLStatement("SELECT (SELECT count(*) FROM orders), (SELECT count(*) FROM events)"))
            #expect(counts.first == sqliteCounts)
            // The hourly runs really read PostgreSQL: each of the 72 runs scanned events there. The server publishes a
            // session's counters a little after the session ends, so look a bounded number of times.
            var scans: Int64 = 0
            _ = try await Poll.until(attempts: 50, every: .milliseconds(100)) {
                let row = try await db.session.rows(SQLStatement(
                    "SELECT pg_stat_clear_snapshot(), (SELECT coalesce(seq_scan, 0) + coalesce(idx_scan, 0) FROM pg_stat_user_tables WHERE schemaname = ? AND relname = 'events')",
                    arguments: [.text(db.name)]))
                if case .integer(let value) = row.first?[1] { scans = value }
                return scans >= 72
            }
            #expect(scans >= 72)
        }
    }
}
