import Foundation

/// Maps a warehouse's spelling of a column type to one canonical name, so that `int4`, `integer` and
/// `INT` are one type and a schema check does not report a change when only the spelling differs.
///
/// Each warehouse type chooses its normalizer through its `SQLDialect` (`typeNormalizer`). The schema
/// check normalizes both the catalog's declared types and the types written in a `contract:` with the
/// warehouse's normalizer, so a contract says `bigint` and matches what that warehouse calls a bigint.
/// Length, precision and scale modifiers are ignored: `varchar(20)` -> `varchar(50)` is not a change.
public protocol TypeNormalizer: Sendable {
    /// The canonical, lowercase name of `declaredType`.
    func normalize(_ declaredType: String) -> String
}

extension TypeNormalizer {
    /// Lowercased, modifiers such as `(10,2)` removed, whitespace collapsed, quotes kept as written.
    static func simplified(_ declared: String) -> String {
        var text = ""
        var depth = 0
        var inQuotes = false
        for character in declared.trimmingCharacters(in: .whitespacesAndNewlines) {
            if character == "\"" { inQuotes.toggle() }
            if !inQuotes, character == "(" { depth += 1; continue }
            if !inQuotes, character == ")" { depth = max(0, depth - 1); continue }
            if depth == 0 { text += inQuotes ? String(character) : character.lowercased() }
        }
        return text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }
}

extension SQLDialect {
    /// The ANSI/PostgreSQL names, for dialects that do not choose their own.
    public var typeNormalizer: any TypeNormalizer { PostgresTypeNormalizer() }
}

/// PostgreSQL's type names, in every spelling the catalog or a user may use (`int4`, `integer`,
/// `character varying(20)`, `timestamp(3) with time zone`, `_int4`, `numeric(10,2)`…), mapped to
/// PostgreSQL's short names. Also the default for dialects without their own: it covers the ANSI names.
///
/// Canonical names: smallint, integer, bigint, numeric, real, double precision, money, text (varchar and
/// text), char (blank-padded `character(n)`), boolean, date, time, timetz, timestamp, timestamptz,
/// interval, bytea, uuid, json, jsonb, xml, inet, cidr, macaddr, bit, varbit, tsvector; arrays as `integer[]`.
/// Anything else (enums, domains, extensions) keeps its own lowercased name.
public struct PostgresTypeNormalizer: TypeNormalizer {
    public init() {}

    static let synonyms: [String: String] = [
        "int2": "smallint", "smallint": "smallint", "smallserial": "smallint", "serial2": "smallint",
        "int": "integer", "int4": "integer", "integer": "integer", "serial": "integer", "serial4": "integer",
        "int8": "bigint", "bigint": "bigint", "bigserial": "bigint", "serial8": "bigint",
        "numeric": "numeric", "decimal": "numeric", "dec": "numeric",
        "real": "real", "float4": "real",
        "double precision": "double precision", "float8": "double precision", "double": "double precision",
        "money": "money",
        "text": "text", "varchar": "text", "character varying": "text", "char varying": "text", "string": "text",
        "char": "char", "character": "char", "bpchar": "char", "nchar": "char",
        "boolean": "boolean", "bool": "boolean",
        "date": "date",
        "time": "time", "time without time zone": "time", "timetz": "timetz", "time with time zone": "timetz",
        "timestamp": "timestamp", "timestamp without time zone": "timestamp", "datetime": "timestamp",
        "timestamptz": "timestamptz", "timestamp with time zone": "timestamptz",
        "interval": "interval",
        "bytea": "bytea", "blob": "bytea", "binary": "bytea", "varbinary": "bytea",
        "uuid": "uuid", "json": "json", "jsonb": "jsonb", "xml": "xml",
        "inet": "inet", "cidr": "cidr", "macaddr": "macaddr", "macaddr8": "macaddr8",
        "bit": "bit", "bit varying": "varbit", "varbit": "varbit", "tsvector": "tsvector", "tsquery": "tsquery",
        "oid": "oid", "name": "name", "citext": "citext",
    ]

