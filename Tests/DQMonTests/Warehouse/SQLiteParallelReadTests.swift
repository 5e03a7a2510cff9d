@testable import DQMon
import DQMonTestSupport
import Foundation
import GRDB
import Testing

/// SQLite warehouses read with several connections at once (`max_connections`, `--parallel`): the output, the JSON
/// and the history rows are those of `--parallel 1`, and every refusal and failure stays the check's own. Driven
/// through `dqmon check` on real SQLite files.
struct SQLiteParallelReadTests {
    static let firstRun = "2026-11-25T12:00:00Z"
    static let secondRun = "2026-11-25T13:00:00Z"
    /// Columns that measure the run rather than the data.
    static let timingColumns: Set<String> = ["started_at", "finished_at", "query_ms"]

    /// A random warehouse and checks: tables of 0-80 rows (some empty, some indexed), each dataset a random mix of
    /// check types, plus a dataset whose table is missing and one whose `sql:` tries to write.
    static func makeProject(seed: UInt64, projectYAML: String? = nil) throws -> ProjectFixture {
        var random = SeededRandom(seed: seed)
        let fixture = ProjectFixture(projectYAML: projectYAML)
        let warehouse = try fixture.warehouse()
        let now = ProjectFixture.now
        var yaml = "version: 1\ndatasets:\n"
        let tableCount = Int.random(in: 8...16, using: &random)
        for index in 0..<tableCount {
            let table = String(format: "t%02d", index)
            try warehouse.execute("CREATE TABLE \(table) (id INTEGER PRIMARY KEY, amount REAL, status TEXT, created_at TEXT, updated_at TEXT)")
            if Bool.random(using: &random) { try warehouse.execute("CREATE INDEX \(table)_updated ON \(table)(updated_at)") }
            for _ in 0..<Int.random(in: 0...80, using: &random) {
                let created = now.addingTimeInterval(-Double.random(in: 60...(3 * 86_400), using: &random))
                let status = ["paid", "void", "bad", nil].randomElement(using: &random)!
                try warehouse.execute("INSERT INTO \(table) (amount, status, created_at, updated_at) VALUES (?, ?, ?, ?)",
                                      [Double.random(in: -5...60, using: &random).rounded(), status,
                                       WarehouseFixture.text(created), WarehouseFixture.text(created.addingTimeInterval(30))])
            }
            yaml += "  - name: \(table)\n    checks:\n"
            var checks = [
                "- freshness: { column: updated_at, warn_after: \(Int.random(in: 1...6, using: &random))h, error_after: 1d }",
                "- volume: { min_rows: \(Int.random(in: 0...60, using: &random)), max_change: 20% }",
                "- volume: { name: daily, window: 1d, column: created_at, min_rows: \(Int.random(in: 0...30, using: &random)) }",
                "- accepted_values: { column: status, values: [paid, void] }",
                "- range: { column: amount, min: 0, max: 50 }",
                "- pattern: { column: status, regex: '^p' }",
                "- duplicates: { column: status }",
                "- missing: { column: status }",
                "- anomaly: { name: big, sql: \"select count(*) from \(table) where amount > 10\", min_history: 1 }",
            ]
            checks.shuffle(using: &random)
            for check in checks.prefix(Int.random(in: 1...checks.count, using: &random)) { yaml += "      \(check)\n" }
        }
        yaml += "  - name: missing_table\n    checks:\n      - volume: { min_rows: 1 }\n"
        try warehouse.execute("CREATE TABLE victim (id INTEGER PRIMARY KEY, v INTEGER)")
        yaml += "  - name: victim\n    checks:\n      - anomaly: { name: write, sql: \"with x as (select 1) delete from victim returning 1\", min_history: 1 }\n"
        try warehouse.queue.close()
        fixture.checks("random.yml", yaml)
        return fixture
    }

    /// Two runs on a fresh history (the second sees the first's results: max_change, anomaly, incidents), as
    /// `--parallel parallel` (nil: the default): the JSON of the first without timings, the text of the second,
    /// the exit codes, and every history row without timing columns.
    static func runTwice(_ fixture: ProjectFixture, parallel: String?) throws -> [String] {
        try? FileManager.default.removeItem(at: fixture.historyURL.deletingLastPathComponent())
        let flags = parallel.map { ["--parallel", $0] } ?? []
        let first = try dqmon(["check", "--all", "--format", "json", "--now", firstRun] + flags, in: fixture)
        let second = try dqmon(["check", "--all", "--now", secondRun] + flags, in: fixture)
        return ["exit \(first.status) \(second.status)", withoutTimings(json: first.stdout), second.stdout,
                first.stderr, second.stderr] + (try historyRows(fixture.historyURL))
    }

