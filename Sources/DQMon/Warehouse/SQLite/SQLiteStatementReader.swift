import Foundation
import GRDB
import GRDBSQLite

/// Runs one warehouse statement straight on the connection's SQLite handle: `sqlite3_prepare_v3`, bind, step, and
/// decode each column into a `SQLValue` from its storage class.
///
/// Why: GRDB's `makeStatement` runs its authorizer callback on every prepare and `Row.fetchAll` builds a `Row` and
/// `DatabaseValue`s before dqmon maps them again; for the ~0.3 ms statements of `dqmon check --all` on many small
/// tables that was a measurable share of each query (issue 12).
///
/// Contract: same results and same failures as GRDB's path. Every case this reader does not handle itself returns
/// `nil` *before anything ran*, and the caller runs GRDB's path, which then refuses or fails exactly as before:
/// a text that does not compile, an empty text, anything after the first statement (GRDB decides between
/// "only whitespace/comments" and "Multiple statements found"), named or numbered parameters, and an argument
/// count that does not match the statement. Step failures are thrown as GRDB's `DatabaseError` (same result code
/// and `sqlite3_errmsg` message); an interruption while the task is cancelled is thrown as `CancellationError`,
/// as GRDB does. Values: INTEGER -> `.integer`, REAL -> `.real`, TEXT -> `.text` (read up to its first NUL, as
/// GRDB's `String(cString:)`), BLOB -> `.text` decoded as UTF-8, NULL -> `.null`.
///
/// Must run inside the connection's serialized access (e.g. `DatabaseQueue.unsafeRead`), which also wires task
/// cancellation to `sqlite3_interrupt`.
enum SQLiteStatementReader {
    static func rows(of statement: SQLStatement, in db: Database) throws -> [[SQLValue]]? {
        guard let connection = db.sqliteConnection,
              let handle = prepareSingleStatement(statement.sql, on: connection) else { return nil }
        defer { sqlite3_finalize(handle) }
        guard bindPositionally(statement.arguments, to: handle) else { return nil }
        try Task.checkCancellation()
        return try stepAll(handle, on: connection)
    }

    /// The compiled statement when the whole text is exactly one statement with nothing after it, and that statement
    /// only reads and returns columns (a SELECT, a read-only PRAGMA); otherwise nil. BEGIN/COMMIT/SAVEPOINT and
    /// writes (which the read-only file refuses) take GRDB's path, which tracks transactions and words the errors.
    private static func prepareSingleStatement(_ sql: String, on connection: OpaquePointer) -> OpaquePointer? {
        var handle: OpaquePointer?
        let compiledWhole: Bool = sql.withCString { start in
            var tail: UnsafePointer<CChar>?
            let code = sqlite3_prepare_v3(connection, start, -1, 0, &handle, &tail)
            return code == SQLITE_OK && tail?.pointee == 0
        }
        let onlyReads = handle.map { sqlite3_stmt_readonly($0) != 0 && sqlite3_column_count($0) > 0 } ?? false
        guard compiledWhole, onlyReads, let handle else {
            sqlite3_finalize(handle)
            return nil
        }
        return handle
    }

    /// Binds `?` parameters in order, as GRDB's `setArguments` does; false (nothing to trust) when the statement has
    /// named or numbered parameters or the count differs, so GRDB's path reports it in its own words.
    private static func bindPositionally(_ arguments: [SQLValue], to handle: OpaquePointer) -> Bool {
        let count = sqlite3_bind_parameter_count(handle)
        guard Int(count) == arguments.count else { return false }
        for (index, argument) in zip(CInt(1)..., arguments) {
            guard sqlite3_bind_parameter_name(handle, index) == nil else { return false }
            let code: CInt = switch argument {
            case .null: sqlite3_bind_null(handle, index)
            case .integer(let number): sqlite3_bind_int64(handle, index, number)
            case .real(let number): sqlite3_bind_double(handle, index, number)
            case .text(let text): sqlite3_bind_text(handle, index, text, -1, transient)
            }
            guard code == SQLITE_OK else { return false }
        }
        return true
    }

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

    /// SQLite copies the text before `sqlite3_bind_text` returns (GRDB binds strings the same way).
    private static let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)
}
