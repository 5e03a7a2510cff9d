import DQMon
import DQMonTestSupport
import Foundation
import Testing

/// The per-segment anomaly of `SegmentAnomalyTests` on the real PostgreSQL of scripts/test: the grouped statement
/// (text of the key, the windowed count on a `timestamp` column, `count(*) OVER ()`, `LIMIT`) runs there too, and a
/// drop in one country fails the check through `dqmon check --now`, one run per day, while the total passes.
@Suite(.enabled(if: PostgresTestServer.isAvailable,
                "DQMON_TEST_POSTGRES_URL is not set: run scripts/test, which starts a throwaway PostgreSQL cluster"))
struct SegmentAnomalyPostgresTests {
    @Test func aDropInOneCountryFailsWhileTheTotalPasses() async throws {
        try await withTemporarySchema("segments") { db in
            try await db.execute("CREATE TABLE \"\(db.name)\".orders (id serial PRIMARY KEY, created_at timestamp, country text)")
            let fixture = PostgresProjectFixture(
                warehouses: #"  pg: { type: postgres, url: "${DQMON_TEST_POSTGRES_URL}", sslmode: disable, schema: \#(db.name) }"#)
            fixture.checks("orders.yml", """
                version: 1
                datasets:
                  - name: orders
                    checks:
                      - \(SegmentAnomalyTests.segmented)
                      - \(SegmentAnomalyTests.total)
                """)
            var last: CommandLineRunner.Output?
            for day in 0..<SegmentAnomalyTests.days {
                let start = WarehouseFixture.text(SegmentAnomalyTests.dayEnd(day).addingTimeInterval(-82_800))
                let rows = day == SegmentAnomalyTests.days - 1 ? [("US", 5_000), ("DE", 150), ("FR", 100)] : SegmentAnomalyTests.normal(day)
                for (country, count) in rows {
                    try await db.execute("""
                        INSERT INTO "\(db.name)".orders (created_at, country)
                        SELECT timestamp '\(start)' + (i % 3600) * interval '1 second', '\(country ?? "")' FROM generate_series(1, \(count)) AS i
                        """)
                }
                last = try dqmon(["check", "--all", "--format", "json", "--now", ISO8601.string(from: SegmentAnomalyTests.dayEnd(day))],
                                 in: fixture.project)
            }
            let output = try #require(last)
            #expect(output.status == 1, "\(output.stdout) \(output.stderr)")
            let history = try HistoryStore(path: fixture.project.historyURL)
            let segmented = try history.results(checkID: "orders/anomaly", limit: 1)[0]
            let total = try history.results(checkID: "orders/anomaly/total", limit: 1)[0]
            #expect(segmented.status == .fail, "\(segmented.message)")
            #expect(segmented.message.hasPrefix("1 of 3 segments anomalous: row_count_1d [country=DE] 150: drop"), "\(segmented.message)")
            #expect(total.status == .pass, "\(total.message)")
        }
    }
}
