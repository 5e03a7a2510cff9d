import Foundation

/// PostgreSQL's type names, in every spelling the catalog or a user may use (`int4`, `integer`,
/// `character varying(20)`, `timestamp(3) with time zone`, `_int4`, `numeric(10,2)`…), mapped to
/// PostgreSQL's short names. It covers the ANSI names, so a new dialect may start from it.
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

    public var knownTypeNames: Set<String> {
        Set(Self.synonyms.keys).union(["int4range", "int8range", "numrange", "tsrange", "tstzrange", "daterange", "pg_lsn", "hstore",
                                        "point", "line", "lseg", "box", "path", "polygon", "circle", "regclass", "array", "user-defined",
                                        "geometry", "geography", "ltree"])
    }

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
