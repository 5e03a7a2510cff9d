import DQMon
import DQMonTestSupport
import Foundation
import Testing

/// Every statement dqmon sends to a warehouse only reads: a `sql:` that tries to write is that check's `error`
/// and changes nothing. Driven through `dqmon check` on a real SQLite file and the real PostgreSQL.
struct ReadOnlyWarehouseTests {
    /// Write attempts that pass `validate` (they start with `select` or `with`), one check each.
    static let sqliteAttempts = [
        "with x as (select 1) delete from victim returning 1",
        "with x as (select 1) insert into victim (v) values (99) returning 1",
        "with x as (select 1) update victim set v = 0 returning 1",
        "with x as (select 1) replace into victim (id, v) values (1, 0) returning 1",
        "select count(*) from victim; delete from victim",
        "select 1; drop table victim",
        "select 1; pragma user_version = 7",
        "select 1; attach database 'other.sqlite' as other",
        "select 1; vacuum",
    ]

    static func checks(_ attempts: [String]) -> String {
        var yaml = "version: 1\ndatasets:\n  - name: victim\n    checks:\n"
        for (index, sql) in attempts.enumerated() {
            yaml += "      - anomaly: { name: w\(index), sql: \"\(sql)\", min_history: 1 }\n"
        }
        return yaml
    }

    /// `check_id` → (status, message) from `dqmon check --format json`.
    static func statuses(_ output: CommandLineRunner.Output) throws -> [String: (String, String)] {
        let document = try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any]
        var statuses: [String: (String, String)] = [:]
        for result in document?["results"] as? [[String: Any]] ?? [] {
            statuses[result["check_id"] as? String ?? ""] = (result["status"] as? String ?? "", result["message"] as? String ?? "")
        }
        return statuses
    }

    @Test func sqliteWriteAttemptsAreCheckErrorsAndChangeNothing() throws {
        let fixture = ProjectFixture()
        let warehouse = try fixture.warehouse()
        try warehouse.execute("CREATE TABLE victim (id INTEGER PRIMARY KEY, v INTEGER)")
        try warehouse.execute("INSERT INTO victim (v) VALUES (1), (2), (3)")
        try warehouse.execute("PRAGMA user_version = 1")
        try warehouse.queue.close()
        let before = try Data(contentsOf: fixture.warehouseURL)
        fixture.checks("victim.yml", Self.checks(Self.sqliteAttempts))
        let output = try CommandLineRunner.run(["check", "--all", "--format", "json", "--now", "2026-11-25T12:00:00Z"], in: fixture.root)
        let statuses = try Self.statuses(output)
        #expect(statuses.count == Self.sqliteAttempts.count, "\(output.stdout)\n\(output.stderr)")
        for (index, sql) in Self.sqliteAttempts.enumerated() {
            #expect(statuses["victim/anomaly/w\(index)"]?.0 == "error", "\(sql): \(String(describing: statuses["victim/anomaly/w\(index)"]))")
        }
        #expect(try Data(contentsOf: fixture.warehouseURL) == before, "the warehouse file changed")
        #expect(!FileManager.default.fileExists(atPath: fixture.directory.path("other.sqlite").path))
    }
}

/// The same on PostgreSQL, including tricks that defeat a session-level read-only setting.
@Suite(.enabled(if: PostgresTestServer.isAvailable,
                "DQMON_TEST_POSTGRES_URL is not set: run scripts/test, which starts a throwaway PostgreSQL 15 cluster"))
struct PostgresReadOnlyTests {
    /// `S.` is the test's schema.
    static let attempts = [
        "with d as (delete from S.victim returning 1) select count(*) from d",
        "with d as (insert into S.victim (v) values (99) returning 1) select count(*) from d",
        "with d as (update S.victim set v = 0 returning 1) select count(*) from d",
        "with x as (select 1) delete from S.victim returning 1",
        "select set_config('default_transaction_read_only', 'off', false)",
        "select set_config('transaction_read_only', 'off', false)",
        "with d as (delete from S.victim returning 1) select count(*) from d",
        "select nextval('S.victim_id_seq')",
        "select S.wipe_victim()",
        "select 1; delete from S.victim",
        "select 1; commit; delete from S.victim",
        "select count(*) from S.victim for update",
        "select lo_create(0)",
    ]

