import DQMon
import DQMonTestSupport
import Foundation
import Testing

/// Runs against the real MariaDB server that scripts/test starts (scripts/lib/mariadb-cluster.sh), through the
/// real `dqmon` binary. Each test works in its own database, so the tests can run in parallel.
@Suite(.enabled(if: MariaDBTestServer.isAvailable,
                "DQMON_TEST_MYSQL_URL is not set: run scripts/test, which starts a throwaway MariaDB server (Debian: mariadb-server, libmariadb3)"))
struct MySQLWarehouseTests {
    let now = ProjectFixture.now

    func statuses(_ output: CommandLineRunner.Output, _ ids: [String]) -> [String?] {
        ids.map { output.checkResults?[$0]?["status"] as? String }
    }

    func messages(_ output: CommandLineRunner.Output, _ ids: [String]) -> [String?] {
        ids.map { output.checkResults?[$0]?["message"] as? String }
    }

    @Test func freshnessVolumeSchemaAndSQLOnDatetimeTimestampEpochAndMixedCaseTables() async throws {
        try await withTemporaryDatabase { db in
            try await db.table("orders", type: "datetime(3)", timestamps: WarehouseFixture.spread(20, over: 3_600, endingAt: now.addingTimeInterval(-300)))
            try await db.table("events", type: "timestamp NULL", indexed: false, timestamps: WarehouseFixture.spread(5, over: 3_600, endingAt: now.addingTimeInterval(-8 * 3_600)))
            try await db.table("Order Lines", column: "UpdatedAt", type: "datetime", timestamps: [now.addingTimeInterval(-3 * 3_600)])
            try await db.execute("CREATE TABLE epochs (id int, loaded_at bigint, KEY (loaded_at))")
            try await db.execute("INSERT INTO epochs VALUES (1, \(Int(now.timeIntervalSince1970) - 600)), (2, \(Int(now.timeIntervalSince1970 - 7_200) * 1000))")
            let fixture = MySQLProjectFixture(database: db.name)
            fixture.checks("datasets.yml", """
                version: 1
                datasets:
                  - name: orders
                    checks:
                      - freshness: { column: updated_at, warn_after: 1h, error_after: 6h }
                      - volume: { min_rows: 10 }
                      - volume: { name: recent, window: 1d, column: updated_at, min_rows: 10 }
                      - schema: { contract: { id: bigint, updated_at: datetime } }
                  - name: \(db.name).events
                    checks:
                      - freshness: { column: updated_at, warn_after: 1h, error_after: 6h }
                      - volume: { name: recent, window: 1d, column: updated_at, min_rows: 10 }
                  - name: Order Lines
                    checks:
                      - freshness: { column: UpdatedAt, warn_after: 2h, error_after: 6h }
                  - name: epochs
                    checks:
                      - freshness: { column: loaded_at, warn_after: 1h }
                      - volume: { name: recent, window: 1h, column: loaded_at, min_rows: 1 }
                      - anomaly: { name: by_sql, sql: "SELECT count(*) FROM epochs WHERE id > 0" }
                """)
            let output = try fixture.check()
            let ids = ["orders/freshness", "orders/volume", "orders/volume/recent", "orders/schema",
                       "\(db.name).events/freshness", "\(db.name).events/volume/recent", "Order Lines/freshness",
                       "epochs/freshness", "epochs/volume/recent", "epochs/anomaly/by_sql"]
            #expect(statuses(output, ids) == ["pass", "pass", "pass", "pass", "fail", "fail", "warn", "pass", "pass", "skipped"], "\(output.stdout)\(output.stderr)")
            #expect(ids.map { output.checkResults?[$0]?["observed"] as? Double } == [300, 20, 20, 2, 8 * 3_600, 5, 3 * 3_600, 600, 1, 2])
            #expect(output.status == 1, "\(output.stderr)")
        }
    }

