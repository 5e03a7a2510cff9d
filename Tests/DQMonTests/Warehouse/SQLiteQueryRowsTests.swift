@testable import DQMon
import DQMonTestSupport
import Foundation
import GRDB
import Testing

/// `SQLiteWarehouse.queryRows` lets GRDB prepare and bind, then steps plain reads straight on SQLite
/// (`SQLiteStatementReader`). Its answers and its failures must be exactly GRDB's: the reference here is the
/// path it replaced (`makeStatement` + `setArguments` + `Row.fetchAll`, errors through `describe`).
struct SQLiteQueryRowsTests {
    enum Outcome: Equatable {
        case success([[SQLValue]])
        case failure(String)
    }

    /// The replaced path, on its own read-only connection to the same file.
    static func reference(_ statement: SQLStatement, at url: URL) -> Outcome {
        do {
            var configuration = GRDB.Configuration()
            configuration.readonly = true
            let queue = try DatabaseQueue(path: url.path, configuration: configuration)
            defer { try? queue.close() }
            return .success(try queue.unsafeRead { db in
                let prepared = try db.makeStatement(sql: statement.sql)
                try prepared.setArguments(StatementArguments(statement.arguments.map(SQLiteWarehouse.databaseValue)))
                return try Row.fetchAll(prepared).map { row in row.databaseValues.map(SQLiteWarehouse.sqlValue) }
            })
        } catch {
            return .failure(SQLiteWarehouse.describe(error))
        }
    }

