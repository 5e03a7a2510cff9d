import Foundation

/// `type: sqlite` — a SQLite database file, opened read-only. The embedded default and the demo warehouse.
///
/// Keys: `path`, `busy_timeout` (how long a statement waits on a write lock; default 5s), `max_connections` (read
/// connections = datasets checked at once; default `min(4, active processors)`; `--parallel` overrides).
public struct SQLiteSettings: WarehouseSettings {
    public static let typeName = "sqlite"
    public static var typeNormalizer: any TypeNormalizer { SQLiteTypeNormalizer() }
    public static let keys = ["path", "busy_timeout", "max_connections"]

    public let path: URL
    public let busyTimeout: Interval
    /// `max_connections:` as written; nil for the default (`defaultMaxConnections`).
    public let maxConnections: Int?

    public init(path: URL, busyTimeout: Interval = Interval(seconds: 5), maxConnections: Int? = nil) {
        self.path = path
        self.busyTimeout = busyTimeout
        self.maxConnections = maxConnections
    }

    /// `busy_timeout` (how long to wait on a locked database) is at most an hour.
    public static let maximumBusyTimeout = Interval(seconds: 3_600)

    /// Datasets read at once when `max_connections` is not given: one per processor, at most 4. Reads of cached
    /// pages are CPU-bound, so readers beyond the processors only add switches; 4 is PostgreSQL's and MySQL's
    /// default, and the run's own work (evaluating, writing the history) needs a processor too.
    public static var defaultMaxConnections: Int {
        min(ConnectionLimits.defaultMaxConnections, max(1, ProcessInfo.processInfo.activeProcessorCount))
    }

    public static func parse(_ fields: ConfigFields, directory: URL) -> SQLiteSettings? {
        let busyTimeout = fields.interval("busy_timeout", atMost: maximumBusyTimeout) ?? Interval(seconds: 5)
        // Bounded and worded exactly as PostgreSQL's and MySQL's `max_connections` (`ConnectionLimits`).
        let maxConnections = fields.int("max_connections", in: ConnectionLimits.maxConnectionsRange)
        guard fields.require("path") != nil, let path = fields.string("path") else { return nil }
        return SQLiteSettings(path: URL(fileURLWithPath: path, relativeTo: directory).standardizedFileURL, busyTimeout: busyTimeout,
                              maxConnections: maxConnections)
    }

    /// `max_connections`, or `defaultMaxConnections`. The warehouse opens connections as statements overlap, so
    /// this (or `--parallel`) is also how many it opens.
    public var defaultParallelism: Int { maxConnections ?? Self.defaultMaxConnections }
    public var dialect: any SQLDialect { SQLiteDialect() }

    public func connect(name: String) async throws(WarehouseError) -> any Warehouse {
        try SQLiteWarehouse(name: name, settings: self)
    }
}
