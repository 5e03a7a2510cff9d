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

    /// Opens one session right away, so an unreachable server, a wrong password or a TLS mismatch is one
    /// warehouse-level error before any check runs.
    public static func connect(name: String, settings: MySQLSettings) async throws(WarehouseError) -> MySQLWarehouse {
        let pool = try await ConnectionPool<MySQLSession>.connectReadOnly(
            warehouse: name, settings: settings, maxConnections: settings.maxConnections, location: settings.url.redacted)
        return MySQLWarehouse(name: name, settings: settings, pool: pool)
    }

    public func catalog(for tables: [TableName]) async throws(WarehouseError) -> Catalog {
        var assembler = CatalogAssembler()
        for row in try await queryRows(dialect.catalogQuery(for: tables)) where row.count >= 7 {
            guard case .text(let schema) = row[0], case .text(let table) = row[1], case .text(let column) = row[2] else { continue }
            let columnType: String = if case .text(let text) = row[3] { text } else { "" }
            assembler.add(schema: schema, table: table, column: column, declaredType: columnType,
                          isNullable: row[4] == .text("YES"), isIndexed: row[6].double == 1)
        }
        return assembler.catalog(for: tables, defaultSchema: settings.url.database)
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

extension MySQLSession: ReadOnlySession {}