    /// A closed SQLite file holding `t (id INTEGER PRIMARY KEY, v INTEGER)` with the rows v = 1 and v = 2.
    static func twoRowTable(at url: URL) throws -> WarehouseFixture {
        let fixture = try WarehouseFixture(at: url)
        try fixture.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER)")
        try fixture.execute("INSERT INTO t (v) VALUES (1), (2)")
        try fixture.queue.close()
        return fixture
    }

    static func actual(_ statement: SQLStatement, in warehouse: SQLiteWarehouse) async -> Outcome {
        do { return .success(try await warehouse.queryRows(statement)) } catch { return .failure(error.message) }
    }

    static func randomValue(_ random: inout SeededRandom) -> (any DatabaseValueConvertible)? {
        switch Int.random(in: 0..<5, using: &random) {
        case 0: return nil
        case 1: return [Int64.min, Int64.max, 0, -1, Int64.random(in: .min ... .max, using: &random)].randomElement(using: &random)
        case 2: return [0.0, -0.0, 1e308, -1e-308, 5e-324, .pi, Double.random(in: -1e12...1e12, using: &random)].randomElement(using: &random)
        case 3: return ["", "é😀ü", "it's \"quoted\"", String(repeating: "x", count: Int.random(in: 0...300, using: &random))]
            .randomElement(using: &random)
        default: return Data((0..<Int.random(in: 0...24, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) })
        }
    }

    static func randomArgument(_ random: inout SeededRandom) -> SQLValue {
        switch Int.random(in: 0..<4, using: &random) {
        case 0: return .null
        case 1: return .integer(Int64.random(in: .min ... .max, using: &random))
        case 2: return .real(Double.random(in: -1e15...1e15, using: &random))
        default: return .text(["", "2026-11-25T12:00:00Z", "é😀", String(repeating: "y", count: Int.random(in: 0...64, using: &random))]
            .randomElement(using: &random)!)
        }
    }

    @Test func everyStorageClassAndBoundArgumentReadsAsGRDBReadIt() async throws {
        let seed = UInt64(ProcessInfo.processInfo.environment["DQMON_TEST_SEED"] ?? "") ?? 20_261_130
        var random = SeededRandom(seed: seed)
        let directory = TemporaryDirectory()
        let fixture = try WarehouseFixture(at: directory.path("values.sqlite"))
        try fixture.execute("CREATE TABLE v (id INTEGER PRIMARY KEY, a, b, c, d REAL, e TEXT, f INTEGER)")
        for _ in 0..<200 {
            try fixture.execute("INSERT INTO v (a, b, c, d, e, f) VALUES (?, ?, ?, ?, ?, ?)", (0..<6).map { _ in Self.randomValue(&random) })
        }
        try fixture.queue.close()
        var statements = [
            SQLStatement("SELECT * FROM v ORDER BY id"),
            SQLStatement("SELECT typeof(a), typeof(b), typeof(c), typeof(d), typeof(e), typeof(f) FROM v ORDER BY id"),
            SQLStatement("SELECT count(*), max(a), min(d), sum(f), group_concat(e) FROM v"),
            SQLStatement("SELECT * FROM v WHERE 0"),
            SQLStatement("SELECT 'a' || char(0) || 'b', x'', x'00ff41', CAST(x'c3a9' AS TEXT), zeroblob(3), NULL"),
            SQLStatement("PRAGMA table_info(v)"),
            SQLStatement("SELECT 1;"),
        ]
        for _ in 0..<100 {
            let arguments = (0..<Int.random(in: 1...6, using: &random)).map { _ in Self.randomArgument(&random) }
            let columns = arguments.indices.map { _ in "?" }.joined(separator: ", ")
            statements.append(SQLStatement("SELECT \(columns)", arguments: arguments))
            statements.append(SQLStatement("SELECT count(*) FROM v WHERE a = ? OR e >= ?", arguments: Array((arguments + arguments).prefix(2))))
        }
        try await withClosing(SQLiteWarehouse(name: "w", settings: SQLiteSettings(path: fixture.url)), close: { await $0.close() }) { warehouse in
            for statement in statements {
                let actual = await Self.actual(statement, in: warehouse)
                #expect(actual == Self.reference(statement, at: fixture.url), "seed \(seed): \(statement.sql) \(statement.arguments)")
                if statement.sql == "SELECT ?", case .success(let rows) = actual {
                    #expect(rows == [statement.arguments], "seed \(seed): a bound argument reads back as itself")
                }
            }
        }
    }

    /// Texts GRDB refuses or fails, and texts at the edge of "one statement": same message (or same rows) as before.
    /// (`begin`/`savepoint` are left out: GRDB's path traps on a transaction left open, before and after this change;
    /// `dqmon validate` only lets a `sql:` starting with select/with through.)
    @Test func refusalsAndFailuresKeepTheirMessages() async throws {
        let directory = TemporaryDirectory()
        let fixture = try Self.twoRowTable(at: directory.path("refusals.sqlite"))
        let texts = [
            "select 1; select 2", "select 1;select 2;", "select 1; drop table t", "select 1; pragma user_version = 7",
            "select 1; not sql at all", "select 1 -- note\n; select 2", "select 1 /* c */ ; /* c */ select 2",
            "select 1;", "select 1 ; ", "select 1; -- trailing comment", "select 1; /* trailing */ ", "select 1\n\n",
            "", "   ", "-- only a comment", ";", "select", "select * from missing", "select nope from t",
            "select 1 from t where v = ?", "select :name", "select ?1, ?2", "select $x from t", "select @y",
            "commit", "rollback", "release s", "pragma user_version = 3", "pragma query_only = 0",
            "with x as (select 1) delete from t returning 1", "insert into t (v) values (3) returning id",
            "attach database 'other.sqlite' as other", "vacuum", "select abs(-9223372036854775808)",
            "select json('{') ", "select v from t order by id", "pragma user_version", "explain select 1",
        ]
        try await withClosing(SQLiteWarehouse(name: "w", settings: SQLiteSettings(path: fixture.url)), close: { await $0.close() }) { warehouse in
            for text in texts {
                for arguments in [[], [SQLValue.integer(1)], [SQLValue.text("a"), SQLValue.real(2.5)]] {
                    let statement = SQLStatement(text, arguments: arguments)
                    #expect(await Self.actual(statement, in: warehouse) == Self.reference(statement, at: fixture.url), "\(text) \(arguments)")
                }
            }
            // The connection is still usable, outside any transaction, after all of the above.
            let after = await Self.actual(SQLStatement("select count(*) from t"), in: warehouse)
            #expect(after == .success([[.integer(2)]]))
            #expect(await Self.actual(SQLStatement("select 1; select 2"), in: warehouse)
                    == .failure("the statement holds more than one SQL command: a check's sql: must be a single select"))
        }
        #expect(!FileManager.default.fileExists(atPath: directory.path("other.sqlite").path))
    }

    /// Warehouse connections carry no GRDB statement authorizer (`SQLiteWarehouse.withoutStatementAuthorizer`):
    /// preparing records no region, where a default GRDB connection records the table. (Transaction-control and
    /// writing statements, whose effects GRDB's authorizer tracked, are compared with GRDB's path, authorizer and all,
    /// in `refusalsAndFailuresKeepTheirMessages`; config refuses a `sql:` that is not a select.)
    @Test func warehouseConnectionsPrepareWithoutGRDBsAuthorizer() async throws {
        let directory = TemporaryDirectory()
        let fixture = try Self.twoRowTable(at: directory.path("authorizer.sqlite"))
        let reader = try SQLiteWarehouse.openReadOnly(path: fixture.url.path, busyTimeout: Interval(seconds: 1), label: "w")
        defer { try? reader.close() }
        let region = try await reader.unsafeRead { db in try db.makeStatement(sql: "SELECT v FROM t").databaseRegion }
        #expect(region.isEmpty)
        let plain = try DatabaseQueue(path: fixture.url.path, configuration: { var c = GRDB.Configuration(); c.readonly = true; return c }())
        defer { try? plain.close() }
        #expect(try await plain.unsafeRead { db in try db.makeStatement(sql: "SELECT v FROM t").databaseRegion }.isEmpty == false)
    }

    /// Cancelling the task interrupts a running statement (as GRDB's path did) and leaves the connection usable.
    /// The statement would run for minutes; whenever the cancel lands (before or during the step) the answer is
    /// the same cancellation error.
    @Test func cancellingTheTaskInterruptsALongStatement() async throws {
        let directory = TemporaryDirectory()
        let fixture = try WarehouseFixture(at: directory.path("long.sqlite"))
        try fixture.execute("CREATE TABLE t (v INTEGER)")
        try fixture.queue.close()
        try await withClosing(SQLiteWarehouse(name: "w", settings: SQLiteSettings(path: fixture.url)), close: { await $0.close() }) { warehouse in
            let long = SQLStatement("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ?) SELECT count(*) FROM c",
                                    arguments: [.integer(5_000_000_000)])
            for round in 0..<3 {
                let task = Task { await Self.actual(long, in: warehouse) }
                // Round 0 cancels at once (usually before the step starts); the others let the step get going so the
                // cancel interrupts it mid-scan. The expected answer does not depend on which happened.
                if round == 0 { await Task.yield() } else { try await Task.sleep(for: .milliseconds(50)) }
                task.cancel()
                #expect(await task.value == .failure("CancellationError()"))
            }
            let after = await Self.actual(SQLStatement("select count(*) from t"), in: warehouse)
            #expect(after == .success([[.integer(0)]]))
        }
    }
}
