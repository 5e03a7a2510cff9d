/// SQLite's spelling of the SQL that metrics need.
public struct SQLiteDialect: SQLDialect {
    public init() {}

    public var typeNormalizer: any TypeNormalizer { SQLiteTypeNormalizer() }

    /// SQLite stores timestamps as ISO text or as epoch numbers (seconds, or milliseconds when large);
    /// `julianday` reads every ISO form, with or without a zone, as UTC.
    public func epochSeconds(of column: String) -> String {
        "CASE WHEN typeof(\(column)) IN ('integer','real') THEN "
            + "(CASE WHEN \(column) > 100000000000 THEN \(column) / 1000.0 ELSE \(column) END) "
            + "ELSE (julianday(\(column)) - 2440587.5) * 86400.0 END"
    }

    /// One query over `sqlite_master` joined with `pragma_table_info` for every table at once.
    /// SQLite table names are case-insensitive, so the match is too.
    public func catalogQuery(for tables: [TableName]) -> SQLStatement {
        let placeholders = Array(repeating: "?", count: max(tables.count, 1)).joined(separator: ", ")
        let names: [SQLValue] = tables.isEmpty ? [.text("")] : tables.map { .text($0.table.lowercased()) }
        let sql = """
            SELECT m.name, p.name, p.type, p."notnull", p.cid \
            FROM sqlite_master AS m JOIN pragma_table_info(m.name) AS p \
            WHERE m.type IN ('table', 'view') AND lower(m.name) IN (\(placeholders)) \
            ORDER BY m.name, p.cid
            """
        return SQLStatement(sql, arguments: names)
    }
}
