import DQMon
import DQMonTestSupport
import Foundation
import Testing

/// Runs against the real PostgreSQL 15 cluster that scripts/test starts (scripts/lib/postgres-cluster.sh).
/// Each test works in its own schema, so the tests can run in parallel.
@Suite(.enabled(if: PostgresTestServer.isAvailable,
                "DQMON_TEST_POSTGRES_URL is not set: run scripts/test, which starts a throwaway PostgreSQL 15 cluster"))
struct PostgresWarehouseTests {
    let now = ProjectFixture.now
    static let warehouse = #"pg: { type: postgres, url: "${DQMON_TEST_POSTGRES_URL}", sslmode: disable, schema: SCHEMA }"#

    func project(schema: String, extra: String = "", datasets: String) -> PostgresProjectFixture {
        let fixture = PostgresProjectFixture(warehouses: "  " + Self.warehouse.replacingOccurrences(of: "SCHEMA", with: schema) + extra)
        fixture.checks("datasets.yml", "version: 1\ndatasets:\n" + datasets)
        return fixture
    }

    @Test func freshnessAndVolumeOnTimestampTimestamptzAndMixedCaseTables() async throws {
        try await withTemporarySchema() { db in
            try await db.table("orders", timestamps: WarehouseFixture.spread(20, over: 3_600, endingAt: now.addingTimeInterval(-300)))
            try await db.table("events", type: "timestamptz", timestamps: WarehouseFixture.spread(5, over: 3_600, endingAt: now.addingTimeInterval(-8 * 3_600)))
            try await db.table("Order Lines", column: "UpdatedAt", type: "timestamptz", timestamps: [now.addingTimeInterval(-3 * 3_600)])
            try await db.execute(#"CREATE TABLE "\#(db.name)".epochs (id serial, loaded_at bigint)"#)
            try await db.execute(#"INSERT INTO "\#(db.name)".epochs (loaded_at) VALUES (\#(Int(now.timeIntervalSince1970) - 600))"#)
            let fixture = project(schema: db.name, datasets: """
                  - name: orders
                    checks:
                      - freshness: { column: updated_at, warn_after: 1h, error_after: 6h }
                      - volume: { min_rows: 10 }
                  - name: \(db.name).events
                    checks:
                      - freshness: { column: updated_at, warn_after: 1h, error_after: 6h }
                      - volume: { min_rows: 10 }
                  - name: Order Lines
                    checks:
                      - freshness: { column: UpdatedAt, warn_after: 2h, error_after: 6h }
                      - volume: { name: recent, window: 1d, column: UpdatedAt, min_rows: 1 }
                  - name: epochs
                    checks:
                      - freshness: { column: loaded_at, warn_after: 1h }
                """)
            let report = try await fixture.run()
            #expect(report.results.map(\.checkID) == [
                "orders/freshness", "orders/volume", "\(db.name).events/freshness", "\(db.name).events/volume",
                "Order Lines/freshness", "Order Lines/volume/recent", "epochs/freshness",
            ])
            #expect(report.results.map(\.status) == [.pass, .pass, .fail, .fail, .warn, .pass, .pass])
            #expect(report.results.map(\.observed) == [300, 20, 8 * 3_600, 5, 3 * 3_600, 1, 600])
            #expect(report.exitCode == .failed)
        }
    }

