/// PostgreSQL's spelling of the SQL that metrics need, kept to what PostgreSQL and Redshift share:
/// double-quoted identifiers, `EXTRACT(EPOCH FROM …)`, `CASE`, and `information_schema.columns`.
public struct PostgresDialect: SQLDialect {
    /// The schema of dataset names written without one (`orders` means `<defaultSchema>.orders`).
    public let defaultSchema: String

    public init(defaultSchema: String = "public") { self.defaultSchema = defaultSchema }

    /// Always schema-qualified, so the session's `search_path` never changes which table is checked.
    public func qualifiedName(_ table: TableName) -> String {
        quote(table.schema ?? defaultSchema) + "." + quote(table.table)
    }

    /// For `timestamp`, `timestamptz` and `date` columns. A zone-less `timestamp` reads as UTC, as SPEC 2 asks:
    /// `EXTRACT(EPOCH FROM timestamp)` ignores the session time zone.
    public func epochSeconds(of column: String) -> String {
        "CAST(EXTRACT(EPOCH FROM \(column)) AS DOUBLE PRECISION)"
    }

    /// Numeric columns hold epoch seconds, or milliseconds when large (as SQLite's dialect reads them);
    /// text columns are parsed as timestamps; the rest go through `EXTRACT`.
    public func epochSeconds(of column: String, declaredType: String?) -> String {
        switch declaredType.map({ PostgresTypes.normalize($0) }) {
        case "smallint", "integer", "bigint", "numeric", "real", "double precision":
            return "CAST(CASE WHEN \(column) > 100000000000 THEN \(column) / 1000.0 ELSE \(column) END AS DOUBLE PRECISION)"
        case "text", "varchar", "char":
            return "CAST(EXTRACT(EPOCH FROM CAST(\(column) AS TIMESTAMP)) AS DOUBLE PRECISION)"
        default:
            return epochSeconds(of: column)
        }
    }

    /// One query over `information_schema.columns` for every table at once, matching (schema, table) exactly:
    /// quoted mixed-case names stay as written. Columns come back in table order.
    public func catalogQuery(for tables: [TableName]) -> SQLStatement {
        var pairs: [String] = []
        var arguments: [SQLValue] = []
        for table in tables {
            pairs.append("(?, ?)")
            arguments += [.text(table.schema ?? defaultSchema), .text(table.table)]
        }
        if tables.isEmpty {
            pairs.append("(?, ?)")
            arguments += [.text(""), .text("")]
        }
        let sql = """
            SELECT table_schema, table_name, column_name, data_type, udt_name, is_nullable, ordinal_position \
            FROM information_schema.columns \
            WHERE (table_schema, table_name) IN (\(pairs.joined(separator: ", "))) \
            ORDER BY table_schema, table_name, ordinal_position
            """
        return SQLStatement(sql, arguments: arguments)
    }
}

/// Normalized PostgreSQL type names: the short names users write in schema contracts (`bigint`, `text`,
/// `timestamptz`), whatever spelling the catalog uses.
public enum PostgresTypes {
    static let aliases: [String: String] = [
        "timestamp without time zone": "timestamp", "timestamp with time zone": "timestamptz",
        "time without time zone": "time", "time with time zone": "timetz",
        "character varying": "varchar", "character": "char", "bpchar": "char",
        "int8": "bigint", "int4": "integer", "int": "integer", "int2": "smallint",
        "float8": "double precision", "float4": "real", "decimal": "numeric", "bool": "boolean",
    ]

    /// `timestamp with time zone` -> `timestamptz`, `character varying(20)` -> `varchar`; unknown names lowercased.
    public static func normalize(_ type: String) -> String {
        let name = type.lowercased()
            .replacingOccurrences(of: #"\s*\([0-9, ]*\)"#, with: "", options: .regularExpression)
            .trimmingCharacters(in: .whitespaces)
        return aliases[name] ?? name
    }

    /// The catalog's `data_type`, with `udt_name` filling in arrays (`_int4` -> `integer[]`) and user types.
    static func normalize(dataType: String, udtName: String) -> String {
        switch dataType {
        case "ARRAY": return normalize(String(udtName.drop { $0 == "_" })) + "[]"
        case "USER-DEFINED": return udtName
        default: return normalize(dataType)
        }
    }
}
