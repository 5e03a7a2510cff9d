import Foundation

/// `type: sqlite` — a SQLite database file, opened read-only. The embedded default and the demo warehouse.
public struct SQLiteSettings: WarehouseSettings {
    public static let typeName = "sqlite"
    public static var typeNormalizer: any TypeNormalizer { SQLiteTypeNormalizer() }
    public static let keys = ["path", "busy_timeout"]

    public let path: URL
    public let busyTimeout: Interval

    public init(path: URL, busyTimeout: Interval = Interval(seconds: 5)) {
        self.path = path
        self.busyTimeout = busyTimeout
    }

    /// `busy_timeout` (how long to wait on a locked database) is at most an hour.
    public static let maximumBusyTimeout = Interval(seconds: 3_600)

    public static func parse(_ fields: ConfigFields, directory: URL) -> SQLiteSettings? {
        let busyTimeout = fields.interval("busy_timeout", atMost: maximumBusyTimeout) ?? Interval(seconds: 5)
        guard fields.require("path") != nil, let path = fields.string("path") else { return nil }
        return SQLiteSettings(path: URL(fileURLWithPath: path, relativeTo: directory).standardizedFileURL, busyTimeout: busyTimeout)
    }

    public var defaultParallelism: Int { 1 }
    public var dialect: any SQLDialect { SQLiteDialect() }

    public func connect(name: String) async throws(WarehouseError) -> any Warehouse {
        try SQLiteWarehouse(name: name, settings: self)
    }
}