    @Test func writeAttemptsAreCheckErrorsAndChangeNothing() async throws {
        try await withTemporarySchema("ro") { db in
            try await db.execute(#"CREATE TABLE "\#(db.name)".victim (id serial PRIMARY KEY, v integer)"#)
            try await db.execute(#"INSERT INTO "\#(db.name)".victim (v) VALUES (1), (2), (3)"#)
            try await db.execute(#"""
                CREATE FUNCTION "\#(db.name)".wipe_victim() RETURNS bigint LANGUAGE sql AS
                $$ WITH d AS (DELETE FROM "\#(db.name)".victim RETURNING 1) SELECT count(*) FROM d $$
                """#)
            let fixture = PostgresProjectFixture(warehouses: """
                  pg: { type: postgres, url: "${DQMON_TEST_POSTGRES_URL}", sslmode: disable, schema: \(db.name), max_connections: 1 }
                """)
            let attempts = Self.attempts.map { $0.replacingOccurrences(of: "S.", with: db.name + ".") }
            fixture.checks("victim.yml", ReadOnlyWarehouseTests.checks(attempts))
            let output = try CommandLineRunner.run(["check", "--all", "--format", "json", "--now", "2026-11-25T12:00:00Z"], in: fixture.project.root)
            let statuses = try ReadOnlyWarehouseTests.statuses(output)
            #expect(statuses.count == attempts.count, "\(output.stdout)\n\(output.stderr)")
            for (index, sql) in attempts.enumerated() where !sql.hasPrefix("select set_config") {
                #expect(statuses["victim/anomaly/w\(index)"]?.0 == "error", "\(sql): \(String(describing: statuses["victim/anomaly/w\(index)"]))")
            }
            let count = try await db.session.rows(SQLStatement(#"SELECT count(*), sum(v), (SELECT last_value FROM "\#(db.name)".victim_id_seq) FROM "\#(db.name)".victim"#))
            #expect(count.first == [.integer(3), .integer(6), .integer(3)], "the victim table changed: \(count)")
            #expect(output.stderr.contains("read-only transaction") || output.stdout.contains("read-only transaction"))
        }
    }

    /// Statements dqmon writes itself run in one round trip on sessions whose every transaction is read-only,
    /// including after a user's `sql:` tried to switch that off on the same (only) session.
    @Test func warehouseSessionsAreReadOnlyForEveryStatement() async throws {
        try await withTemporarySchema("ro") { db in
            try await db.execute(#"CREATE TABLE "\#(db.name)".victim (id serial PRIMARY KEY, v integer)"#)
            try await db.execute(#"INSERT INTO "\#(db.name)".victim (v) VALUES (1)"#)
            let warehouse = try await PostgresWarehouse.connect(name: "pg", settings: PostgresTestServer.settings(schema: db.name, maxConnections: 1))
            let user = SQLStatement("select set_config('default_transaction_read_only', 'off', false)", isUserSQL: true)
            _ = try? await warehouse.queryRow(user)
            for sql in [#"with d as (delete from "\#(db.name)".victim returning 1) select count(*) from d"#,
                        #"select nextval('"\#(db.name)".victim_id_seq')"#] {
                do {
                    _ = try await warehouse.queryRow(SQLStatement(sql))
                    Issue.record("a write went through: \(sql)")
                } catch {
                    #expect(String(describing: error).contains("read-only transaction"), "\(error)")
                }
            }
            let left = try await db.session.rows(SQLStatement(#"SELECT count(*) FROM "\#(db.name)".victim"#))
            #expect(left.first == [.integer(1)])
            await warehouse.close()
        }
    }
}