    /// The business-rule checks speak MySQL too: values read as text with `CAST(… AS CHAR)`, patterns with `REGEXP`.
    @Test func businessRuleChecksCountTheFailingRows() async throws {
        try await withTemporaryDatabase { db in
            try await db.execute("CREATE TABLE orders (id int PRIMARY KEY, status varchar(20), sku varchar(20), amount decimal(10,2))")
            try await db.execute("""
                INSERT INTO orders VALUES (1, 'paid', 'ABC-1', 10.50), (2, 'bogus', 'x', 20), (3, NULL, 'ABC-3', -1), (4, 'paid', 'ABC-4', 7)
                """)
            let fixture = MySQLProjectFixture(database: db.name)
            fixture.checks("datasets.yml", """
                version: 1
                datasets:
                  - name: orders
                    checks:
                      - accepted_values: { column: status, values: [paid, refunded] }
                      - missing: { column: status }
                      - pattern: { column: sku, regex: "^[A-Z]{3}-[0-9]+$" }
                      - range: { column: amount, min: 0, max: 100 }
                      - duplicates: { column: status }
                      - missing: { name: paid_only, column: status, where: "status = 'paid'" }
                """)
            let output = try fixture.check()
            let ids = ["orders/accepted_values", "orders/missing", "orders/pattern", "orders/range", "orders/duplicates",
                       "orders/missing/paid_only"]
            #expect(statuses(output, ids) == ["fail", "fail", "fail", "fail", "fail", "pass"], "\(output.stdout)\(output.stderr)")
            #expect(ids.map { output.checkResults?[$0]?["observed"] as? Double } == [1, 1, 1, 1, 1, 0])
            #expect(messages(output, ["orders/accepted_values"]) == ["1 of 4 rows (25%) have status outside [paid, refunded] (fail > 0); most frequent: 'bogus' (1)"])
        }
    }

    /// `dqmon backfill` floors its buckets with the dialect's integer conversion (`CAST(… AS SIGNED)`: MySQL 8 has no
    /// `CAST(… AS INTEGER)`), so hourly counts land in the right hour on MySQL and MariaDB alike.
    @Test func backfillCountsRowsPerHour() async throws {
        try await withTemporaryDatabase { db in
            // Three rows in the hour before now, one two hours before (each near the end of its hour, where rounding
            // instead of flooring would move it to the next bucket).
            let stamps = [now.addingTimeInterval(-100), now.addingTimeInterval(-200), now.addingTimeInterval(-300),
                          now.addingTimeInterval(-3_600 - 100)]
            try await db.table("events", type: "datetime", timestamps: stamps)
            let fixture = MySQLProjectFixture(database: db.name)
            fixture.checks("datasets.yml", """
                version: 1
                datasets:
                  - name: events
                    checks:
                      - volume: { min_rows: 1 }
                """)
            let output = try dqmon(["backfill", "events", "--column", "updated_at", "--days", "1", "--interval", "1h",
                                    "--now", ISO8601.string(from: now)], in: fixture.project)
            #expect(output.status == 0, "\(output.stdout)\(output.stderr)")
            let points = try HistoryStore(path: fixture.project.historyURL).metricSeries(
                [HistoryStore.SeriesKey(dataset: "events", metric: "row_count_1h"): now.addingTimeInterval(-86_400)])
            let series = points.values.first ?? []
            #expect(series.suffix(2).map(\.value) == [1, 3], "\(series.suffix(3))")
        }
    }

    @Test func anomalyOnDailyVolumeFlagsTheSpikeAfterItsHistory() async throws {
        try await withTemporaryDatabase { db in
            try await db.table("events", column: "created_at", timestamps: [])
            let fixture = MySQLProjectFixture(database: db.name)
            fixture.checks("events.yml", """
                version: 1
                datasets:
                  - name: events
                    checks:
                      - anomaly: { metric: row_count_1d, column: created_at, min_history: 4 }
                """)
            var statuses: [String?] = []
            for (day, count) in [100, 104, 98, 101, 99, 400].enumerated() {
                let dayEnd = now.addingTimeInterval(Double(day) * 86_400)
                let stamp = WarehouseFixture.text(dayEnd.addingTimeInterval(-3_600))
                try await db.execute("INSERT INTO events (created_at) SELECT '\(stamp)' FROM seq_1_to_\(count)")
                let output = try fixture.check(now: dayEnd)
                statuses.append(output.checkResults?["events/anomaly"]?["status"] as? String)
            }
            #expect(statuses == ["skipped", "skipped", "skipped", "skipped", "pass", "fail"])
        }
    }