    /// The JSON document with every timing key removed, keys sorted.
    static func withoutTimings(json: String) -> String {
        func strip(_ value: Any) -> Any {
            if let object = value as? [String: Any] {
                return object.filter { !timingColumns.contains($0.key) }.mapValues(strip)
            }
            if let array = value as? [Any] { return array.map(strip) }
            return value
        }
        guard let document = try? JSONSerialization.jsonObject(with: Data(json.utf8)),
              let data = try? JSONSerialization.data(withJSONObject: strip(document), options: [.sortedKeys]) else { return "not JSON: " + json }
        return String(decoding: data, as: UTF8.self)
    }

    /// Every row of every history table, in storage order, without timing columns.
    static func historyRows(_ url: URL) throws -> [String] {
        var configuration = GRDB.Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(path: url.path, configuration: configuration)
        defer { try? queue.close() }
        return try queue.read { db in
            var lines: [String] = []
            let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
            for table in tables {
                for row in try Row.fetchAll(db, sql: "SELECT * FROM \"\(table)\"") {
                    let cells = row.columnNames.filter { !timingColumns.contains($0) }.map { "\($0)=\(row[$0] as DatabaseValue)" }
                    lines.append("\(table): " + cells.joined(separator: " "))
                }
            }
            return lines
        }
    }

    static func firstDifference(_ lines: [String], _ serial: [String]) -> String {
        for (line, expected) in zip(lines, serial) where line != expected { return "\(line)\n  serial:\n\(expected)" }
        return "\(lines.count) lines, serial \(serial.count)"
    }

    static func seeds() -> [UInt64] {
        if let seed = UInt64(ProcessInfo.processInfo.environment["DQMON_TEST_SEED"] ?? "") { return [seed] }
        return [20_261_130, 7, 424_242]
    }

    @Test func parallelRunsPrintAndRecordExactlyWhatASerialRunDoes() throws {
        for seed in Self.seeds() {
            let fixture = try Self.makeProject(seed: seed)
            let serial = try Self.runTwice(fixture, parallel: "1")
            #expect(serial[0] != "exit 0 0", "seed \(seed) (DQMON_TEST_SEED): \(serial.prefix(5))")  // the missing table errors
            #expect(serial[1].contains("\"status\":\"error\""), "seed \(seed): \(serial[1])")
            #expect(serial.count > 20, "seed \(seed): history has rows")
            for parallel in ["3", nil] {
                let other = try Self.runTwice(fixture, parallel: parallel)
                #expect(other == serial, "seed \(seed) (DQMON_TEST_SEED), --parallel \(parallel ?? "default"): \(Self.firstDifference(other, serial))")
            }
        }
    }

