/// PostgreSQL's spelling of the SQL that metrics need, kept to what PostgreSQL and Redshift share:
/// double-quoted identifiers, `EXTRACT(EPOCH FROM …)`, `CASE`, and `information_schema.columns`.
public struct PostgresDialect: SQLDialect {
    /// The schema of dataset names written without one (`orders` means `<defaultSchema>.orders`).
    public let defaultSchema: String

    public init(defaultSchema: String = "public") { self.defaultSchema = defaultSchema }

    public var typeNormalizer: any TypeNormalizer { PostgresTypeNormalizer() }

    /// PostgreSQL's `~`: an advanced regular expression, case-sensitive, found anywhere in the text.
    public func regexMatch(_ expression: String) -> String { "\(expression) ~ ?" }

    /// Always schema-qualified, so the session's `search_path` never changes which table is checked.
    public func qualifiedName(_ table: TableName) -> String {
        quote(table.schema ?? defaultSchema) + "." + quote(table.table)
    }

    /// For `timestamp`, `timestamptz` and `date` columns. A zone-less `timestamp` reads as UTC (dqmon's rule for timestamps without a zone):
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

    /// `max(col)` on the raw column, converted once: PostgreSQL answers it from an index on the column
    /// (an index-only scan backwards with a limit). Epoch-number columns take the greatest value in seconds
    /// (≤ 10¹¹) and in milliseconds (above) from two such probes, so a column mixing both stays exact.
    /// Text columns need a per-row cast (nil): store timestamps as `timestamptz` to have an index serve them.
    public func latestTimestampProbe(_ column: TimestampColumn, in table: String) -> SQLStatement? {
        guard column.isIndexed != false else { return nil }
        let c = quote(column.name)
        switch PostgresTimestampStorage(declaredType: column.declaredType) {
        case .zoned, .zoneless, .date, .other:
            return SQLStatement("SELECT CAST(EXTRACT(EPOCH FROM (SELECT max(\(c)) FROM \(table))) AS DOUBLE PRECISION)")
        case .epochInteger, .epochFraction:
            return SQLStatement("""
                SELECT CAST(GREATEST((SELECT max(\(c)) FROM \(table) WHERE \(c) <= 100000000000), \
                (SELECT max(\(c)) FROM \(table) WHERE \(c) > 100000000000) / 1000.0) AS DOUBLE PRECISION)
                """)
        case .text:
            return nil
        }
    }

    /// `count(*) WHERE col >= bound`, the bound typed as the column is: `timestamptz` from `to_timestamp`,
    /// `timestamp` and `date` from the UTC wall time (as `EXTRACT(EPOCH …)` reads them), integers rounded up to
    /// the next whole second or millisecond, so the column's own btree serves the range.
    public func rowsSinceProbe(_ column: TimestampColumn, cutoff: Double, in table: String) -> SQLStatement? {
        guard column.isIndexed != false, let predicate = rowsSincePredicate(column, cutoff: cutoff) else { return nil }
        return SQLStatement("SELECT count(*) FROM \(table) WHERE ") + predicate
    }

    /// A column without an index is read once for all the dataset's metrics: `max` of the raw column, converted
    /// once (text columns: per row).
    public func latestTimestampInScan(_ column: TimestampColumn, in table: String) -> ScanAggregate {
        let c = quote(column.name)
        switch PostgresTimestampStorage(declaredType: column.declaredType) {
        case .zoned, .zoneless, .date, .other:
            return ScanAggregate(SQLStatement("max(\(c))")) { "CAST(EXTRACT(EPOCH FROM \($0)) AS DOUBLE PRECISION)" }
        case .epochInteger, .epochFraction:
            return ScanAggregate(SQLStatement("max(CASE WHEN \(c) > 100000000000 THEN \(c) / 1000.0 ELSE \(c) END)")) {
                "CAST(\($0) AS DOUBLE PRECISION)"
            }
        case .text:
            return ScanAggregate(SQLStatement("max(\(epochSeconds(of: c, declaredType: column.declaredType)))"))
        }
    }

    /// The window as a predicate on the raw column in the shared scan (text columns: per row).
    public func rowsSinceInScan(_ column: TimestampColumn, cutoff: Double) -> ScanAggregate {
        .windowCount(predicate: rowsSincePredicate(column, cutoff: cutoff),
                     perRowEpoch: epochSeconds(of: quote(column.name), declaredType: column.declaredType), cutoff: cutoff)
    }

    /// `col >= bound` with the bound typed as the column is; nil for text and other types (per-row cast).
    func rowsSincePredicate(_ column: TimestampColumn, cutoff: Double) -> SQLStatement? {
        let c = quote(column.name)
        switch PostgresTimestampStorage(declaredType: column.declaredType) {
        case .zoned:
            return SQLStatement("\(c) >= to_timestamp(?)", arguments: [.real(cutoff)])
        case .zoneless, .date:
            return SQLStatement("\(c) >= (to_timestamp(?) AT TIME ZONE 'UTC')", arguments: [.real(cutoff)])
        case .epochInteger:
            let seconds = Self.integerBound(cutoff), milliseconds = Self.integerBound(cutoff * 1000)
            return SQLStatement("((\(c) >= ? AND \(c) <= 100000000000) OR (\(c) > 100000000000 AND \(c) >= ?))",
                                arguments: [seconds, milliseconds])
        case .epochFraction(let type):
            return SQLStatement("((\(c) >= CAST(? AS \(type)) AND \(c) <= 100000000000) OR (\(c) > 100000000000 AND \(c) >= CAST(? AS \(type))))",
                                arguments: [.real(cutoff), .real(cutoff * 1000)])
        case .text, .other:
            return nil
        }
    }

    /// The smallest integer at or above `value`, as a bound for an integer column (clamped to Int64).
    static func integerBound(_ value: Double) -> SQLValue {
        guard value.isFinite else { return value > 0 ? .integer(.max) : .integer(.min) }
        let up = value.rounded(.up)
        if up >= 9.2e18 { return .integer(.max) }
        if up <= -9.2e18 { return .integer(.min) }
        return .integer(Int64(up))
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
        // The last column says whether the column leads a non-partial index: probes for those, one scan otherwise.
        let sql = """
            SELECT table_schema, table_name, column_name, data_type, udt_name, is_nullable, ordinal_position, \
            EXISTS (SELECT 1 FROM pg_catalog.pg_index AS i JOIN pg_catalog.pg_attribute AS a \
            ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0] \
            WHERE i.indrelid = format('%I.%I', table_schema, table_name)::regclass AND a.attname = column_name \
            AND i.indpred IS NULL) \
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

/// How a PostgreSQL column stores a timestamp, from its catalog type; unknown (`--dry-run`) reads as `timestamptz`.
enum PostgresTimestampStorage: Equatable {
    case zoned, zoneless, date, epochInteger, epochFraction(String), text, other

    init(declaredType: String?) {
        switch declaredType.map({ PostgresTypes.normalize($0) }) {
        case nil, "timestamptz": self = .zoned
        case "timestamp": self = .zoneless
        case "date": self = .date
        case "smallint", "integer", "bigint": self = .epochInteger
        case let type? where ["numeric", "real", "double precision"].contains(type): self = .epochFraction(type)
        case "text", "varchar", "char": self = .text
        default: self = .other
        }
    }
}
