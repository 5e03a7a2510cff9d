import DQMon
import DQMonTestSupport
import Foundation
import Testing

/// `dqmon init` through the real binary on real SQLite (and PostgreSQL, below) warehouses.
struct InitCommandTests {
    static let now = "2026-11-25T12:00:00Z"

    static func file(_ fixture: ProjectFixture, _ path: String = "checks/main.yml") -> String {
        (try? String(contentsOf: fixture.directory.path(path), encoding: .utf8)) ?? ""
    }

    static func shop() throws -> ProjectFixture {
        let fixture = ProjectFixture()
        let warehouse = try fixture.warehouse()
        try warehouse.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, created_at TEXT, updated_at TEXT)")
        try warehouse.execute("INSERT INTO orders (created_at, updated_at) VALUES ('2026-11-20 10:00:00', '2026-11-25 10:00:00'), ('2026-11-21 10:00:00', '2026-11-24 09:00:00')")
        try warehouse.execute("CREATE TABLE events (ts TIMESTAMP, _etl_loaded_at DATETIME, kind TEXT)")
        try warehouse.execute("INSERT INTO events VALUES ('2026-11-25 11:00:00', '2026-11-25 11:30:00', 'click')")
        try warehouse.execute("CREATE TABLE plain (id INTEGER, name TEXT)")
        try warehouse.queue.close()
        return fixture
    }

    @Test func aStartingConfigForEveryTableThatValidatesAndRuns() throws {
        let fixture = try Self.shop()
        let output = try dqmon(["init", "--warehouse", "main"], in: fixture)
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout == "wrote checks/main.yml: 3 dataset(s) with schema and volume checks, 2 freshness check(s); default thresholds (--profile proposes them from the data)\n")
        let yaml = Self.file(fixture)
        #expect(yaml.contains("""
              - name: events
                checks:
                  - schema: { on_added: warn, on_removed: fail, on_type_changed: fail }
                  # default: the table must not be empty
                  - volume: { min_rows: 1 }
                  # default thresholds, not measured (dqmon init --profile proposes them from the data)
                  - freshness: { column: _etl_loaded_at, warn_after: 1d, error_after: 2d }
            """), "\(yaml)")
        #expect(yaml.contains("- freshness: { column: updated_at, warn_after: 1d, error_after: 2d }"), "update time over creation time")
        #expect(!yaml.contains("column: id") && !yaml.contains("column: name"))
        let validate = try dqmon(["validate"], in: fixture)
        #expect(validate.status == 0, "\(validate.stdout)\(validate.stderr)\n\(yaml)")
        // It runs: every check passes but the default "not empty" on the empty table, which fails (exit 1, not 3).
        let check = try dqmon(["check", "--all", "--now", Self.now, "--no-alerts", "--format", "json"], in: fixture)
        #expect(check.status == 1, "\(check.stdout)\(check.stderr)")
        let statuses = (check.checkResults ?? [:]).mapValues { $0["status"] as? String ?? "" }
        #expect(statuses.count == 8 && statuses.filter { $0.value != "pass" } == ["plain/volume": "fail"], "\(statuses)")
    }

    @Test func profileProposesThresholdsFromOneMeasurement() throws {
        let fixture = try Self.shop()
        let output = try dqmon(["init", "--warehouse", "main", "--profile", "--now", Self.now], in: fixture)
        #expect(output.status == 0, "\(output.stderr)")
        let yaml = Self.file(fixture)
        #expect(yaml.contains("      # latest row 2h old when generated\n      - freshness: { column: updated_at, warn_after: 4h, error_after: 8h }"), "\(yaml)")
        #expect(yaml.contains("      # latest row 30m old when generated\n      - freshness: { column: _etl_loaded_at, warn_after: 1h, error_after: 2h }"), "\(yaml)")
        #expect(yaml.contains("      # 2 rows when generated\n      - volume: { min_rows: 1, max_change: 50% }"), "\(yaml)")
        #expect(yaml.contains("      # table empty when generated\n      - volume: { min_rows: 0 }"), "\(yaml)")
        #expect(try dqmon(["validate"], in: fixture).status == 0)
        let check = try dqmon(["check", "--all", "--now", Self.now, "--no-alerts"], in: fixture)
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
    }

    @Test func nothingIsOverwrittenWithoutForce() throws {
        let fixture = try Self.shop()
        fixture.checks("main.yml", "version: 1\ndatasets: []\n# mine\n")
        let refused = try dqmon(["init", "--warehouse", "main"], in: fixture)
        #expect(refused.status == 3)
        #expect(refused.stderr == "dqmon: error: checks/main.yml exists; nothing was written: pass --force to replace it, or choose another --output\n")
        #expect(Self.file(fixture) == "version: 1\ndatasets: []\n# mine\n")
        let forced = try dqmon(["init", "--warehouse", "main", "--force"], in: fixture)
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(Self.file(fixture).contains("  - name: orders\n"))
        let elsewhere = try dqmon(["init", "--warehouse", "main", "--output", "../x.yml"], in: fixture)
        #expect(elsewhere.status == 3)
        let unknown = try dqmon(["init", "--warehouse", "mian"], in: fixture)
        #expect(unknown.stderr == "dqmon: error: --warehouse 'mian': no such warehouse in dqmon.yml (did you mean 'main'?); it has: main\n")
    }

    /// Hostile table and column names (quotes, spaces, `:`, `#`, `- `, `{`, `${`…) produce YAML that `dqmon validate`
    /// accepts, naming exactly the tables there are. Seeded; the seed is in the failure message.
    @Test(arguments: 0..<4)
    func hostileNamesRoundTripThroughValidate(round: Int) throws {
        let seed = UInt64(0x1417_0000 + round)
        var generator = ImportTestGenerator(seed: seed)
        let fixture = ProjectFixture()
        let warehouse = try fixture.warehouse()
        var names = Set<String>()
        while names.count < 12 {
            // No dots: a dataset name splits at its last dot into schema.table. No line breaks: SQLite keeps them,
            // but no one names tables so. Both are said in the README.
            let name = HostileText.make(using: &generator, maxPieces: 6).filter { $0 != "." && !$0.isNewline }
            guard !name.trimmingCharacters(in: .whitespaces).isEmpty, !name.lowercased().hasPrefix("sqlite_"),
                  !names.contains(where: { $0.lowercased() == name.lowercased() }) else { continue }
            names.insert(name)
            let column = HostileText.make(using: &generator, maxPieces: 4).filter { !$0.isNewline && $0 != "\"" } + "_at"
            try warehouse.execute("CREATE TABLE \"\(name.replacingOccurrences(of: "\"", with: "\"\""))\" (\"\(column)\" TIMESTAMP)")
        }
        try warehouse.queue.close()
        let output = try dqmon(["init", "--warehouse", "main"], in: fixture)
        #expect(output.status == 0, "seed \(seed): \(output.stderr)")
        let validate = try dqmon(["validate"], in: fixture)
        #expect(validate.status == 0, "seed \(seed): \(validate.stderr)\n\(Self.file(fixture))")
        let configuration = try ConfigLoader.load(configPath: fixture.configURL, environment: [:])
        #expect(Set(configuration.datasets.map(\.name)) == Set(names.map { $0.replacingOccurrences(of: "\u{feff}", with: "") }), "seed \(seed)")
    }
}

/// `dqmon init` on the real PostgreSQL: one schema's tables, named schema.table, with types the catalog reports.
@Suite(.enabled(if: PostgresTestServer.isAvailable,
                "DQMON_TEST_POSTGRES_URL is not set: run scripts/test, which starts a throwaway PostgreSQL 15 cluster"))
struct PostgresInitTests {
    @Test func readsOneSchemaAndProposesFromTheData() async throws {
        try await withTemporarySchema("init") { db in
            try await db.execute(#"CREATE TABLE "\#(db.name)".orders (id serial, status text, updated_at timestamptz, created_at timestamptz)"#)
            try await db.execute(#"INSERT INTO "\#(db.name)".orders (status, updated_at, created_at) VALUES ('ok', '2026-11-25T09:00:00Z', '2026-11-20T00:00:00Z')"#)
            try await db.execute(#"CREATE TABLE "\#(db.name)"."odd: #name" ("- weird {col}" text, modified timestamp)"#)
            let fixture = PostgresProjectFixture(warehouses: "  pg: { type: postgres, url: \"${DQMON_TEST_POSTGRES_URL}\", sslmode: disable }")
            let output = try dqmon(["init", "--warehouse", "pg", "--schema", db.name, "--profile", "--now", "2026-11-25T12:00:00Z"], in: fixture.project)
            #expect(output.status == 0, "\(output.stderr)")
            let yaml = (try? String(contentsOf: fixture.project.directory.path("checks/pg.yml"), encoding: .utf8)) ?? ""
            #expect(yaml.contains("  - name: \(db.name).orders\n"), "\(yaml)")
            #expect(yaml.contains("      # latest row 3h old when generated\n      - freshness: { column: updated_at, warn_after: 6h, error_after: 12h }"), "\(yaml)")
            #expect(yaml.contains("  - name: \"\(db.name).odd: #name\"\n"), "\(yaml)")
            #expect(yaml.contains("- freshness: { column: modified,"), "\(yaml)")
            let validate = try dqmon(["validate"], in: fixture.project)
            #expect(validate.status == 0, "\(validate.stderr)")
            let check = try dqmon(["check", "--all", "--now", "2026-11-25T12:00:00Z", "--no-alerts", "--format", "json"], in: fixture.project)
            #expect(check.status == 0 || check.status == 1, "\(check.stdout)\(check.stderr)")
            #expect(check.checkResults?["\(db.name).orders/freshness"]?["status"] as? String == "pass", "\(check.stdout)")
        }
    }
}

/// `dqmon init` on the real MariaDB: the database's tables, named database.table, datetime columns preferred.
@Suite(.enabled(if: MariaDBTestServer.isAvailable,
                "DQMON_TEST_MYSQL_URL is not set: run scripts/test, which starts a throwaway MariaDB server"))
struct MySQLInitTests {
    @Test func readsTheDatabasesTablesWithOneCatalogQuery() async throws {
        try await withTemporaryDatabase("init") { db in
            try await db.execute("CREATE TABLE orders (id int, note varchar(20), created_at datetime, updated_at datetime)")
            try await db.execute("INSERT INTO orders VALUES (1, 'x', '2026-11-20 00:00:00', '2026-11-25 11:00:00')")
            try await db.execute("CREATE TABLE `odd: #name` (`- weird {col}` text)")
            let fixture = MySQLProjectFixture(database: db.name)
            let output = try dqmon(["init", "--warehouse", "my", "--profile", "--now", "2026-11-25T12:00:00Z"], in: fixture.project)
            #expect(output.status == 0, "\(output.stderr)")
            let yaml = (try? String(contentsOf: fixture.project.directory.path("checks/my.yml"), encoding: .utf8)) ?? ""
            #expect(yaml.contains("  - name: \(db.name).orders\n"), "\(yaml)")
            #expect(yaml.contains("      # latest row 1h old when generated\n      - freshness: { column: updated_at, warn_after: 2h, error_after: 4h }"), "\(yaml)")
            #expect(yaml.contains("  - name: \"\(db.name).odd: #name\"\n"), "\(yaml)")
            let validate = try dqmon(["validate"], in: fixture.project)
            #expect(validate.status == 0, "\(validate.stderr)")
        }
    }
}