    @Test func maxConnectionsSetsTheParallelismAndGivesTheSameAnswers() throws {
        let seed: UInt64 = Self.seeds()[0]
        let project = """
            version: 1
            warehouses:
              main: { type: sqlite, path: warehouse.sqlite, max_connections: 5, busy_timeout: 2s }
            default_warehouse: main
            history: { path: .dqmon/history.sqlite }
            """
        let fixture = try Self.makeProject(seed: seed, projectYAML: project)
        let configured = try Self.runTwice(fixture, parallel: nil)
        let serial = try Self.runTwice(fixture, parallel: "1")
        #expect(configured == serial, "seed \(seed) (DQMON_TEST_SEED)")
        let settings = try #require(fixture.load().project.warehouse(named: "main")?.settings as? SQLiteSettings)
        #expect(settings.defaultParallelism == 5)
        #expect(SQLiteSettings(path: fixture.warehouseURL).defaultParallelism
                == min(4, ProcessInfo.processInfo.activeProcessorCount))
    }

    /// `max_connections:` is bounded and worded exactly as PostgreSQL's: one `file:line:column` line (and the
    /// count), exit 3, for `validate` and for `check`.
    @Test func badMaxConnectionsIsOneLineNamingItsPlace() throws {
        for value in ["0", "101", "-1", "abc", "2.5", "99999999999999999999", "\"\""] {
            let fixture = ProjectFixture(projectYAML: """
                version: 1
                warehouses:
                  main: { max_connections: \(value), type: sqlite, path: warehouse.sqlite }
                default_warehouse: main
                history: { path: .dqmon/history.sqlite }
                """)
            _ = try fixture.warehouse()
            fixture.checks("a.yml", "version: 1\ndatasets:\n  - name: a\n    checks:\n      - volume: { min_rows: 0 }\n")
            let postgres = ProjectFixture(projectYAML: """
                version: 1
                warehouses:
                  main: { max_connections: \(value), type: postgres, url: "postgres://u@h/d" }
                default_warehouse: main
                history: { path: .dqmon/history.sqlite }
                """)
            postgres.checks("a.yml", "version: 1\ndatasets:\n  - name: a\n    checks:\n      - volume: { min_rows: 0 }\n")
            for command in [["validate"], ["check", "--all", "--now", Self.firstRun]] {
                let output = try dqmon(command, in: fixture)
                let lines = output.stderr.split(separator: "\n")
                #expect(output.status == 3, "\(value) \(command): \(output.stderr)")
                #expect(lines.count == 2 && lines[0].hasPrefix("dqmon.yml:3:28: 'max_connections' must be")
                        && lines[1] == "dqmon: error: 1 configuration error; nothing was run", "\(value) \(command): \(output.stderr)")
                let expected = try dqmon(command, in: postgres).stderr
                #expect(output.stderr == expected, "\(value) \(command): sqlite and postgres word it alike")
            }
        }
    }

    /// Write attempts, spread over datasets checked at once, are each that check's error with the serial message,
    /// and the file is unchanged.
    @Test func writeAttemptsStayTheirChecksErrorsUnderParallelism() throws {
        let fixture = ProjectFixture()
        let warehouse = try fixture.warehouse()
        var yaml = "version: 1\ndatasets:\n"
        for index in 0..<6 {
            try warehouse.execute("CREATE TABLE victim\(index) (id INTEGER PRIMARY KEY, v INTEGER)")
            try warehouse.execute("INSERT INTO victim\(index) (v) VALUES (1), (2), (3)")
            yaml += "  - name: victim\(index)\n    checks:\n      - volume: { min_rows: 1 }\n"
            for (attempt, sql) in ReadOnlyWarehouseTests.sqliteAttempts.enumerated() {
                yaml += "      - anomaly: { name: w\(attempt), sql: \"\(sql.replacingOccurrences(of: "victim", with: "victim\(index)"))\", min_history: 1 }\n"
            }
        }
        try warehouse.queue.close()
        fixture.checks("victims.yml", yaml)
        let before = try Data(contentsOf: fixture.warehouseURL)
        var outputs: [String: [String: (String, String)]] = [:]
        for parallel in ["1", "4"] {
            try? FileManager.default.removeItem(at: fixture.historyURL.deletingLastPathComponent())
            let output = try dqmon(["check", "--all", "--format", "json", "--now", Self.firstRun, "--parallel", parallel], in: fixture)
            outputs[parallel] = try ReadOnlyWarehouseTests.statuses(output)
        }
        let serial = try #require(outputs["1"]), parallel = try #require(outputs["4"])
        #expect(serial.count == 6 * (1 + ReadOnlyWarehouseTests.sqliteAttempts.count))
        for (id, result) in serial {
            #expect(result.0 == (id.hasSuffix("/volume") ? "pass" : "error"), "\(id): \(result)")
            #expect(parallel[id]?.0 == result.0 && parallel[id]?.1 == result.1, "\(id): \(String(describing: parallel[id])) vs serial \(result)")
        }
        #expect(serial.values.contains { $0.1.contains("dqmon opens SQLite warehouses read-only") })
        #expect(serial.values.contains { $0.1.contains("must be a single select") })
        #expect(try Data(contentsOf: fixture.warehouseURL) == before, "the warehouse file changed")
    }

    /// A warehouse another connection holds locked past `busy_timeout`: every check is one error, at any
    /// parallelism, and the run ends (the timeout is 50 ms).
    @Test func aLockedWarehouseIsOneErrorPerCheckNotAHang() throws {
        let fixture = ProjectFixture(projectYAML: """
            version: 1
            warehouses:
              main: { type: sqlite, path: warehouse.sqlite, busy_timeout: 0.05s }
            default_warehouse: main
            history: { path: .dqmon/history.sqlite }
            """)
        let warehouse = try fixture.warehouse()
        var yaml = "version: 1\ndatasets:\n"
        for index in 0..<5 {
            try warehouse.execute("CREATE TABLE t\(index) (id INTEGER PRIMARY KEY, updated_at TEXT)")
            yaml += "  - name: t\(index)\n    checks:\n      - volume: { min_rows: 0 }\n      - missing: { column: updated_at }\n"
        }
        fixture.checks("t.yml", yaml)
        try warehouse.queue.close()
        let locker = try SQLiteReaderPoolTests.lock(fixture.warehouseURL)
        defer { try? locker.writeWithoutTransaction { db in try db.execute(sql: "ROLLBACK") } }
        var answers: [String: [String: (String, String)]] = [:]
        for parallel in ["1", "3"] {
            try? FileManager.default.removeItem(at: fixture.historyURL.deletingLastPathComponent())
            let output = try dqmon(["check", "--all", "--format", "json", "--now", Self.firstRun, "--parallel", parallel], in: fixture)
            #expect(output.status == 3, "--parallel \(parallel): \(output.stderr)")
            answers[parallel] = try ReadOnlyWarehouseTests.statuses(output)
        }
        let serial = try #require(answers["1"])
        #expect(serial.count == 10)
        for (id, result) in serial {
            #expect(result.0 == "error" && result.1.contains("database is locked"), "\(id): \(result)")
            #expect(answers["3"]?[id]?.1 == result.1, "\(id)")
        }
    }
}

