import CSQLiteConfig
import CSQLiteTimestamps
import Foundation
import GRDB
import GRDBSQLite

/// A SQLite warehouse, opened read-only with a busy timeout so a loader holding a write lock does not fail checks.
///
/// Read-only is the file's open mode (`SQLITE_OPEN_READONLY`), so no statement can write it: `WITH … DELETE …
/// RETURNING`, `PRAGMA` writes and a database `ATTACH`ed later (opened with the same mode) all fail as that
/// check's error. One statement per call: a `sql:` holding a second command is refused before it runs.
///
/// Statements run on a pool of read-only connections (`SQLiteReaderPool`), one statement per connection at a time:
/// SQLite readers on separate connections run concurrently, so datasets checked at once (`max_connections`,
/// `--parallel`) use the machine's cores. The first connection is opened here, so a missing or unreadable file is
/// one warehouse-level error; the others only when statements overlap, so a sequential caller keeps one.
public final class SQLiteWarehouse: Warehouse {
    public let name: String
    public let dialect: any SQLDialect = SQLiteDialect()
    private let readers: SQLiteReaderPool
    /// How many connections this warehouse reads on at once for one caller's statements (`max_connections`).
    private let parallelism: Int

    public init(name: String, settings: SQLiteSettings) throws(WarehouseError) {
        self.name = name
        parallelism = settings.defaultParallelism
        let path = settings.path.path
        guard FileManager.default.fileExists(atPath: path) else {
            throw WarehouseError(
                warehouse: name, kind: .unavailable,
                message: "SQLite file not found at \(path) (check 'path' in dqmon.yml, or run 'dqmon demo' to create the demo warehouse)")
        }
        let first: DatabaseQueue
        do {
            first = try Self.openReadOnly(path: path, busyTimeout: settings.busyTimeout, label: name)
        } catch {
            throw WarehouseError(warehouse: name, kind: .unavailable, message: "cannot open SQLite file \(path): \(Self.describe(error))")
        }
        let closed = WarehouseError(warehouse: name, kind: .unavailable, message: "SQLite file \(path) was already closed")
        // A later connection opens a file that already opened as a database, so its failure (e.g. "database is
        // locked" past busy_timeout) is worded as the statement's own would have been on the first connection.
        readers = SQLiteReaderPool(first: first, closedError: closed) { [busyTimeout = settings.busyTimeout] () throws(WarehouseError) in
            do {
                return try Self.openReadOnly(path: path, busyTimeout: busyTimeout, label: name)
            } catch {
                throw WarehouseError(warehouse: name, kind: .query, message: Self.describe(error))
            }
        }
    }

