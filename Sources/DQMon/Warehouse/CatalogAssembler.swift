/// Builds a `Catalog` from the rows of a warehouse's catalog query, one column at a time, for the warehouses
/// whose catalog is a SQL query over `information_schema` (PostgreSQL, MySQL). Positions are renumbered 1…n in
/// the order the rows come (PostgreSQL keeps gaps where columns were dropped), and a table the query did not
/// return is left out of the catalog, which the schema check reports as missing.
struct CatalogAssembler {
    private var columns: [TableName: [CatalogColumn]] = [:]
    private var indexed: [TableName: Set<String>] = [:]

    /// Adds the next column of `schema.table`; `isIndexed` when an index leads with it.
    mutating func add(schema: String, table: String, column: String, declaredType: String, isNullable: Bool, isIndexed: Bool) {
        let key = TableName(schema: schema, table: table)
        if isIndexed { indexed[key, default: []].insert(column) }
        let position = (columns[key]?.count ?? 0) + 1
        columns[key, default: []].append(CatalogColumn(name: column, declaredType: declaredType,
                                                       isNullable: isNullable, position: position))
    }

    /// The catalog of `tables` as the datasets name them; a table without a schema is looked up in `defaultSchema`.
    func catalog(for tables: [TableName], defaultSchema: String) -> Catalog {
        var catalog = Catalog()
        for table in tables {
            let key = TableName(schema: table.schema ?? defaultSchema, table: table.table)
            if let found = columns[key] {
                catalog.tables[table] = found
                catalog.indexedColumns[table] = indexed[key] ?? []
            }
        }
        return catalog
    }
}