/// The pool itself, on the warehouse API: statements that overlap each get a connection of their own, a
/// sequential caller keeps one, a lock past `busy_timeout` is each statement's own error on every connection.
struct SQLiteReaderPoolTests {
    static func warehouseFile(tables: Int) throws -> TemporaryDirectory {
        let directory = TemporaryDirectory()
        let fixture = try WarehouseFixture(at: directory.path("w.sqlite"))
        for index in 0..<tables {
            try fixture.execute("CREATE TABLE t\(index) (id INTEGER PRIMARY KEY, v INTEGER)")
            try fixture.execute("INSERT INTO t\(index) (v) VALUES (\(index)), (\(index + 1))")
        }
        try fixture.queue.close()
        return directory
    }

    /// A connection holding an exclusive lock on the file until it runs ROLLBACK.
    static func lock(_ url: URL) throws -> DatabaseQueue {
        var configuration = GRDB.Configuration()
        configuration.allowsUnsafeTransactions = true
        let locker = try DatabaseQueue(path: url.path, configuration: configuration)
        try locker.writeWithoutTransaction { db in try db.execute(sql: "BEGIN EXCLUSIVE") }
        return locker
    }

    @Test func aSequentialCallerOpensOneConnection() async throws {
        let directory = try Self.warehouseFile(tables: 3)
        let warehouse = try SQLiteWarehouse(name: "w", settings: SQLiteSettings(path: directory.path("w.sqlite")))
        _ = try await warehouse.catalog(for: (0..<3).map { TableName(schema: nil, table: "t\($0)") })
        for index in 0..<3 { _ = try await warehouse.queryRow(SQLStatement("SELECT sum(v) FROM t\(index)")) }
        #expect(warehouse.connectionCount == 1)
        await warehouse.close()
    }