    /// The planner's statement for freshness and a windowed count reads the column's index: `max` is answered from
    /// the index alone ("Select tables optimized away") and the window is a range scan on it, never a full scan.
    @Test func explainShowsIndexUseForFreshnessAndWindowedCounts() async throws {
        try await withTemporaryDatabase { db in
            try await db.execute("CREATE TABLE orders (id bigint AUTO_INCREMENT PRIMARY KEY, note varchar(50), updated_at datetime(6), loaded_at bigint, KEY by_updated (updated_at), KEY by_loaded (loaded_at))")
            try await db.execute("""
                INSERT INTO orders (note, updated_at, loaded_at)
                SELECT 'x', TIMESTAMPADD(SECOND, -seq * 37, '2026-11-25 12:00:00'), \(Int(now.timeIntervalSince1970)) - seq * 37 FROM seq_1_to_20000
                """)
            try await db.execute("ANALYZE TABLE orders")
            let warehouse = try await MySQLWarehouse.connect(name: "my", settings: MariaDBTestServer.settings(database: db.name))
            let table = TableName(parsing: "orders")
            let catalog = try await warehouse.catalog(for: [table])
            #expect(catalog.indexedColumns[table] == ["id", "updated_at", "loaded_at"])
            for column in ["updated_at", "loaded_at"] {
                let query = MetricQuery(table: table, metrics: [.maxTimestamp(column: column), .windowedCount(column: column, window: Interval(seconds: 3_600))],
                                        dialect: warehouse.dialect, now: now, timeZone: TimeZone(identifier: "UTC")!,
                                        columns: catalog.timestampColumns(of: table))
                let statement = try #require(query.statement)
                let plan = try await warehouse.queryRows(SQLStatement("EXPLAIN " + statement.sql, arguments: statement.arguments))
                let text = plan.map { $0.map(\.description).joined(separator: " | ") }.joined(separator: "\n")
                #expect(text.contains("Select tables optimized away"), "\(column):\n\(text)")
                #expect(text.contains("by_\(column.prefix(while: { $0 != "_" }) == "updated" ? "updated" : "loaded")"), "\(column):\n\(text)")
                #expect(!plan.contains { $0.count > 3 && $0[3] == .text("ALL") }, "a full scan for \(column):\n\(text)")
                let values = try await warehouse.queryRow(statement)
                #expect(values[0].double == now.timeIntervalSince1970 - 37, "\(column): \(values)")
                #expect(values[1].double == 97, "\(column): \(values)")
            }
            await warehouse.close()
        }
    }

    /// One run, four broken warehouses and a working one: each broken one is one line naming it, the working
    /// one is still checked, exit 3, and no password reaches the output or the history.
    @Test func faultsAreOneLineEachAndTheOtherWarehousesStillRun() async throws {
        try await withTemporaryDatabase { db in
            try await db.table("orders", timestamps: [now.addingTimeInterval(-60)])
            try await db.execute("CREATE VIEW slow AS SELECT SLEEP(5) AS z, now() AS updated_at")
            let port = PostgresTestServer.closedPort()
            let url = try MariaDBTestServer.url
            let password = try #require(url.password)
            let wrongPassword = "Wr0ng-\(UUID().uuidString)"
            let fixture = MySQLProjectFixture(database: db.name, warehouses: """
                  down: { type: mysql, url: "mysql://dqmon:${DOWN_PASSWORD}@127.0.0.1:\(port)/dqmon", ssl_mode: disabled }
                  wrongpw: { type: mysql, url: "mysql://\(url.user):${WRONG_PASSWORD}@\(url.host):\(url.port)/\(db.name)", ssl_mode: disabled }
                  nodb: { type: mysql, url: "${NODB_URL}", ssl_mode: disabled }
                  timed: { type: mysql, url: "${MY_URL}", ssl_mode: disabled, statement_timeout: 1s }
                  tls: { type: mysql, url: "${MY_URL}", ssl_mode: required }
                """)
            var datasets = "version: 1\ndatasets:\n"
            for warehouse in ["down", "wrongpw", "nodb", "tls"] {
                datasets += "  - name: orders_\(warehouse)\n    warehouse: \(warehouse)\n    checks:\n      - volume: {}\n"
            }
            datasets += "  - name: slow\n    warehouse: timed\n    checks:\n      - volume: {}\n"
            datasets += "  - name: orders\n    checks:\n      - volume: { min_rows: 1 }\n      - freshness: { column: updated_at, warn_after: 1h }\n"
            fixture.checks("d.yml", datasets)
            let output = try fixture.check(environment: [
                "DOWN_PASSWORD": "pa55word-down", "WRONG_PASSWORD": wrongPassword,
                "NODB_URL": "mysql://\(url.user):\(password)@\(url.host):\(url.port)/nope_\(db.name)",
            ])
            #expect(output.status == 3, "\(output.stderr)")
            let ids = ["orders_down/volume", "orders_wrongpw/volume", "orders_nodb/volume", "orders_tls/volume", "slow/volume", "orders/volume", "orders/freshness"]
            #expect(statuses(output, ids) == ["error", "error", "error", "error", "error", "pass", "pass"], "\(output.stdout)")
            let endpoint = url.redacted
            #expect(messages(output, Array(ids.prefix(5))) == [
                "warehouse 'down': server down or unreachable: connection refused by mysql://127.0.0.1:\(port)",
                "warehouse 'wrongpw': wrong password for user '\(url.user)' at \(endpoint) (access denied; check the password in 'url', and that the user may connect from this host)",
                "warehouse 'nodb': database not found at \(endpoint): Unknown database 'nope_\(db.name)' (check the database in 'url')",
                "warehouse 'tls': TLS required (ssl_mode required) but the server at \(endpoint) does not offer TLS (use ssl_mode: preferred or disabled, or enable TLS on the server)",
                "query failed on slow: warehouse 'timed': statement timeout: the query ran longer than statement_timeout (1s)",
            ])
            let history = try Data(contentsOf: fixture.project.historyURL)
            for secret in [password, wrongPassword, "pa55word-down"] {
                #expect(!(output.stdout + output.stderr).contains(secret))
                #expect(history.range(of: Data(secret.utf8)) == nil)
            }

