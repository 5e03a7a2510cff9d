import Foundation

/// The connection a `SQLDemoSink` writes through (PostgreSQL's and MySQL's sessions conform in their folders).
/// Used only by the demo loader, never for checks: it runs DDL and writes outside any read-only guard.
public protocol DemoWriteSession: Sendable {
    /// Runs SQL without arguments (DDL).
    func execute(_ sql: String) async throws
    /// Runs a statement with bound arguments and no result.
    func write(_ statement: SQLStatement) async throws
    func close() async
}

/// What differs between SQL warehouses holding the demo's copy: type names, the upsert clause, how a column changes
/// type, and how a bound value is written. Everything else (the tables, batching, deletes, the story's ALTERs) is
/// `SQLDemoSink`'s, once.
public protocol DemoCopyDialect: Sendable {
    /// Quotes identifiers and qualifies the demo's tables (schema or database).
    var sql: any SQLDialect { get }
    /// The warehouse's type for a demo column.
    func typeName(_ type: DemoColumnType) -> String
    /// Statements before the tables are created (e.g. `CREATE SCHEMA IF NOT EXISTS`). Default: none.
    var setupStatements: [String] { get }
    /// Appended to `CREATE TABLE (…)` (e.g. a default character set). Default: empty.
    var tableOptions: String { get }
    /// The placeholder for a value of a column of this type (e.g. a cast), given the first value of the batch (after
    /// the story's type change, `payments.amount` values are text for a `.money` column that became text). Default: `?`.
    func placeholder(for type: DemoColumnType, value: SQLValue) -> String
    /// The clause after `INSERT … VALUES …` that replaces an existing row with the same `id` by the new values of
    /// `columns` (all but `id`, already quoted).
    func upsertClause(updating quotedColumns: [String]) -> String
    /// `ALTER TABLE` changing a column's type in place, keeping its nullability.
    func changeType(table: String, column: String, to type: String, nullable: Bool) -> String
}

extension DemoCopyDialect {
    public var setupStatements: [String] { [] }
    public var tableOptions: String { "" }
    public func placeholder(for type: DemoColumnType, value: SQLValue) -> String { "?" }
}

/// The demo copied into a SQL warehouse (`dqmon demo --postgres URL`, `--mysql URL`) hour by hour: the tables of
/// `DemoTable.all`, the rows the demo added or changed written by primary key (insert, or replace the row with the same
/// id) in multi-row statements of at most 500 rows with bound values, the rows it deleted deleted, and the story's
/// schema changes applied as `ALTER TABLE`s.
public final class SQLDemoSink: DemoSink {
    public let settings: any WarehouseSettings
    let session: any DemoWriteSession
    let dialect: any DemoCopyDialect
    static let batchSize = 500

    public init(settings: any WarehouseSettings, session: any DemoWriteSession, dialect: any DemoCopyDialect) {
        self.settings = settings
        self.session = session
        self.dialect = dialect
    }

    func table(_ name: String) -> String { dialect.sql.qualifiedName(TableName(schema: nil, table: name)) }

    public func prepare() async throws {
        for statement in dialect.setupStatements { try await session.execute(statement) }
        for table in DemoTable.all {
            try await session.execute("DROP TABLE IF EXISTS \(self.table(table.name))")
            try await session.execute(createStatement(table))
            for column in table.indexed {
                try await session.execute("CREATE INDEX \(dialect.sql.quote("\(table.name)_\(column)")) ON \(self.table(table.name)) (\(dialect.sql.quote(column)))")
            }
        }
    }

    func createStatement(_ table: DemoTable) -> String {
        let columns = table.columns.map { column in
            "\(dialect.sql.quote(column.name)) \(dialect.typeName(column.type))\(column.nullable ? "" : " NOT NULL")"
        }
        return "CREATE TABLE \(self.table(table.name)) (\(columns.joined(separator: ", ")), PRIMARY KEY (\(dialect.sql.quote("id"))))"
            + dialect.tableOptions
    }

    /// The same changes as the SQLite demo (these warehouses change a column's type in place).
    public func apply(_ changes: [DemoSchemaChange]) async throws {
        for change in changes {
            switch change {
            case .paymentsAmountBecomesText:
                try await session.execute(dialect.changeType(table: table("payments"), column: dialect.sql.quote("amount"),
                                                             to: dialect.typeName(DemoTable.paymentsAmountAsText), nullable: false))
            case .ordersDiscountDropped:
                try await session.execute("ALTER TABLE \(table("orders")) DROP COLUMN \(dialect.sql.quote("discount"))")
            }
        }
    }

    public func sync(_ rows: DemoRows) async throws {
        for data in rows.tables {
            try await delete(data.deletedIDs, from: data.name)
            try await write(data)
        }
    }

    func delete(_ ids: [Int64], from name: String) async throws {
        for batch in ids.chunked(Self.batchSize) {
            let placeholders = Array(repeating: "?", count: batch.count).joined(separator: ", ")
            try await session.write(SQLStatement("DELETE FROM \(table(name)) WHERE \(dialect.sql.quote("id")) IN (\(placeholders))",
                                                 arguments: batch.map { .integer($0) }))
        }
    }

    /// Multi-row `INSERT … VALUES … <upsert>`, the placeholders chosen from the batch's first row.
    func write(_ data: DemoRows.Table) async throws {
        guard let definition = DemoTable.all.first(where: { $0.name == data.name }) else { return }
        let quoted = data.columns.map(dialect.sql.quote)
        let prefix = "INSERT INTO \(table(data.name)) (\(quoted.joined(separator: ", "))) VALUES "
        let upsert = " " + dialect.upsertClause(updating: Array(quoted.dropFirst()))
        for batch in data.rows.chunked(Self.batchSize) {
            let first = batch[batch.startIndex]
            let placeholders = "(" + data.columns.enumerated().map { index, column in
                dialect.placeholder(for: definition.column(named: column)?.type ?? .integer, value: first[index])
            }.joined(separator: ", ") + ")"
            let sql = prefix + Array(repeating: placeholders, count: batch.count).joined(separator: ", ") + upsert
            try await session.write(SQLStatement(sql, arguments: batch.flatMap { $0 }))
        }
    }

    public func close() async {
        await session.close()
    }
}

extension Array {
    /// Consecutive slices of at most `size` elements.
    fileprivate func chunked(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
