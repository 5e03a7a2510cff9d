import Foundation

// `dqmon init` reads every table of a schema with one catalog query. The queries read the same catalog views as the
// warehouses' `catalogQuery(for:)` (the schema check's), scoped by schema instead of by a list of tables, and
// without the index facts only metric SQL needs.

extension Warehouse {
    /// Warehouse types that cannot list their tables: a clear error rather than an empty config.
    public func catalog(ofSchema schema: String?) async throws(WarehouseError) -> Catalog {
        throw WarehouseError(warehouse: name, kind: .query, message: "this warehouse type cannot list its tables for dqmon init")
    }
}

extension SQLiteWarehouse {
    /// The tables and views of the database file (SQLite's `main`; `schema` other than `main` is an error).
    public func catalog(ofSchema schema: String?) async throws(WarehouseError) -> Catalog {
        if let schema, schema != "main" {
            throw WarehouseError(warehouse: name, kind: .query, message: "SQLite has one schema, main; drop --schema \(ConfigText.quoted(schema))")
        }
        let rows = try await queryRows(SQLStatement("""
            SELECT m.name, p.name, p.type, p."notnull", p.cid \
            FROM sqlite_master AS m JOIN pragma_table_info(m.name) AS p \
            WHERE m.type IN ('table', 'view') AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' \
            ORDER BY m.name, p.cid
            """))
        var catalog = Catalog()
        for row in rows where row.count >= 5 {
            guard case .text(let table) = row[0], case .text(let column) = row[1] else { continue }
            let type: String = if case .text(let declared) = row[2] { declared } else { "" }
            let key = TableName(schema: nil, table: table)
            let position = (catalog.tables[key]?.count ?? 0) + 1
            catalog.tables[key, default: []].append(CatalogColumn(name: column, declaredType: type, isNullable: row[3].double == 0, position: position))
        }
        return catalog
    }
}

extension PostgresWarehouse {
    public func catalog(ofSchema schema: String?) async throws(WarehouseError) -> Catalog {
        let rows = try await queryRows(SQLStatement("""
            SELECT table_schema, table_name, column_name, data_type, udt_name, is_nullable \
            FROM information_schema.columns WHERE table_schema = ? \
            ORDER BY table_schema, table_name, ordinal_position
            """, arguments: [.text(schema ?? settings.schema)]))
        var catalog = Catalog()
        for row in rows where row.count >= 6 {
            guard case .text(let schema) = row[0], case .text(let table) = row[1], case .text(let column) = row[2] else { continue }
            let dataType: String = if case .text(let text) = row[3] { text } else { "" }
            let udtName: String = if case .text(let text) = row[4] { text } else { "" }
            catalog.append(TableName(schema: schema, table: table), column: column,
                           type: PostgresTypes.normalize(dataType: dataType, udtName: udtName), nullable: row[5] == .text("YES"))
        }
        return catalog
    }
}

extension MySQLWarehouse {
    public func catalog(ofSchema schema: String?) async throws(WarehouseError) -> Catalog {
        let rows = try await queryRows(SQLStatement("""
            SELECT table_schema, table_name, column_name, column_type, is_nullable \
            FROM information_schema.columns WHERE table_schema = ? \
            ORDER BY table_schema, table_name, ordinal_position
            """, arguments: [.text(schema ?? settings.url.database)]))
        var catalog = Catalog()
        for row in rows where row.count >= 5 {
            guard case .text(let schema) = row[0], case .text(let table) = row[1], case .text(let column) = row[2] else { continue }
            let type: String = if case .text(let text) = row[3] { text } else { "" }
            catalog.append(TableName(schema: schema, table: table), column: column, type: type, nullable: row[4] == .text("YES"))
        }
        return catalog
    }
}

extension Catalog {
    /// Adds the next column of `table`, numbered 1…n in the order the catalog returns them.
    mutating func append(_ table: TableName, column: String, type: String, nullable: Bool) {
        let position = (tables[table]?.count ?? 0) + 1
        tables[table, default: []].append(CatalogColumn(name: column, declaredType: type, isNullable: nullable, position: position))
    }
}
