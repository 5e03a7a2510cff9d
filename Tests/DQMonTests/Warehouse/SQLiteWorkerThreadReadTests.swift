@testable import DQMon
import DQMonTestSupport
import Foundation
import GRDB
import Testing

/// On a dataset worker's own thread (`WorkerThreadExecutor`, what `dqmon check` evaluates datasets on), a SQLite
/// statement runs on the calling thread instead of the connection's dispatch queue. Everything the queue path
/// guarantees must hold there too: GRDB's answers and messages, one statement per call, read-only, REGEXP, the busy
/// timeout, cancellation interrupting a running statement, the connection usable afterwards.
/// (Linux only: on macOS task executors need macOS 15, and swift-testing cannot gate a `@Test` on availability.)
#if os(Linux)
struct SQLiteWorkerThreadReadTests {
    /// Runs `body` in a task that prefers a fresh worker thread, and ends the thread after.
    static func onWorker<T: Sendable>(_ body: @escaping @Sendable () async -> T) async -> T {
        let worker = WorkerThreadExecutor()
        defer { worker.finish() }
        return await Task(executorPreference: worker) { await body() }.value
    }

    static func actual(_ statement: SQLStatement, in warehouse: SQLiteWarehouse) async -> SQLiteQueryRowsTests.Outcome {
        await onWorker { await SQLiteQueryRowsTests.actual(statement, in: warehouse) }
    }

    @Test func onlyAWorkersOwnThreadMayBlock() async {
        #expect(!WorkerThreadMarker.mayBlockCurrentThread)
        #expect(await Self.onWorker { WorkerThreadMarker.mayBlockCurrentThread })
        let inChild = await Self.onWorker {
            await withTaskGroup(of: Bool.self) { group in
                group.addTask { WorkerThreadMarker.mayBlockCurrentThread }  // inherits the preference
                return await group.next() ?? false
            }
        }
        #expect(inChild)
        #expect(await Task.detached { WorkerThreadMarker.mayBlockCurrentThread }.value == false)
    }