    public func normalize(_ declaredType: String) -> String {
        var text = Self.simplified(declaredType)
        if text.hasPrefix("pg_catalog.") { text.removeFirst("pg_catalog.".count) }
        // `integer[]` from format_type, `_int4` from pg_type.typname / information_schema.udt_name.
        if text.hasSuffix("[]") { return normalize(String(text.dropLast(2))) + "[]" }
        if text.hasPrefix("_"), let element = Self.synonyms[String(text.dropFirst())] { return element + "[]" }
        // `interval day to second`, `float(53)`: fields and precision do not change the type's family.
        if text.hasPrefix("interval ") { return "interval" }
        if text == "float" {
            let precision = declaredType.split(whereSeparator: { !$0.isNumber }).first.flatMap { Int($0) } ?? 53
            return precision <= 24 ? "real" : "double precision"
        }
        return Self.synonyms[text] ?? text
    }
}

/// SQLite's types follow its type affinity rules (https://sqlite.org/datatype3.html#affinity_name_examples):
/// a declared type containing `INT` is `integer` (so INT, BIGINT, INT8 are one type), `CHAR`, `CLOB` or
/// `TEXT` is `text`, `BLOB` or no type is `blob`, `REAL`, `FLOA` or `DOUB` is `real`; the rest has NUMERIC
/// affinity, where dqmon keeps the names that say what the column holds (`boolean`, `date`, `timestamp`
/// for DATETIME/TIMESTAMP) and calls everything else `numeric` (DECIMAL(10,2), NUMERIC).
public struct SQLiteTypeNormalizer: TypeNormalizer {
    public init() {}

    static let numericAffinityNames: [String: String] = [
        "boolean": "boolean", "bool": "boolean", "date": "date", "datetime": "timestamp", "timestamp": "timestamp",
        "timestamptz": "timestamp", "timestamp with time zone": "timestamp", "timestamp without time zone": "timestamp",
        "time": "time",
    ]

    public func normalize(_ declaredType: String) -> String {
        let text = Self.simplified(declaredType)
        if text.contains("int") { return "integer" }
        if text.contains("char") || text.contains("clob") || text.contains("text") { return "text" }
        if text.contains("blob") || text.isEmpty { return "blob" }
        if text.contains("real") || text.contains("floa") || text.contains("doub") { return "real" }
        return Self.numericAffinityNames[text] ?? "numeric"
    }
}

/// Type names a `contract:` may use, for "did you mean" on a misspelt type. Unknown names that are not
/// close to one of these (enums, domains, extension types) are accepted as written.
public enum KnownTypeNames {
    public static let all: [String] = Array(Set(PostgresTypeNormalizer.synonyms.keys)
        .union(SQLiteTypeNormalizer.numericAffinityNames.keys)
        .union(["integer", "text", "blob", "real", "numeric", "clob", "tinyint", "mediumint", "nvarchar", "point", "line",
                "lseg", "box", "path", "polygon", "circle", "int4range", "int8range", "numrange", "tsrange", "tstzrange",
                "daterange", "pg_lsn", "hstore", "geometry", "geography", "ltree", "regclass", "array", "user-defined"])).sorted()

    /// A close known name when `type` is not itself known (nor a spelling with modifiers or an array).
    public static func misspelling(_ type: String) -> String? {
        let simplified = PostgresTypeNormalizer.simplified(type)
        let base = simplified.hasSuffix("[]") ? String(simplified.dropLast(2)) : simplified
        guard !all.contains(base), !base.contains("\""), !base.contains(".") else { return nil }
        // Stricter than key suggestions: short custom type names (`mood`) must not look like typos (`bool`).
        let limit = base.count <= 5 ? 1 : 2
        let best = all.map { ($0, Suggestion.editDistance(base, $0)) }.min { $0.1 < $1.1 }
        guard let best, best.1 <= limit else { return nil }
        return best.0
    }
}
