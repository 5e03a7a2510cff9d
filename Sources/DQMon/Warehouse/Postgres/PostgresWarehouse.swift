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
        let closed = WarehouseError(warehouse: name, kind: .unavailable, message: "connections to \(settings.url.redacted) were already closed")
        let pool = ConnectionPool<PostgresSession>(maxConnections: settings.maxConnections, closedError: closed) { (id: Int) async throws(WarehouseError) -> PostgresSession in
            try await openReadOnly(settings: settings, warehouse: name, id: id)
        }
        let first = try await openReadOnly(settings: settings, warehouse: name, id: 0)
        await pool.adopt(first)
        return PostgresWarehouse(name: name, settings: settings, pool: pool)
    }

    /// A session whose transactions are all read-only (see `PostgresSession`'s read-only contract).
    static func openReadOnly(settings: PostgresSettings, warehouse: String, id: Int) async throws(WarehouseError) -> PostgresSession {
        let session = try await PostgresSession.open(settings: settings, warehouse: warehouse, id: id)
        do {
            try await session.makeReadOnly()
        } catch {
            await session.close()
            throw error
        }
        return session
    }

    public func catalog(for tables: [TableName]) async throws(WarehouseError) -> Catalog {
        let rows = try await queryRows(dialect.catalogQuery(for: tables))
        var byName: [TableName: [CatalogColumn]] = [:]
        var indexed: [TableName: Set<String>] = [:]
        for row in rows where row.count >= 8 {
            guard case .text(let schema) = row[0], case .text(let table) = row[1], case .text(let column) = row[2] else { continue }
            let dataType: String = if case .text(let text) = row[3] { text } else { "" }
            let udtName: String = if case .text(let text) = row[4] { text } else { "" }
            let nullable = row[5] == .text("YES")
            let key = TableName(schema: schema, table: table)
            if row[7] == .integer(1) { indexed[key, default: []].insert(column) }
            // Positions are renumbered 1…n: PostgreSQL keeps gaps where columns were dropped.
            let position = (byName[key]?.count ?? 0) + 1
            byName[key, default: []].append(CatalogColumn(
                name: column, declaredType: PostgresTypes.normalize(dataType: dataType, udtName: udtName),
                isNullable: nullable, position: position))
        }
        var catalog = Catalog()
        for table in tables {
            let key = TableName(schema: table.schema ?? settings.schema, table: table.table)
            if let columns = byName[key] {
                catalog.tables[table] = columns
                catalog.indexedColumns[table] = indexed[key] ?? []
            }
        }
        return catalog
    }

    public func queryRow(_ statement: SQLStatement) async throws(WarehouseError) -> [SQLValue] {
        let rows = try await queryRows(statement)
        guard let first = rows.first else {
            throw WarehouseError(warehouse: name, kind: .query, message: "query returned no row")
        }
        return first
    }

    public func queryRows(_ statement: SQLStatement) async throws(WarehouseError) -> [[SQLValue]] {
        try await pool.withSession { (session: PostgresSession) async throws(WarehouseError) -> [[SQLValue]] in
            try await session.rows(statement)
        }
    }

    public func close() async {
        await pool.close()
    }
}

extension PostgresSession: PooledSession {}
