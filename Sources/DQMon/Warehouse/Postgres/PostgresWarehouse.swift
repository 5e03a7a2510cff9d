/// A PostgreSQL (or PostgreSQL-protocol) warehouse: a pool of up to `max_connections` sessions, so checks
/// on different datasets run concurrently. Safe to call from concurrent tasks.
public final class PostgresWarehouse: Warehouse {
    public let name: String
    public let dialect: any SQLDialect
    let settings: PostgresSettings
    let pool: ConnectionPool<PostgresSession>

    init(name: String, settings: PostgresSettings, pool: ConnectionPool<PostgresSession>) {
        self.name = name
        self.settings = settings
        self.dialect = PostgresDialect(defaultSchema: settings.schema)
        self.pool = pool
    }

    /// Opens one session right away, so an unreachable server, a wrong password or a TLS mismatch is one
    /// warehouse-level error before any check runs.
    public static func connect(name: String, settings: PostgresSettings) async throws(WarehouseError) -> PostgresWarehouse {
        let pool = try await ConnectionPool<PostgresSession>.connectReadOnly(
            warehouse: name, settings: settings, maxConnections: settings.maxConnections, location: settings.url.redacted)
        return PostgresWarehouse(name: name, settings: settings, pool: pool)
    }

    public func catalog(for tables: [TableName]) async throws(WarehouseError) -> Catalog {
        var assembler = CatalogAssembler()
        for row in try await queryRows(dialect.catalogQuery(for: tables)) where row.count >= 8 {
            guard case .text(let schema) = row[0], case .text(let table) = row[1], case .text(let column) = row[2] else { continue }
            let dataType: String = if case .text(let text) = row[3] { text } else { "" }
            let udtName: String = if case .text(let text) = row[4] { text } else { "" }
            assembler.add(schema: schema, table: table, column: column,
                          declaredType: PostgresTypes.normalize(dataType: dataType, udtName: udtName),
                          isNullable: row[5] == .text("YES"), isIndexed: row[7] == .integer(1))
        }
        return assembler.catalog(for: tables, defaultSchema: settings.schema)
    }

    public func queryRow(_ statement: SQLStatement) async throws(WarehouseError) -> [SQLValue] {
        try await pool.firstRow(statement, warehouse: name)
    }

    public func queryRows(_ statement: SQLStatement) async throws(WarehouseError) -> [[SQLValue]] {
        try await pool.rows(statement)
    }

    public func close() async {
        await pool.close()
    }
}

extension PostgresSession: ReadOnlySession {}
