import Foundation

/// One column of a schema snapshot: its name as the warehouse spells it, its normalized type, whether it
/// accepts NULL, and its 1-based position.
public struct SchemaColumn: Sendable, Hashable, Codable {
    public var name: String
    /// The warehouse's `TypeNormalizer` output, e.g. `integer` for `int4`.
    public var type: String
    /// The type as the catalog spelled it, e.g. `numeric(10,2)`: shown, never compared.
    public var declaredType: String
    public var nullable: Bool
    public var position: Int

    public init(name: String, type: String, declaredType: String, nullable: Bool, position: Int) {
        self.name = name
        self.type = type
        self.declaredType = declaredType
        self.nullable = nullable
        self.position = position
    }

    public init(_ column: CatalogColumn, types: any TypeNormalizer) {
        self.init(name: column.name, type: types.normalize(column.declaredType), declaredType: column.declaredType,
                  nullable: column.isNullable, position: column.position)
    }

    enum CodingKeys: String, CodingKey {
        case name, type, declaredType = "declared_type", nullable, position
    }
}

/// The columns of one dataset at one time. Stored in `schema_snapshots` only when `hash` differs from the
/// dataset's latest stored snapshot.
public struct SchemaSnapshot: Sendable, Hashable {
    public var columns: [SchemaColumn]
    /// When it was stored (the run's evaluation time); nil for a snapshot not stored yet.
    public var takenAt: Date?

    public init(columns: [SchemaColumn], takenAt: Date? = nil) {
        self.columns = columns.sorted { $0.position < $1.position }
        self.takenAt = takenAt
    }

    public init(catalog columns: [CatalogColumn], types: any TypeNormalizer) {
        self.init(columns: columns.map { SchemaColumn($0, types: types) })
    }

    /// A stable hash of what is compared (names, normalized types, nullability, positions): a change in the
    /// declared spelling only (`int4` -> `integer`) does not make a new snapshot.
    public var hash: String {
        var hasher = FNV1a()
        for column in columns {
            hasher.combine(column.name)
            hasher.combine(column.type)
            hasher.combine(column.nullable ? "null" : "not null")
            hasher.combine(String(column.position))
        }
        return hasher.hexDigest
    }

    /// The JSON stored in `schema_snapshots.columns`: an array of `{name, type, declared_type, nullable, position}`.
    public var columnsJSON: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(columns) else { return "[]" }
        return String(decoding: data, as: UTF8.self)
    }

    public static func columns(fromJSON json: String) -> [SchemaColumn] {
        (try? JSONDecoder().decode([SchemaColumn].self, from: Data(json.utf8))) ?? []
    }

    public func column(named name: String) -> SchemaColumn? { columns.first { $0.name == name } }
}