    /// One read-only connection: busy timeout, `REGEXP`, and the schema read once, so a file that is not a database
    /// fails here. One statement on a read-only connection: `read`'s transaction and query_only toggles would be four
    /// more.
    static func openReadOnly(path: String, busyTimeout: Interval, label: String) throws -> DatabaseQueue {
        var configuration = GRDB.Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(busyTimeout.seconds)
        configuration.label = "warehouse.\(label)"
        configuration.prepareDatabase { db in
            SQLiteRegexp.register(in: db)
            try registerTimestampFunctions(db)
            withoutStatementAuthorizer(db)
        }
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        _ = try queue.unsafeRead { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master") }
        return queue
    }

    /// Registers `dqmon_julianday`, `dqmon_latest_julianday` and `dqmon_count_at_or_after` (`Sources/CSQLiteTimestamps`),
    /// which the dialect's timestamp reads call (`SQLiteDialect.julianDay(ofRow:)`, `latestTimestampInScan`,
    /// `rowsSinceInScan`): every statement of this warehouse may use them.
    static func registerTimestampFunctions(_ db: Database) throws {
        guard let connection = db.sqliteConnection else { return }
        let code = dqmon_sqlite_register_timestamp_functions(connection)
        guard code == SQLITE_OK else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: "cannot register dqmon's timestamp functions (dqmon_julianday, dqmon_latest_julianday, dqmon_count_at_or_after)")
        }
    }

    /// Unregisters GRDB's statement authorizer from a read-only warehouse connection, so that preparing a statement
    /// makes no Swift callback per table and column it reads.
    ///
    /// Why: GRDB registers an authorizer on every connection to learn each statement's region, transaction effect and
    /// schema changes, for database observation and its schema cache. On a read-only connection GRDB installs no
    /// observation, and dqmon reads a warehouse's schema with its own catalog SQL, never GRDB's schema cache, so the
    /// callbacks only cost: building a `String` and a `DatabaseRegion` for every column a statement reads was ~4.5% of
    /// the query phase of `dqmon check --all` on 1,000 small tables (issue 12). The authorizer never refused anything on
    /// such a connection (it only ignores deletions that observers watch), so results and errors are unchanged.
    static func withoutStatementAuthorizer(_ db: Database) {
        guard let connection = db.sqliteConnection else { return }
        sqlite3_set_authorizer(connection, nil, nil)
    }

    public func catalog(for tables: [TableName]) async throws(WarehouseError) -> Catalog {
        let rows = try await rows(of: dialect.catalogQueries(for: tables))
        var byLowercasedName: [String: [CatalogColumn]] = [:]
        var indexedByLowercasedName: [String: Set<String>] = [:]
        var rowIDLowercasedNames: Set<String> = []
        for row in rows where row.count >= 7 {
            guard case .text(let table) = row[0], case .text(let column) = row[1] else { continue }
            if row[5] == .integer(1) {  // an index row of `SQLiteDialect.catalogQuery`, not a column
                indexedByLowercasedName[SQLiteDialect.foldedName(table), default: []].insert(column)
                continue
            }
            if row[6] == .integer(1) { rowIDLowercasedNames.insert(SQLiteDialect.foldedName(table)) }
            let type: String = if case .text(let declared) = row[2] { declared } else { "" }
            let notNull = row[3].double ?? 0
            let position: Int = if case .integer(let cid) = row[4], cid >= 0, cid < 1_000_000 { Int(cid) + 1 } else { 1 }
            byLowercasedName[SQLiteDialect.foldedName(table), default: []].append(
                CatalogColumn(name: column, declaredType: type, isNullable: notNull == 0, position: position))
        }
        var catalog = Catalog()
        for table in tables {
            if let columns = byLowercasedName[SQLiteDialect.foldedName(table.table)] {
                catalog.tables[table] = columns
                catalog.indexedColumns[table] = indexedByLowercasedName[SQLiteDialect.foldedName(table.table)] ?? []
                if rowIDLowercasedNames.contains(SQLiteDialect.foldedName(table.table)) { catalog.rowIDTables.insert(table) }
            }
        }
        return catalog
    }

    /// The rows of every statement, in order: at once on separate connections when the warehouse may use more than
    /// one (`max_connections`, default 2), else one after another.
    func rows(of statements: [SQLStatement]) async throws(WarehouseError) -> [[SQLValue]] {
        guard statements.count > 1, parallelism > 1 else {
            var rows: [[SQLValue]] = []
            for statement in statements { rows += try await queryRows(statement) }
            return rows
        }
        let results = await withTaskGroup(of: IndexedRows.self) { group in
            for (index, statement) in statements.enumerated() {
                group.addTask { [self] in IndexedRows(index: index, rows: await result(of: statement)) }
            }
            var byIndex: [Int: Result<[[SQLValue]], WarehouseError>] = [:]
            for await part in group { byIndex[part.index] = part.rows }
            return byIndex
        }
        var rows: [[SQLValue]] = []
        for index in statements.indices {
            if let part = results[index] { rows += try part.get() }
        }
        return rows
    }

    /// One statement's rows of `rows(of:)`, with the place it came from.
    private struct IndexedRows: Sendable {
        let index: Int
        let rows: Result<[[SQLValue]], WarehouseError>
    }

    /// A method, not a `do`/`catch` inside the child task: Swift 6.3.1 at `-O` miscompiles a task-group child like
    /// `{ [self] in do { return (index, try await rows(s)[0]) } catch { return (index, nil) } }` (a captured index
    /// and an expression around `try await` in one tuple): every child returned index 0, so the release build
    /// trapped here while the debug build and its tests passed. Reproduced outside dqmon in 30 lines; binding the
    /// awaited value to a `let` first, or no `do`/`catch` in the child, compiles right.
    private func result(of statement: SQLStatement) async -> Result<[[SQLValue]], WarehouseError> {
        do {
            return .success(try await queryRows(statement))
        } catch {
            return .failure(error)
        }
    }

    public func queryRow(_ statement: SQLStatement) async throws(WarehouseError) -> [SQLValue] {
        let rows = try await queryRows(statement)
        guard let first = rows.first else {
            throw WarehouseError(warehouse: name, kind: .query, message: "query returned no row")
        }
        return first
    }

    /// One statement, outside an explicit transaction: a single SQLite statement reads one snapshot on its own, so
    /// `read`'s BEGIN/COMMIT around it (two more statements per query, ~2% of `dqmon check --all` on 1,000 tables)
    /// buys nothing. `makeStatement` refuses a second command in the text, as before; a plain read's rows are then
    /// read straight from SQLite (`SQLiteStatementReader`). The statement has a pooled connection to itself and is
    /// interrupted when the task is cancelled. On a dataset worker's own thread it runs right there (no hop to the
    /// connection's dispatch queue and back: two thread wake-ups per statement); elsewhere it must not block the
    /// cooperative pool, so it runs on the connection's queue.
    public func queryRows(_ statement: SQLStatement) async throws(WarehouseError) -> [[SQLValue]] {
        do {
            return try await readers.withConnection { connection in
                if WorkerThreadMarker.mayBlockCurrentThread {
                    callingThreadStatements.increment()
                    return try await SQLiteStatementReader.rowsOnThisThread(of: statement, on: connection)
                }
                return try await connection.unsafeRead { db in try SQLiteStatementReader.rows(of: statement, in: db) }
            }
        } catch let error as WarehouseError {
            throw error
        } catch {
            throw WarehouseError(warehouse: name, kind: .query, message: Self.describe(error))
        }
    }

    /// Whether SQLite keeps no global memory statistics in this process (`Sources/CSQLiteConfig`, set before SQLite
    /// initialized): connections reading at once then share no mutex on every allocation.
    static var memoryStatisticsAreOff: Bool { dqmon_sqlite_memstatus_config_result() == 0 }

    /// Connections open at the moment (idle or running a statement).
    var connectionCount: Int { readers.connectionCount }

    /// How many statements ran on the calling thread (a dataset worker's) rather than on a connection's queue: for
    /// tests.
    let callingThreadStatements = StatementCounter()

    final class StatementCounter: @unchecked Sendable {
        private let lock = NSLock()
        private var count = 0
        var value: Int { lock.withLock { count } }
        func increment() { lock.withLock { count += 1 } }
    }

    public func close() async {
        readers.close()
    }

    static func databaseValue(_ value: SQLValue) -> DatabaseValue {
        switch value {
        case .null: return .null
        case .integer(let number): return number.databaseValue
        case .real(let number): return number.databaseValue
        case .text(let text): return text.databaseValue
        }
    }

    static func sqlValue(_ value: DatabaseValue) -> SQLValue {
        switch value.storage {
        case .null: return .null
        case .int64(let number): return .integer(number)
        case .double(let number): return .real(number)
        case .string(let text): return .text(text)
        case .blob(let data): return .text(String(decoding: data, as: UTF8.self))
        }
    }

    static func describe(_ error: any Error) -> String {
        guard let error = error as? DatabaseError else { return "\(error)" }
        let message = error.message ?? "\(error.resultCode)"
        if error.resultCode == .SQLITE_READONLY {
            return "\(message): dqmon opens SQLite warehouses read-only, so a check's sql: may only read"
        }
        if message.hasPrefix("Multiple statements found") {
            return "the statement holds more than one SQL command: a check's sql: must be a single select"
        }
        return message
    }
}