    @Test func overlappingStatementsEachGetTheirOwnConnectionAndTheirOwnAnswer() async throws {
        let directory = try Self.warehouseFile(tables: 8)
        let warehouse = try SQLiteWarehouse(name: "w", settings: SQLiteSettings(path: directory.path("w.sqlite")))
        for _ in 0..<5 {
            let sums = try await withThrowingTaskGroup(of: (Int, [SQLValue]).self) { group in
                for index in 0..<8 {
                    // A statement long enough to overlap with the others.
                    group.addTask { (index, try await warehouse.queryRow(SQLStatement(
                        "SELECT (SELECT sum(v) FROM t\(index)), (WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 20000) SELECT count(*) FROM c)"))) }
                }
                var sums: [Int: [SQLValue]] = [:]
                for try await (index, row) in group { sums[index] = row }
                return sums
            }
            for index in 0..<8 { #expect(sums[index] == [.integer(Int64(2 * index + 1)), .integer(20_000)]) }
        }
        #expect((1...8).contains(warehouse.connectionCount))
        await warehouse.close()
        await #expect(throws: WarehouseError.self) { _ = try await warehouse.queryRows(SQLStatement("SELECT 1")) }
    }

    @Test func aPoolAtItsLimitMakesCallersWaitTheirTurn() async throws {
        let directory = try Self.warehouseFile(tables: 1)
        let path = directory.path("w.sqlite").path
        let open = { @Sendable () throws(WarehouseError) -> DatabaseQueue in
            do { return try SQLiteWarehouse.openReadOnly(path: path, busyTimeout: Interval(seconds: 1), label: "w") } catch {
                throw WarehouseError(warehouse: "w", kind: .query, message: "\(error)")
            }
        }
        let pool = SQLiteReaderPool(first: try open(), limit: 2, closedError: WarehouseError(warehouse: "w", kind: .unavailable, message: "closed"), open: open)
        let inUse = PeakCounter()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<12 {
                group.addTask {
                    try await pool.withConnection { connection in
                        inUse.change(by: 1)
                        defer { inUse.change(by: -1) }
                        _ = try await connection.unsafeRead { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM t0") }
                        await Task.yield()
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(inUse.peak <= 2)
        #expect(pool.connectionCount <= 2)
        pool.close()
    }

    /// Cancelling statements running at once on several connections interrupts each of them (whenever the cancel
    /// lands, the answer is the same cancellation error), and every connection answers again afterwards. Two of the
    /// four run `dqmon_latest_julianday` over text it hands to SQLite's own `julianday()` row by row (the hour 24),
    /// through a nested statement: the interrupt stops that statement too and comes out as the same cancellation.
    @Test func cancellingOverlappingStatementsInterruptsEachConnection() async throws {
        let directory = try Self.warehouseFile(tables: 4)
        let warehouse = try SQLiteWarehouse(name: "w", settings: SQLiteSettings(path: directory.path("w.sqlite")))
        let long = SQLStatement("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ?) SELECT count(*) FROM c",
                                arguments: [.integer(5_000_000_000)])
        let nested = SQLStatement("""
            WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ?)
            SELECT dqmon_latest_julianday('2026-11-24 24:' || printf('%02d', x % 60) || ':00') FROM c
            """, arguments: [.integer(5_000_000_000)])
        for round in 0..<2 {
            let tasks = [long, nested, long, nested].map { long in
                Task { () -> String in
                    do throws(WarehouseError) { return "\(try await warehouse.queryRows(long))" } catch { return error.message }
                }
            }
            // Round 0 cancels at once; round 1 lets the steps get going so the cancel interrupts them mid-scan.
            if round == 0 { await Task.yield() } else { try await Task.sleep(for: .milliseconds(50)) }
            for task in tasks { task.cancel() }
            for task in tasks { #expect(await task.value == "CancellationError()", "round \(round)") }
        }
        let answers = try await withThrowingTaskGroup(of: [SQLValue].self) { group in
            for index in 0..<4 { group.addTask { try await warehouse.queryRow(SQLStatement("SELECT count(*) FROM t\(index)")) } }
            var answers: [[SQLValue]] = []
            for try await answer in group { answers.append(answer) }
            return answers
        }
        #expect(answers == Array(repeating: [.integer(2)], count: 4))
        await warehouse.close()
    }

    @Test func aLockPastBusyTimeoutIsEachStatementsOwnErrorOnEveryConnection() async throws {
        let directory = try Self.warehouseFile(tables: 2)
        let warehouse = try SQLiteWarehouse(name: "w", settings: SQLiteSettings(path: directory.path("w.sqlite"), busyTimeout: Interval(seconds: 0.05)))
        let locker = try Self.lock(directory.path("w.sqlite"))
        let failures = await withTaskGroup(of: String.self) { group in
            for _ in 0..<6 {
                group.addTask {
                    do {
                        _ = try await warehouse.queryRow(SQLStatement("SELECT count(*) FROM t0"))
                        return "answered"
                    } catch let error as WarehouseError {
                        return "\(error.kind) \(error.message)"
                    } catch {
                        return "\(error)"
                    }
                }
            }
            var failures: [String] = []
            for await failure in group { failures.append(failure) }
            return failures
        }
        #expect(failures == Array(repeating: "query database is locked", count: 6), "\(failures)")
        try await locker.writeWithoutTransaction { db in try db.execute(sql: "ROLLBACK") }
        #expect(try await warehouse.queryRow(SQLStatement("SELECT count(*) FROM t1")) == [.integer(2)])
        await warehouse.close()
        try locker.close()
    }
}

/// A count shared by concurrent tasks, with its peak.
final class PeakCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    private(set) var peak = 0

    func change(by delta: Int) {
        lock.withLock {
            value += delta
            peak = max(peak, value)
        }
    }
}
