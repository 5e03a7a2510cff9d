import Foundation

/// The settings of one warehouse type, parsed from `dqmon.yml`. Each type makes its own connections.
public protocol WarehouseSettings: Sendable {
    /// The `type:` value, e.g. `sqlite`.
    static var typeName: String { get }
    /// Keys accepted besides `type`.
    static var keys: [String] { get }
    /// Reads the settings; relative paths resolve against `directory`. Problems go to the fields' diagnostics.
    static func parse(_ fields: ConfigFields, directory: URL) -> Self?
    /// Opens the warehouse. Throws a `WarehouseError` of kind `.unavailable` when it cannot be reached.
    func connect(name: String) async throws(WarehouseError) -> any Warehouse
    /// How many checks may query this warehouse at once by default.
    var defaultParallelism: Int { get }
    /// The SQL dialect, known without connecting (for `--dry-run`).
    var dialect: any SQLDialect { get }
    /// How the type's column type names normalize (schema checks, and "did you mean" in a `contract:`).
    static var typeNormalizer: any TypeNormalizer { get }
}

/// One entry of `warehouses:` in `dqmon.yml`.
public struct WarehouseConfig: Sendable {
    public let name: String
    public let typeName: String
    public let settings: any WarehouseSettings
    public let location: SourceLocation

    public init(name: String, settings: any WarehouseSettings, location: SourceLocation) {
        self.name = name
        self.typeName = type(of: settings).typeName
        self.settings = settings
        self.location = location
    }
}

/// The warehouse types dqmon knows. Adding one means a new folder under Warehouse/ and a line in `builtIn`
/// (a test adds its own with `Registries.adding(warehouse:)`).
public struct WarehouseRegistry: Sendable {
    public static let builtIn = WarehouseRegistry(types: [SQLiteSettings.self, PostgresSettings.self, MySQLSettings.self])

    public let types: [any WarehouseSettings.Type]

    public init(types: [any WarehouseSettings.Type]) { self.types = types }

    public func type(named name: String) -> (any WarehouseSettings.Type)? {
        types.first { $0.typeName == name }
    }

    public var typeNames: [String] { types.map { $0.typeName } }
}
