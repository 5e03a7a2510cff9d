import Foundation

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

    public var knownTypeNames: Set<String> {
        Set(Self.numericAffinityNames.keys).union(["integer", "text", "blob", "real", "numeric", "clob", "tinyint", "mediumint", "nvarchar"])
    }

    public func normalize(_ declaredType: String) -> String {
        let text = Self.simplified(declaredType)
        if text.contains("int") { return "integer" }
        if text.contains("char") || text.contains("clob") || text.contains("text") { return "text" }
        if text.contains("blob") || text.isEmpty { return "blob" }
        if text.contains("real") || text.contains("floa") || text.contains("doub") { return "real" }
        return Self.numericAffinityNames[text] ?? "numeric"
    }
}
