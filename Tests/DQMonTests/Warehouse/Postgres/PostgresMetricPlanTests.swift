import DQMon
import DQMonTestSupport
import Foundation
import Testing

/// The metric statements dqmon sends to the real PostgreSQL of scripts/test: EXPLAIN shows each timestamp metric
/// served by its column's index (no sequential scan of a 200,000-row table), and the answers equal the queries a
/// DBA would write. Values PostgreSQL can hold but dqmon cannot use ('NaN', 'infinity') become that check's
/// `error`, and the run is recorded with every other result.
@Suite(.enabled(if: PostgresTestServer.isAvailable,
                "DQMON_TEST_POSTGRES_URL is not set: run scripts/test, which starts a throwaway PostgreSQL 15 cluster"))
struct PostgresMetricPlanTests {
    let now = ProjectFixture.now

    func bigTable(_ db: PostgresSchemaFixture) async throws {
        let end = Int(now.timeIntervalSince1970) - 120
        try await db.execute("""
            CREATE TABLE "\(db.name)".big (id bigserial PRIMARY KEY, amount float8, status text, created_at timestamptz, \
            updated_at timestamptz, local_ts timestamp, day date, loaded_at bigint)
            """)
        try await db.execute("""
            INSERT INTO "\(db.name)".big (amount, status, created_at, updated_at, local_ts, day, loaded_at) \
            SELECT i * 1.5, 'ok', to_timestamp(\(end) - i * 60), to_timestamp(\(end) - i * 60 + 30), \
            to_timestamp(\(end) - i * 60) AT TIME ZONE 'UTC', (to_timestamp(\(end) - i * 60) AT TIME ZONE 'UTC')::date, \(end) - i * 60 \
            FROM generate_series(0, 199999) AS i
            """)
        for column in ["created_at", "updated_at", "local_ts", "day", "loaded_at"] {
            try await db.execute(#"CREATE INDEX "big_\#(column)" ON "\#(db.name)".big (\#(column))"#)
        }
        try await db.execute(#"VACUUM ANALYZE "\#(db.name)".big"#)
    }

    func explain(_ statement: SQLStatement, on db: PostgresSchemaFixture) async throws -> String {
        let rows = try await db.session.rows(SQLStatement("EXPLAIN " + statement.inlined))
        return rows.compactMap { row in row.first.flatMap { if case .text(let line) = $0 { line } else { nil } } }.joined(separator: "\n")
    }

    @Test func timestampMetricsUseTheColumnsIndexAndMatchTheHandWrittenQuery() async throws {
        try await withTemporarySchema("plan") { db in
            try await bigTable(db)
            let warehouse = try await PostgresWarehouse.connect(name: "pg", settings: PostgresTestServer.settings(schema: db.name))
            let table = TableName(parsing: "big")
            let catalog = try await warehouse.catalog(for: [table])
            func query(_ metrics: [Metric]) throws -> (MetricQuery, SQLStatement) {
                let query = MetricQuery(table: table, metrics: metrics, dialect: warehouse.dialect, now: now, timeZone: .gmt,
                                        columns: catalog.timestampColumns(of: table))
                return (query, try #require(query.statement))
            }
            let (freshness, freshnessSQL) = try query(FreshnessCheck(column: "updated_at", warnAfter: nil, errorAfter: Interval(seconds: 86_400)).metrics)
            // The latest value alone: an index probe. (The check's EXISTS probe may show a Seq Scan node that stops
            // at the first row.)
            let (_, latestSQL) = try query([.maxTimestamp(column: "updated_at")])
            let freshnessPlan = try await explain(latestSQL, on: db)
            #expect(freshnessPlan.contains("Index Only Scan Backward using big_updated_at"), "\(freshnessPlan)")
            #expect(!freshnessPlan.contains("Seq Scan"), "\(freshnessPlan)")
            let latest = freshness.values(from: try await warehouse.queryRow(freshnessSQL), timeZone: .gmt)
            let floor = try await db.session.rows(SQLStatement(#"SELECT CAST(EXTRACT(EPOCH FROM max(updated_at)) AS float8) FROM "\#(db.name)".big"#))
            #expect(latest[.maxTimestamp(column: "updated_at")] == floor[0][0].double)

            let hour = Interval(seconds: 3_600)
            for column in ["created_at", "local_ts", "day", "loaded_at"] {
                let (count, countSQL) = try query([.windowedCount(column: column, window: hour)])
                let plan = try await explain(countSQL, on: db)
                #expect(plan.contains("big_\(column)") && !plan.contains("Seq Scan"), "\(column): \(plan)")
                let value = count.values(from: try await warehouse.queryRow(countSQL), timeZone: .gmt)
                let reference = try await db.session.rows(SQLStatement("""
                    SELECT count(*) FROM "\(db.name)".big WHERE EXTRACT(EPOCH FROM created_at) >= \(now.timeIntervalSince1970 - (column == "day" ? 0 : 3_600))
                    """))
                if column != "day" { #expect(value[.windowedCount(column: column, window: hour)] == reference[0][0].double, "\(column)") }
            }
            let (both, bothSQL) = try query(FreshnessCheck(column: "updated_at", warnAfter: nil, errorAfter: nil).metrics + [.rowCount])
            let bothPlan = try await explain(bothSQL, on: db)
            #expect(bothPlan.contains("Index Only Scan Backward using big_updated_at"), "\(bothPlan)")
            #expect(!bothSQL.sql.contains("EXISTS"), "row count answers 'has rows': \(bothSQL.sql)")
            let bothValues = both.values(from: try await warehouse.queryRow(bothSQL), timeZone: .gmt)
            #expect(bothValues[.rowCount] == 200_000 && bothValues[.hasRows] == 1)
            await warehouse.close()
        }
    }

    /// Without indexes every metric shares one scan, over the raw columns, with the same answers.
    @Test func unindexedColumnsShareOneScanWithTheSameAnswers() async throws {
        try await withTemporarySchema("scan") { db in
            try await bigTable(db)
            try await db.execute(#"CREATE TABLE "\#(db.name)".plain AS SELECT * FROM "\#(db.name)".big"#)
            try await db.execute(#"ANALYZE "\#(db.name)".plain"#)
            let warehouse = try await PostgresWarehouse.connect(name: "pg", settings: PostgresTestServer.settings(schema: db.name))
            let tables = [TableName(parsing: "big"), TableName(parsing: "plain")]
            let catalog = try await warehouse.catalog(for: tables)
            #expect(catalog.indexedColumns[tables[0]] == ["id", "created_at", "updated_at", "local_ts", "day", "loaded_at"])
            #expect(catalog.indexedColumns[tables[1]] == [])
            let hour = Interval(seconds: 3_600)
            let metrics: [Metric] = [.maxTimestamp(column: "updated_at"), .maxTimestamp(column: "loaded_at"), .rowCount,
                                     .windowedCount(column: "created_at", window: hour), .windowedCount(column: "local_ts", window: hour),
                                     .windowedCount(column: "day", window: Interval(seconds: 86_400)), .windowedCount(column: "loaded_at", window: hour)]
            var answers: [[Double?]] = []
            for table in tables {
                let query = MetricQuery(table: table, metrics: metrics, dialect: warehouse.dialect, now: now, timeZone: .gmt,
                                        columns: catalog.timestampColumns(of: table))
                let statement = try #require(query.statement)
                let values = query.values(from: try await warehouse.queryRow(statement), timeZone: .gmt)
                answers.append(metrics.map { values[$0] })
                if table.table == "plain" {
                    let plan = try await explain(statement, on: db)
                    #expect(plan.components(separatedBy: "Seq Scan on plain").count - 1 == 1, "one scan: \(plan)")
                    #expect(!statement.sql.contains("EXTRACT(EPOCH FROM \"updated_at\")"), "converted after max(): \(statement.sql)")
                }
            }
            #expect(answers[0] == answers[1])
            #expect(answers[0][2] == 200_000)
            await warehouse.close()
        }
    }

    @Test func nanAndInfinityBecomeThatChecksErrorAndTheRunIsRecorded() async throws {
        try await withTemporarySchema("nan") { db in
            try await db.execute(#"CREATE TABLE "\#(db.name)".scd (id int, ratio float8, valid_to timestamptz, updated_at timestamptz)"#)
            try await db.execute(#"INSERT INTO "\#(db.name)".scd VALUES (1, 0.5, 'infinity', '2026-11-25 11:00:00+00'), (2, 'NaN', '2026-01-01', '2026-11-25 11:30:00+00')"#)
            try await db.table("orders", type: "timestamptz", timestamps: [now.addingTimeInterval(-600)])
            let fixture = PostgresProjectFixture(warehouses: #"  pg: { type: postgres, url: "${DQMON_TEST_POSTGRES_URL}", sslmode: disable, schema: \#(db.name) }"#)
            fixture.checks("d.yml", """
                version: 1
                datasets:
                  - name: scd
                    checks:
                      - freshness: { column: valid_to, error_after: 1d }
                      - freshness: { name: loaded, column: updated_at, error_after: 1d }
                      - anomaly: { metric: mean(ratio) }
                      - anomaly: { name: nan_sql, sql: "select 'NaN'::float8" }
                  - name: orders
                    checks:
                      - freshness: { column: updated_at, error_after: 1d }
                """)
            let output = try CommandLineRunner.run(["check", "--all", "--format", "json", "--now", "2026-11-25T12:00:00Z"], in: fixture.project.root)
            #expect(output.status == 3, "\(output.stderr)")
            let results = try #require(output.checkResults, "\(output.stdout)")
            func result(_ id: String) -> [String: Any]? { results[id] }
            #expect(result("scd/freshness")?["status"] as? String == "error")
            #expect((result("scd/freshness")?["message"] as? String)?.contains("latest valid_to is +infinity: not a load time") == true, "\(results)")
            #expect(result("scd/freshness/loaded")?["status"] as? String == "pass")
            #expect((result("scd/anomaly")?["message"] as? String)?.contains("mean(ratio) is NaN") == true, "\(results)")
            #expect((result("scd/anomaly/nan_sql")?["message"] as? String)?.contains("the sql: metric returned NaN") == true, "\(results)")
            #expect(result("orders/freshness")?["status"] as? String == "pass")
            let history = try CommandLineRunner.run(["history", "orders/freshness", "--format", "json"], in: fixture.project.root)
            #expect(history.status == 0 && history.stdout.contains("\"pass\""), "the run was recorded: \(history.stdout) \(history.stderr)")
        }
    }
}
