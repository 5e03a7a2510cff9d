import Foundation
import GRDB
import GRDBSQLite

/// Runs one warehouse statement: GRDB prepares it (its refusals and messages, e.g. a second command in the text),
/// then a plain read is bound and stepped straight on the SQLite handle and each column decoded into a `SQLValue`
/// from its storage class; anything else GRDB binds and fetches.
///
/// Why: `Row.fetchAll` builds a `Row` and `DatabaseValue`s before dqmon maps them again, and GRDB's per-step
/// bookkeeping; for the ~0.3 ms statements of `dqmon check --all` on many small tables that was a measurable share of
/// each query (issue 12). GRDB still prepares (its refusals and wording); warehouse connections carry no GRDB
/// authorizer (`SQLiteWarehouse.withoutStatementAuthorizer`), so that prepare is SQLite's own work.
///
/// Contract: same results and same failures as GRDB's path. A statement that does not only read, or returns no
/// columns (BEGIN/COMMIT/SAVEPOINT, PRAGMA writes, writes the read-only file refuses) is fetched by GRDB, which tracks
/// transactions and words the errors. Step failures are thrown as GRDB's `DatabaseError` (same result code and
/// `sqlite3_errmsg` message); an interruption while the task is cancelled is thrown as `CancellationError`, as GRDB
/// does. Values: INTEGER -> `.integer`, REAL -> `.real`, TEXT -> `.text` (read up to its first NUL, as GRDB's
/// `String(cString:)`), BLOB -> `.text` decoded as UTF-8, NULL -> `.null`.
///
/// `rows(of:in:)` must run inside the connection's serialized access (e.g. `DatabaseQueue.unsafeRead`), which also
/// wires task cancellation to `sqlite3_interrupt`; `rowsOnThisThread` does both on the calling thread.
enum SQLiteStatementReader {
    /// `rows(of:in:)` on the calling thread, inside the connection's serialized access (GRDB's synchronous
    /// `unsafeRead`: the connection is checked out to this caller alone, so it never waits for the queue), with task
    /// cancellation interrupting the statement as GRDB's asynchronous access does. For a thread that may block
    /// (`WorkerThreadMarker`): a lock held by a writer makes it wait up to the busy timeout.
    static func rowsOnThisThread(of statement: SQLStatement, on connection: DatabaseQueue) async throws -> [[SQLValue]] {
        try await withTaskCancellationHandler {
            try Task.checkCancellation()
            return try rowsSynchronously(of: statement, on: connection)
        } onCancel: {
            connection.interrupt()
        }
    }

    private static func rowsSynchronously(of statement: SQLStatement, on connection: DatabaseQueue) throws -> [[SQLValue]] {
        try connection.unsafeRead { db in try rows(of: statement, in: db) }
    }

    static func rows(of statement: SQLStatement, in db: Database) throws -> [[SQLValue]] {
        let prepared = try db.makeStatement(sql: statement.sql)
        let handle = prepared.sqliteStatement
        guard let connection = db.sqliteConnection, sqlite3_stmt_readonly(handle) != 0, sqlite3_column_count(handle) > 0,
              bind(statement.arguments, to: handle) else {
            try prepared.setArguments(StatementArguments(statement.arguments.map(SQLiteWarehouse.databaseValue)))
            return try Row.fetchAll(prepared).map { row in row.databaseValues.map(SQLiteWarehouse.sqlValue) }
        }
        try Task.checkCancellation()
        return try stepAll(handle, on: connection)
    }

    /// Binds `arguments` to a read the reader steps itself, as GRDB's `setArguments` binds positional values (the
    /// n-th value to the n-th parameter, named or not; text up to its first NUL, copied), without building GRDB's
    /// `StatementArguments` (~4% of a dataset query's CPU on 1,000 small tables, mostly key-path lookups).
    /// False, with nothing bound, when the counts differ or SQLite refuses a value: GRDB's path then binds and words
    /// the failure, as before.
    private static func bind(_ arguments: [SQLValue], to handle: OpaquePointer) -> Bool {
        guard Int(sqlite3_bind_parameter_count(handle)) == arguments.count else { return false }
        for (offset, value) in arguments.enumerated() {
            let index = CInt(offset + 1)
            let code: CInt = switch value {
            case .null: sqlite3_bind_null(handle, index)
            case .integer(let number): sqlite3_bind_int64(handle, index, number)
            case .real(let number): sqlite3_bind_double(handle, index, number)
            case .text(let text): sqlite3_bind_text(handle, index, text, -1, transient)
            }
            guard code == SQLITE_OK else {
                sqlite3_clear_bindings(handle)
                return false
            }
        }
        return true
    }

    /// SQLite's `SQLITE_TRANSIENT` destructor: SQLite copies the bound text before the call returns.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    private static func stepAll(_ handle: OpaquePointer, on connection: OpaquePointer) throws -> [[SQLValue]] {
        let columnCount = sqlite3_column_count(handle)
        var rows: [[SQLValue]] = []
        while true {
            let code = sqlite3_step(handle)
            if code == SQLITE_DONE { return rows }
            guard code == SQLITE_ROW else { throw failure(code, on: connection) }
            var row: [SQLValue] = []
            row.reserveCapacity(Int(columnCount))
            for column in 0..<columnCount { row.append(value(of: handle, column: column)) }
            rows.append(row)
        }
    }

    private static func failure(_ code: CInt, on connection: OpaquePointer) -> any Error {
        let message = String(cString: sqlite3_errmsg(connection))
        let primary = code & 0xff
        if (primary == SQLITE_INTERRUPT || primary == SQLITE_ABORT) && Task.isCancelled { return CancellationError() }
        return DatabaseError(resultCode: ResultCode(rawValue: code), message: message)
    }

    static func value(of handle: OpaquePointer, column: CInt) -> SQLValue {
        switch sqlite3_column_type(handle, column) {
        case SQLITE_INTEGER:
            return .integer(sqlite3_column_int64(handle, column))
        case SQLITE_FLOAT:
            return .real(sqlite3_column_double(handle, column))
        case SQLITE_TEXT:
            guard let text = sqlite3_column_text(handle, column) else { return .text("") }
            return .text(String(cString: text))
        case SQLITE_BLOB:
            guard let bytes = sqlite3_column_blob(handle, column) else { return .text("") }
            let buffer = UnsafeRawBufferPointer(start: bytes, count: Int(sqlite3_column_bytes(handle, column)))
            return .text(String(decoding: buffer, as: UTF8.self))
        default:
            return .null
        }
    }
}
