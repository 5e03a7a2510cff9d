import Foundation

/// MySQL's and MariaDB's type names, as `information_schema.columns.column_type` spells them (`int(11)`,
/// `tinyint(1)`, `varchar(255)`, `decimal(12,2)`, `bigint(20) unsigned`, `enum('new','paid')`) or as a user writes
/// them in a `contract:`, mapped to one canonical name each.
///
/// Canonical names: boolean (`tinyint(1)`, `bool`), smallint (`tinyint`, `smallint`), integer (`mediumint`,
/// `int`), bigint, each with ` unsigned` kept (it changes the range); numeric (`decimal`, `numeric`, `fixed`);
/// real (`float`); double precision (`double`, `real`); text (`varchar`, `tinytext`…`longtext`); char; binary
/// (`binary`, `varbinary`, the blobs); date, time, datetime (zone-less) and timestamp (stored in UTC) kept apart;
/// year; json (MySQL 8; MariaDB stores JSON as `longtext`, so there it reads `text`); bit.
/// Length, precision and scale are ignored like everywhere (`decimal(10,2)` → `decimal(12,4)` is no change), but
/// an `enum(...)` or `set(...)` keeps its members: a new or removed member is a change of the column's type.
public struct MySQLTypeNormalizer: TypeNormalizer {
    public init() {}

    static let synonyms: [String: String] = [
        "bool": "boolean", "boolean": "boolean",
        "tinyint": "smallint", "smallint": "smallint", "int1": "smallint", "int2": "smallint",
        "mediumint": "integer", "int": "integer", "integer": "integer", "int3": "integer", "int4": "integer", "middleint": "integer",
        "bigint": "bigint", "int8": "bigint", "serial": "bigint unsigned",
        "decimal": "numeric", "numeric": "numeric", "dec": "numeric", "fixed": "numeric",
        "float": "real", "float4": "real",
        "double": "double precision", "double precision": "double precision", "real": "double precision", "float8": "double precision",
        "varchar": "text", "character varying": "text", "tinytext": "text", "text": "text", "mediumtext": "text",
        "longtext": "text", "long": "text", "long varchar": "text", "nvarchar": "text", "national varchar": "text",
        "char": "char", "character": "char", "nchar": "char", "national char": "char",
        "binary": "binary", "varbinary": "binary", "tinyblob": "binary", "blob": "binary", "mediumblob": "binary", "longblob": "binary",
        "date": "date", "time": "time", "datetime": "datetime", "timestamp": "timestamp", "year": "year",
        "json": "json", "bit": "bit", "uuid": "uuid", "inet4": "inet4", "inet6": "inet6",
        "geometry": "geometry", "point": "point",
    ]

    public var knownTypeNames: Set<String> { Set(Self.synonyms.keys).union(["enum", "set", "unsigned"]) }

    public func normalize(_ declaredType: String) -> String {
        let trimmed = declaredType.trimmingCharacters(in: .whitespacesAndNewlines)
        let lowered = trimmed.lowercased()
        if let members = Self.members(of: trimmed, kind: "enum") { return "enum(\(members))" }
        if let members = Self.members(of: trimmed, kind: "set") { return "set(\(members))" }
        // `tinyint(1)` is how MySQL spells BOOLEAN (MySQL 8.0.19+ drops other display widths but keeps this one).
        if lowered.replacingOccurrences(of: " ", with: "").hasPrefix("tinyint(1)"), !lowered.contains("unsigned") { return "boolean" }
        var words = Self.simplified(trimmed).split(separator: " ").map(String.init)
        let isUnsigned = words.contains("unsigned")
        words.removeAll { ["unsigned", "signed", "zerofill"].contains($0) }
        let base = words.joined(separator: " ")
        let name = Self.synonyms[base] ?? base
        let isInteger = ["smallint", "integer", "bigint"].contains(name)
        return isUnsigned && isInteger ? name + " unsigned" : name
    }

    /// `enum('a','b')` → `'a','b'` (quotes and case of the members as written, spaces between members dropped).
    static func members(of declared: String, kind: String) -> String? {
        guard declared.lowercased().hasPrefix(kind),
              let open = declared.firstIndex(of: "("), let close = declared.lastIndex(of: ")"), open < close,
              declared[declared.startIndex..<open].trimmingCharacters(in: .whitespaces).lowercased() == kind else { return nil }
        var result = ""
        var inQuotes = false
        for character in declared[declared.index(after: open)..<close] {
            if character == "'" { inQuotes.toggle() }
            if !inQuotes, character.isWhitespace { continue }
            result.append(character)
        }
        return result
    }
}