    @Test func catalogReadsEveryTableInOneQuery() async throws {
        try await withTemporarySchema() { db in
            try await db.execute(#"CREATE TABLE "\#(db.name)".orders (id bigint NOT NULL, amount numeric(12,2), status varchar(20), created_at timestamptz NOT NULL)"#)
            try await db.execute(#"ALTER TABLE "\#(db.name)".orders DROP COLUMN status"#)
            try await db.execute(#"CREATE TABLE "\#(db.name)"."Mixed" ("Key" text, tags text[])"#)
            let warehouse = try await PostgresWarehouse.connect(name: "pg", settings: PostgresTestServer.settings(schema: db.name))
            let tables = [TableName(parsing: "orders"), TableName(parsing: "\(db.name).Mixed"), TableName(parsing: "missing")]
            let catalog = try await warehouse.catalog(for: tables)
            await warehouse.close()
            #expect(catalog.columns(of: tables[0]) == [
                CatalogColumn(name: "id", declaredType: "bigint", isNullable: false, position: 1),
                CatalogColumn(name: "amount", declaredType: "numeric", isNullable: true, position: 2),
                CatalogColumn(name: "created_at", declaredType: "timestamptz", isNullable: false, position: 3),
            ])
            #expect(catalog.columns(of: tables[1]) == [
                CatalogColumn(name: "Key", declaredType: "text", isNullable: true, position: 1),
                CatalogColumn(name: "tags", declaredType: "text[]", isNullable: true, position: 2),
            ])
            #expect(catalog.columns(of: tables[2]) == nil)
        }
    }

    @Test func serverDownErrorsEveryCheckOnceAtWarehouseLevel() async throws {
        let port = PostgresTestServer.closedPort()
        let fixture = PostgresProjectFixture(warehouses: "  pg: { type: postgres, url: \"postgres://dqmon:topsecret@127.0.0.1:\(port)/dqmon\", sslmode: disable }")
        fixture.checks("d.yml", "version: 1\ndatasets:\n  - name: orders\n    checks:\n      - volume: {}\n      - freshness: { column: t, warn_after: 1h }\n")
        let report = try await fixture.run()
        #expect(report.results.map(\.status) == [.error, .error])
        #expect(report.warehouseErrors.count == 1)
        #expect(report.results[0].message == "warehouse 'pg': server down or unreachable: connection refused by postgres://127.0.0.1:\(port)")
        #expect(report.exitCode == .monitoringBroken)
    }

    @Test func serverThatNeverAnswersTimesOutInsteadOfHanging() async throws {
        let listener = PostgresTestServer.silentListener()
        defer { close(listener.descriptor) }
        var settings = try PostgresTestServer.settings()
        settings.url.port = listener.port
        settings.connectTimeout = Interval(seconds: 1)
        let error = await connectError(settings)
        #expect(error?.description == "warehouse 'pg': server down or unreachable: no answer from postgres://127.0.0.1:\(listener.port) within connect_timeout (1s)")
    }

    @Test func wrongPasswordNamesTheUserNotThePassword() async throws {
        var url = try PostgresTestServer.url
        url.password = "wrong-\(UUID().uuidString)"
        let error = await connectError(PostgresSettings(url: url, sslMode: .disable))
        #expect(error?.kind == .unavailable)
        #expect(error?.description == "warehouse 'pg': wrong password for user 'dqmon' at \(url.redacted) (password authentication failed; check the password in 'url')")
    }

    @Test func tlsRequiredAgainstAServerWithoutTLS() async throws {
        let error = await connectError(try PostgresTestServer.settings(sslMode: .require))
        #expect(error?.kind == .unavailable)
        #expect(error?.description.hasPrefix("warehouse 'pg': TLS required (sslmode require or verify-full) but the server at ") == true)
        // prefer falls back to plain TCP, as libpq does.
        let warehouse = try await PostgresWarehouse.connect(name: "pg", settings: PostgresTestServer.settings(sslMode: .prefer))
        #expect(try await warehouse.queryRow(SQLStatement("SELECT 1")) == [.integer(1)])
        await warehouse.close()
    }

    func connectError(_ settings: PostgresSettings) async -> WarehouseError? {
        do {
            let warehouse = try await PostgresWarehouse.connect(name: "pg", settings: settings)
            await warehouse.close()
            return nil
        } catch {
            return error
        }
    }

    @Test func relationMissingInCatalogAndInAQuery() async throws {
        try await withTemporarySchema() { db in
            let fixture = project(schema: db.name, datasets: "  - name: nowhere\n    checks:\n      - volume: {}\n")
            let report = try await fixture.run()
            #expect(report.results.map(\.message) == ["table 'nowhere' not found in warehouse 'pg' (was it dropped or renamed upstream? check the dataset's 'name')"])
            let warehouse = try await PostgresWarehouse.connect(name: "pg", settings: PostgresTestServer.settings(schema: db.name))
            let error = await #expect(throws: WarehouseError.self) {
                _ = try await warehouse.queryRow(SQLStatement(#"SELECT count(*) FROM "\#(db.name)"."nowhere""#))
            }
            #expect(error?.description == #"warehouse 'pg': relation missing: relation "\#(db.name).nowhere" does not exist"#)
            await warehouse.close()
        }
    }

    @Test func statementTimeoutIsACheckErrorAndOtherChecksRun() async throws {
        try await withTemporarySchema() { db in
            try await db.execute(#"CREATE VIEW "\#(db.name)".slow AS SELECT 1 AS z, now() AS updated_at FROM pg_sleep(5)"#)
            try await db.table("orders", timestamps: [now])
            let fixture = project(schema: db.name, extra: "", datasets: """
                  - name: slow
                    checks:
                      - volume: {}
                  - name: orders
                    checks:
                      - volume: {}
                """)
            try fixture.project.directory.write("dqmon.yml", String(contentsOf: fixture.project.configURL, encoding: .utf8)
                .replacingOccurrences(of: "schema: \(db.name) }", with: "schema: \(db.name), statement_timeout: 1s }"))
            let report = try await fixture.run()
            #expect(report.results.map(\.status) == [.error, .pass])
            #expect(report.results[0].message == "query failed on slow: warehouse 'pg': statement timeout: the query ran longer than statement_timeout (1s)")
            #expect(report.exitCode == .monitoringBroken)
        }
    }

    @Test func connectionDroppedMidRunErrorsOneCheckAndTheRunGoesOn() async throws {
        try await withTemporarySchema() { db in
            try await db.execute(#"CREATE VIEW "\#(db.name)".slow AS SELECT 1 AS z FROM pg_sleep(300)"#)
            try await db.table("orders", timestamps: [now])
            let fixture = project(schema: db.name, datasets: """
                  - name: slow
                    checks:
                      - volume: {}
                  - name: orders
                    checks:
                      - volume: {}
                """)
            let killer = Task {
                // Wait for the slow query to start (a bounded number of looks, enough for a loaded CI machine: the query
                // sleeps longer than the looks last), then kill its backend from another connection.
                try await Poll.until(attempts: 3_000, every: .milliseconds(50)) {
                    let killed = try await db.session.rows(SQLStatement(
                        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'dqmon' AND query LIKE ?",
                        arguments: [.text("%\(db.name)\".\"slow%")]))
                    return killed.first?.first != .integer(0)
                }
            }
            let report = try await fixture.run(parallelism: 1)
            #expect(try await killer.value)
            #expect(report.results.map(\.status) == [.error, .pass])
            #expect(report.results[0].message.hasPrefix("query failed on slow: warehouse 'pg': connection dropped: the server at "))
        }
    }

    @Test func datasetsRunConcurrentlyAndResultsKeepConfigOrder() async throws {
        try await withTemporarySchema() { db in
            // Each view returns as many rows as dqmon sessions it sees running at once (waiting up to 10s for 4),
            // so a dataset's row count is the concurrency it observed.
            try await db.execute(#"""
                CREATE FUNCTION "\#(db.name)".concurrency(wanted int) RETURNS int LANGUAGE plpgsql AS $$
                DECLARE seen int := 0;
                BEGIN
                  FOR i IN 1..200 LOOP
                    PERFORM pg_stat_clear_snapshot();
                    SELECT count(*) INTO seen FROM pg_stat_activity
                      WHERE application_name = 'dqmon' AND state = 'active' AND query LIKE '%\#(db.name)%';
                    IF seen >= wanted THEN
                      PERFORM pg_sleep(0.5);  -- linger, so the others see the full count too
                      EXIT;
                    END IF;
                    PERFORM pg_sleep(0.05);
                  END LOOP;
                  RETURN seen;
                END $$;
                """#)
            var datasets = ""
            for index in 1...4 {
                try await db.execute(#"CREATE VIEW "\#(db.name)".v\#(index) AS SELECT g FROM generate_series(1, "\#(db.name)".concurrency(4)) AS g"#)
                datasets += "  - name: v\(index)\n    checks:\n      - volume: {}\n"
            }
            let fixture = project(schema: db.name, datasets: datasets)
            let report = try await fixture.run()
            #expect(report.results.map(\.checkID) == ["v1/volume", "v2/volume", "v3/volume", "v4/volume"])
            #expect(report.results.map(\.observed) == [4, 4, 4, 4])
        }
    }

    @Test func secretsNeverReachResultsOutputOrHistory() async throws {
        let real = try PostgresTestServer.url
        let password = try #require(real.password)
        var wrong = real
        wrong.password = "Wr0ng-\(UUID().uuidString)"
        let wrongURL = "postgres://\(wrong.user):\(wrong.password!)@\(wrong.host):\(wrong.port)/\(wrong.database)"
        let fixture = PostgresProjectFixture(warehouses: """
              pg: { type: postgres, url: "${DQMON_TEST_POSTGRES_URL}", sslmode: require }
              bad: { type: postgres, url: "${WRONG_URL}", sslmode: disable }
            """)
        fixture.checks("d.yml", """
            version: 1
            datasets:
              - name: orders
                checks:
                  - volume: {}
              - name: orders_copy
                warehouse: bad
                checks:
                  - volume: {}
            """)
        let report = try await fixture.run(environment: ["WRONG_URL": wrongURL])
        #expect(report.results.map(\.status) == [.error, .error])
        let texts = [RunReportRenderer.table(report), RunReportRenderer.json(report), RunReportRenderer.junit(report)]
            + report.warehouseErrors.map(\.description)
        let history = try Data(contentsOf: fixture.project.historyURL)
        for secret in [password, wrong.password!, "\(real.user):\(password)"] {
            for text in texts { #expect(!text.contains(secret)) }
            #expect(history.range(of: Data(secret.utf8)) == nil)
        }
        #expect(report.results[1].message.contains("wrong password"))
        #expect(report.results[1].message.contains(wrong.redacted))
    }

    @Test func checkCommandExitsThreeWhenOneWarehouseIsDownAndStillRunsTheOther() async throws {
        try await withTemporarySchema() { db in
            try await db.table("orders", timestamps: [now.addingTimeInterval(-60)])
            let port = PostgresTestServer.closedPort()
            let fixture = PostgresProjectFixture(warehouses: """
                  pg: { type: postgres, url: "${DQMON_TEST_POSTGRES_URL}", sslmode: disable, schema: \(db.name) }
                  down: { type: postgres, url: "postgres://dqmon:${DOWN_PASSWORD}@127.0.0.1:\(port)/dqmon", sslmode: disable }
                """)
            fixture.checks("d.yml", """
                version: 1
                datasets:
                  - name: orders_replica
                    warehouse: down
                    checks:
                      - volume: {}
                  - name: orders
                    checks:
                      - volume: { min_rows: 1 }
                      - freshness: { column: updated_at, warn_after: 1h }
                """)
            let output = try CommandLineRunner.run(["check", "--all", "--now", "2026-11-25T12:00:00Z", "--format", "json"],
                                                   in: fixture.project.root, environment: ["DOWN_PASSWORD": "pa55word-down"])
            #expect(output.status == 3)
            let results = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])["results"] as? [[String: Any]]
            #expect(results?.map { $0["status"] as? String } == ["error", "pass", "pass"])
            let password = try #require(PostgresTestServer.url.password)
            #expect(!(output.stdout + output.stderr).contains(password))
            #expect(!(output.stdout + output.stderr).contains("pa55word-down"))
            #expect(output.stdout.contains("server down or unreachable: connection refused by postgres://127.0.0.1:\(port)"))
        }
    }
}
