import Foundation

/// A MySQL or MariaDB warehouse: a pool of up to `max_connections` read-only sessions, each on a thread of its own,
/// so checks on different datasets run concurrently without blocking Swift's cooperative threads.
public final class MySQLWarehouse: Warehouse {
    public let name: String
    public let dialect: any SQLDialect
    let settings: MySQLSettings
    let pool: ConnectionPool<MySQLSession>

    init(name: String, settings: MySQLSettings, pool: ConnectionPool<MySQLSession>) {
        self.name = name
        self.settings = settings
        self.dialect = MySQLDialect(defaultSchema: settings.url.database)
        self.pool = pool
    }

    /// Opens one session right away, so an unreachable server, a wrong password or an unknown database is one
    /// warehouse-level error before any check runs.
    public static func connect(name: String, settings: MySQLSettings) async throws(WarehouseError) -> MySQLWarehouse {
        let closed = WarehouseError(warehouse: name, kind: .unavailable, message: "connections to \(settings.url.redacted) were already closed")
        let pool = ConnectionPool<MySQLSession>(maxConnections: settings.maxConnections, closedError: closed) { (id: Int) async throws(WarehouseError) -> MySQLSession in
            try await openReadOnly(settings: settings, warehouse: name, id: id)
        }
        let first = try await openReadOnly(settings: settings, warehouse: name, id: 0)
        await pool.adopt(first)
        return MySQLWarehouse(name: name, settings: settings, pool: pool)
    }

    /// A session whose transactions are all read-only (see `MySQLSession`'s read-only contract).
    static func openReadOnly(settings: MySQLSettings, warehouse: String, id: Int) async throws(WarehouseError) -> MySQLSession {
        let session = try await MySQLSession.open(settings: settings, warehouse: warehouse, id: id)
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
        for row in rows where row.count >= 7 {
            guard case .text(let schema) = row[0], case .text(let table) = row[1], case .text(let column) = row[2] else { continue }
            let columnType: String = if case .text(let text) = row[3] { text } else { "" }
            let key = TableName(schema: schema, table: table)
            if row[6].double == 1 { indexed[key, default: []].insert(column) }
            let position = (byName[key]?.count ?? 0) + 1
            byName[key, default: []].append(CatalogColumn(name: column, declaredType: columnType,
                                                          isNullable: row[4] == .text("YES"), position: position))
        }
        var catalog = Catalog()
        for table in tables {
            let key = TableName(schema: table.schema ?? settings.url.database, table: table.table)
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
        try await pool.withSession { (session: MySQLSession) async throws(WarehouseError) -> [[SQLValue]] in
            try await session.rows(statement)
        }
    }

    public func close() async {
        await pool.close()
    }
}

extension MySQLSession: PooledSession {}