            // A table dropped between runs: its checks error with one line, the rest still pass.
            try await db.execute("DROP TABLE orders")
            try await db.table("orders_replica", timestamps: [now])
            let after = MySQLProjectFixture(database: db.name)
            after.checks("d.yml", "version: 1\ndatasets:\n  - name: orders\n    checks:\n      - volume: {}\n  - name: orders_replica\n    checks:\n      - volume: {}\n")
            let dropped = try after.check()
            #expect(dropped.status == 3)
            #expect(statuses(dropped, ["orders/volume", "orders_replica/volume"]) == ["error", "pass"])
            #expect(messages(dropped, ["orders/volume"]) == ["table 'orders' not found in warehouse 'my' (was it dropped or renamed upstream? check the dataset's 'name')"])
        }
    }

    /// A table dropped after the catalog was read: the query's own error names the warehouse and the table.
    @Test func relationMissingInAQuery() async throws {
        try await withTemporaryDatabase { db in
            let warehouse = try await MySQLWarehouse.connect(name: "my", settings: MariaDBTestServer.settings(database: db.name))
            let error = await #expect(throws: WarehouseError.self) {
                _ = try await warehouse.queryRow(SQLStatement("SELECT count(*) FROM `\(db.name)`.`nowhere`"))
            }
            #expect(error?.description == "warehouse 'my': relation missing: Table '\(db.name).nowhere' doesn't exist")
            // The session survives a failed statement.
            #expect(try await warehouse.queryRow(SQLStatement("SELECT ? + 1", arguments: [.integer(41)])) == [.integer(42)])
            await warehouse.close()
        }
    }

    /// Runs blocking work (waiting for the dqmon process) on a thread of its own, not on the cooperative pool.
    static func onOwnThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try work() }) }.start()
        }
    }

    @Test func connectionKilledMidRunErrorsOneCheckAndTheRunGoesOn() async throws {
        try await withTemporaryDatabase { db in
            try await db.execute("CREATE VIEW slow AS SELECT SLEEP(300) AS z")
            try await db.table("orders", timestamps: [now])
            let fixture = MySQLProjectFixture(database: db.name)
            fixture.checks("d.yml", "version: 1\ndatasets:\n  - name: slow\n    checks:\n      - volume: {}\n  - name: orders\n    checks:\n      - volume: {}\n")
            let killer = Task {
                // Wait for the slow query to start (a bounded number of looks, enough for a loaded CI machine to start
                // the binary: the query sleeps longer than the looks last), then kill its connection from another.
                try await Poll.until(attempts: 3_000, every: .milliseconds(50)) {
                    let ids = try await db.rows("SELECT id FROM information_schema.processlist WHERE info LIKE ? AND id <> CONNECTION_ID()",
                                                [.text("%`\(db.name)`.`slow`%")])
                    for row in ids { if case .integer(let id) = row.first { try await db.execute("KILL CONNECTION \(id)") } }
                    return !ids.isEmpty
                }
            }
            // The binary is waited for on a thread of its own: a blocking wait on this task's cooperative thread (there
            // are as many as cores, two here) left the killer task no thread to run on while the suite ran in parallel.
            let output = try await Self.onOwnThread { try fixture.check(arguments: ["--parallel", "1"]) }
            #expect(try await killer.value)
            #expect(output.status == 3, "\(output.stderr)")
            #expect(statuses(output, ["slow/volume", "orders/volume"]) == ["error", "pass"], "\(output.stdout)")
            let message = messages(output, ["slow/volume"])[0] ?? ""
            #expect(message.hasPrefix("query failed on slow: warehouse 'my': connection dropped: the server at "), "\(message)")
        }
    }

    /// A user's `sql:` runs read-only: a SELECT calling a writing function fails in the read-only transaction, a
    /// statement without a result set is refused before it runs, and a read in the same run still works.
    @Test func userSQLIsReadOnly() async throws {
        try await withTemporaryDatabase { db in
            try await db.table("orders", timestamps: [now])
            try await db.execute("CREATE FUNCTION bump() RETURNS int MODIFIES SQL DATA BEGIN UPDATE orders SET id = id + 100; RETURN 1; END")
            let fixture = MySQLProjectFixture(database: db.name)
            fixture.checks("d.yml", """
                version: 1
                datasets:
                  - name: orders
                    checks:
                      - anomaly: { name: writes, sql: "SELECT bump()" }
                      - anomaly: { name: into, sql: "SELECT count(*) INTO @n FROM orders" }
                      - anomaly: { name: reads, sql: "SELECT count(*) FROM orders" }
                """)
            let output = try fixture.check()
            let ids = ["orders/anomaly/writes", "orders/anomaly/into", "orders/anomaly/reads"]
            #expect(statuses(output, ids) == ["error", "error", "skipped"], "\(output.stdout)\(output.stderr)")
            let texts = messages(output, ids).map { $0 ?? "" }
            #expect(texts[0].contains("dqmon runs every statement in a read-only transaction, so a check's sql: may only read"), "\(texts[0])")
            #expect(texts[1].contains("sql: must be a query that returns rows"), "\(texts[1])")
            #expect(try await db.rows("SELECT max(id) FROM orders") == [[.integer(1)]])
            // The same through the warehouse: SET is refused unrun, and dqmon's own statements are read-only too.
            let warehouse = try await MySQLWarehouse.connect(name: "my", settings: MariaDBTestServer.settings(database: db.name))
            let set = await #expect(throws: WarehouseError.self) {
                _ = try await warehouse.queryRows(SQLStatement("SET SESSION TRANSACTION READ WRITE", isUserSQL: true))
            }
            #expect(set?.description.contains("sql: must be a query that returns rows") == true, "\(String(describing: set))")
            let dqmonWrite = await #expect(throws: WarehouseError.self) {
                _ = try await warehouse.queryRow(SQLStatement("SELECT bump()"))
            }
            #expect(dqmonWrite?.description.contains("read-only transaction") == true, "\(String(describing: dqmonWrite))")
            #expect(try await db.rows("SELECT max(id) FROM orders") == [[.integer(1)]])
            await warehouse.close()
        }
    }

    @Test func serverThatNeverAnswersTimesOutInsteadOfHanging() async throws {
        let listener = PostgresTestServer.silentListener()
        defer { close(listener.descriptor) }
        let fixture = MySQLProjectFixture(database: "dqmon", warehouses: """
              hung: { type: mysql, url: "mysql://dqmon:${HUNG_PASSWORD}@127.0.0.1:\(listener.port)/dqmon", connect_timeout: 1s }
            """)
        fixture.checks("d.yml", "version: 1\ndatasets:\n  - name: orders\n    warehouse: hung\n    checks:\n      - volume: {}\n")
        let output = try fixture.check(environment: ["HUNG_PASSWORD": "pa55-hung"])
        #expect(output.status == 3)
        #expect(messages(output, ["orders/volume"]) == ["warehouse 'hung': server down or unreachable: no answer from mysql://127.0.0.1:\(listener.port) within connect_timeout (1s)"])
    }

    @Test func unixSocketAndBoundValuesOfEveryType() async throws {
        let socket = try #require(MariaDBTestServer.socket, "DQMON_TEST_MYSQL_SOCKET is not set")
        var settings = try MariaDBTestServer.settings()
        settings.url.socket = socket
        settings.url.host = "localhost"
        let warehouse = try await MySQLWarehouse.connect(name: "sock", settings: settings)
        let long = String(repeating: "é", count: 70_000)
        let row = try await warehouse.queryRow(SQLStatement(
            "SELECT ?, ?, ?, ?, CAST(? AS DECIMAL(12,2)), 18446744073709551615, CAST(2.5 AS DOUBLE), ?, 'it''s ?', CHAR_LENGTH(?)",
            arguments: [.integer(.max), .real(-0.5), .text("O'Brien; DROP TABLE x"), .null, .text("12.50"), .text(long), .text("ü")]))
        #expect(row == [.integer(.max), .real(-0.5), .text("O'Brien; DROP TABLE x"), .null, .real(12.5), .real(18446744073709551615),
                        .real(2.5), .text(long), .text("it's ?"), .integer(1)])
        await warehouse.close()
    }
}
