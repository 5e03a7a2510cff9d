import DQMon
import Foundation

/// A test-only warehouse type, to show that a new warehouse is a new folder plus one registry line
/// (`Registries.builtIn.adding(warehouse: BacktickSettings.self)`): a SQLite file spoken to in a dialect of its own
/// (identifiers in backticks, as MySQL writes them, and no index probes: every metric comes from the one scan).
struct BacktickSettings: WarehouseSettings {
    static let typeName = "backtick_sqlite"
    static let keys = ["path"]
    static var typeNormalizer: any TypeNormalizer { SQLiteTypeNormalizer() }

    let path: URL

    static func parse(_ fields: ConfigFields, directory: URL) -> BacktickSettings? {
        guard fields.require("path") != nil, let path = fields.string("path") else { return nil }
        return BacktickSettings(path: URL(fileURLWithPath: path, relativeTo: directory).standardizedFileURL)
    }

    var defaultParallelism: Int { 1 }
    var dialect: any SQLDialect { BacktickDialect() }

    func connect(name: String) async throws(WarehouseError) -> any Warehouse {
        BacktickWarehouse(name: name, file: try SQLiteWarehouse(name: name, settings: SQLiteSettings(path: path)))
    }
}

/// Backtick-quoted identifiers; timestamps read as SQLite reads them, row by row.
struct BacktickDialect: SQLDialect {
    var typeNormalizer: any TypeNormalizer { SQLiteTypeNormalizer() }

    func quote(_ identifier: String) -> String { "`" + identifier.replacingOccurrences(of: "`", with: "``") + "`" }

    func epochSeconds(of quotedColumn: String) -> String { SQLiteDialect().epochSeconds(of: quotedColumn) }

    func catalogQuery(for tables: [TableName]) -> SQLStatement { SQLiteDialect().catalogQuery(for: tables) }
}

/// Sends every statement to the SQLite file; records what it was sent, so a test can see the dialect at work.
final class BacktickWarehouse: Warehouse, @unchecked Sendable {
    let name: String
    let file: SQLiteWarehouse
    var dialect: any SQLDialect { BacktickDialect() }

    init(name: String, file: SQLiteWarehouse) {
        self.name = name
        self.file = file
    }

    static let log = StatementLog()

    func catalog(for tables: [TableName]) async throws(WarehouseError) -> Catalog {
        try await file.catalog(for: tables)
    }

    func queryRow(_ statement: SQLStatement) async throws(WarehouseError) -> [SQLValue] {
        Self.log.append(statement.sql)
        return try await file.queryRow(statement)
    }

    func queryRows(_ statement: SQLStatement) async throws(WarehouseError) -> [[SQLValue]] {
        Self.log.append(statement.sql)
        return try await file.queryRows(statement)
    }

    func close() async { await file.close() }
}

/// The statements every `BacktickWarehouse` was sent, for assertions.
final class StatementLog: @unchecked Sendable {
    private let lock = NSLock()
    private var statements: [String] = []

    func append(_ sql: String) { lock.withLock { statements.append(sql) } }
    var all: [String] { lock.withLock { statements } }
}