    @Test func answersRefusalsAndFailuresAreTheQueuePathsOnes() async throws {
        let directory = TemporaryDirectory()
        let fixture = try WarehouseFixture(at: directory.path("w.sqlite"))
        try fixture.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER, s TEXT, b BLOB, r REAL)")
        try fixture.execute("INSERT INTO t (v, s, b, r) VALUES (1, 'abc', x'00ff41', 2.5), (2, NULL, NULL, -0.0), (NULL, 'é😀', x'c3a9', 1e308)")
        try fixture.queue.close()
        let texts = [
            "select * from t order by id", "select count(*), max(v), min(r), group_concat(s) from t", "select * from t where 0",
            "select s regexp '^a', s regexp 'b.', 'x' regexp s from t order by id", "select 'a' || char(0) || 'b', zeroblob(2)",
            "select 1; select 2", "select 1; drop table t", "select 1;", "", "-- only a comment", "select * from missing",
            "select 1 from t where v = ?", "select ?1, ?2", "pragma user_version = 3", "pragma user_version",
            "with x as (select 1) delete from t returning 1", "insert into t (v) values (3) returning id",
            "attach database 'other.sqlite' as other", "select 'x' regexp '('", "commit", "explain select 1",
        ]
        try await withClosing(SQLiteWarehouse(name: "w", settings: SQLiteSettings(path: fixture.url)), close: { await $0.close() }) { warehouse in
            for text in texts {
                for arguments in [[], [SQLValue.integer(1)], [SQLValue.text("a"), SQLValue.real(2.5)]] {
                    let statement = SQLStatement(text, arguments: arguments)
                    let onWorker = await Self.actual(statement, in: warehouse)
                    if !text.contains("regexp") {  // the reference connection has no REGEXP
                        #expect(onWorker == SQLiteQueryRowsTests.reference(statement, at: fixture.url), "\(text) \(arguments)")
                    }
                    #expect(onWorker == (await SQLiteQueryRowsTests.actual(statement, in: warehouse)), "\(text) \(arguments)")
                }
            }
            #expect(await Self.actual(SQLStatement("select s regexp '^a', s regexp 'b.', 'x' regexp s from t order by id"), in: warehouse)
                == .success([[.integer(1), .integer(1), .integer(0)], [.null, .null, .null], [.integer(0), .integer(0), .integer(0)]]))
            #expect(await Self.actual(SQLStatement("select 'x' regexp '('"), in: warehouse) == .failure("invalid regular expression '('"))
            #expect(await Self.actual(SQLStatement("select count(*) from t"), in: warehouse) == .success([[.integer(3)]]))
            // Every statement above on a worker ran on the worker's thread, the others on the connection's queue.
            #expect(warehouse.callingThreadStatements.value == texts.count * 3 + 3)
        }
        #expect(!FileManager.default.fileExists(atPath: directory.path("other.sqlite").path))
    }

    /// Whenever the cancel lands (before the step or during it), the statement ends with the cancellation error, on
    /// several workers at once, and every connection answers again afterwards.
    @Test func cancellingAWorkersTaskInterruptsItsStatement() async throws {
        let directory = try SQLiteReaderPoolTests.warehouseFile(tables: 3)
        let warehouse = try SQLiteWarehouse(name: "w", settings: SQLiteSettings(path: directory.path("w.sqlite")))
        let long = SQLStatement("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ?) SELECT count(*) FROM c",
                                arguments: [.integer(5_000_000_000)])
        for round in 0..<3 {
            let workers = (0..<3).map { _ in WorkerThreadExecutor() }
            let tasks = workers.map { worker in
                Task(executorPreference: worker) { () -> String in
                    do throws(WarehouseError) { return "\(try await warehouse.queryRows(long))" } catch { return error.message }
                }
            }
            // Round 0 cancels at once (usually before the step); the others once the steps are under way.
            if round == 0 { await Task.yield() } else { try await Task.sleep(for: .milliseconds(50)) }
            for task in tasks { task.cancel() }
            for task in tasks { #expect(await task.value == "CancellationError()", "round \(round)") }
            for worker in workers { worker.finish() }
        }
        for index in 0..<3 {
            #expect(await Self.actual(SQLStatement("SELECT count(*) FROM t\(index)"), in: warehouse) == .success([[.integer(2)]]))
        }
        #expect(warehouse.callingThreadStatements.value == 3 * 3 + 3)
        await warehouse.close()
    }

    @Test func aLockPastBusyTimeoutIsTheStatementsOwnError() async throws {
        let directory = try SQLiteReaderPoolTests.warehouseFile(tables: 1)
        let warehouse = try SQLiteWarehouse(name: "w", settings: SQLiteSettings(path: directory.path("w.sqlite"), busyTimeout: Interval(seconds: 0.05)))
        let locker = try SQLiteReaderPoolTests.lock(directory.path("w.sqlite"))
        let failures = await withTaskGroup(of: String.self) { group in
            for _ in 0..<3 {
                group.addTask {
                    await Self.onWorker {
                        do throws(WarehouseError) {
                            _ = try await warehouse.queryRow(SQLStatement("SELECT count(*) FROM t0"))
                            return "answered"
                        } catch {
                            return "\(error.kind) \(error.message)"
                        }
                    }
                }
            }
            var failures: [String] = []
            for await failure in group { failures.append(failure) }
            return failures
        }
        #expect(failures == Array(repeating: "query database is locked", count: 3), "\(failures)")
        // (A connection opened while the lock is held fails to open with the same message, before any statement.)
        #expect((1...3).contains(warehouse.callingThreadStatements.value))
        try await locker.writeWithoutTransaction { db in try db.execute(sql: "ROLLBACK") }
        #expect(await Self.actual(SQLStatement("SELECT count(*) FROM t0"), in: warehouse) == .success([[.integer(2)]]))
        await warehouse.close()
        try locker.close()
    }
}
#endif
