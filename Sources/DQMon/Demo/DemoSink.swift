import Foundation
import GRDB

/// Where the demo's hourly loads become a warehouse that the replay checks.
///
/// `DemoWarehouse` writes every hour into its SQLite file (the story is told once, deterministically);
/// a sink makes that data checkable: the SQLite sink checks the file itself; a `DemoCopyTarget` warehouse's sink
/// copies each hour's new rows before the hour's run, so the replay checks that warehouse hour by hour.
/// Each sink lives in its warehouse's folder.
public protocol DemoSink: Sendable {
    /// The warehouse settings the replay's `demo` warehouse uses.
    var settings: any WarehouseSettings { get }
    /// Creates empty demo tables (replacing earlier ones).
    func prepare() async throws
    /// Adds rows that the demo loaded since the previous call.
    func append(_ rows: DemoRows) async throws
    /// Applies the story's schema changes to the copy, before the rows loaded after them are appended.
    func apply(_ changes: [DemoSchemaChange]) async throws
    func close() async
}

extension DemoSink {
    public func apply(_ changes: [DemoSchemaChange]) async throws {}
}

/// A warehouse type the demo can copy its data into (`dqmon demo --postgres URL`), implemented in its folder.
public protocol DemoCopyTarget: WarehouseSettings {
    /// Connects and returns the sink that copies the demo's rows into this warehouse.
    func openDemoSink() async throws -> any DemoSink
}

/// Rows added to the demo warehouse since the last export, table by table.
public struct DemoRows: Sendable {
    public struct Table: Sendable {
        public let name: String
        public let columns: [String]
        public var rows: [[SQLValue]]
    }

    public var tables: [Table]
}

/// Reads the rows `DemoWarehouse` added since the previous call (tables have increasing integer ids).
struct DemoExport {
    static let tables: [(name: String, columns: [String])] = [
        ("customers", ["id", "name", "email", "country", "created_at", "updated_at"]),
        ("orders", ["id", "customer_id", "status", "amount", "currency", "discount", "created_at", "updated_at"]),
        ("payments", ["id", "order_id", "method", "amount", "paid_at"]),
        ("events", ["id", "user_id", "event_type", "occurred_at"]),
        ("daily_revenue", ["id", "day", "amount", "updated_at"]),
    ]
    private var lastID: [String: Int64] = [:]

    mutating func newRows(from demo: DemoWarehouse) throws -> DemoRows {
        var result = DemoRows(tables: [])
        for table in Self.tables {
            // Columns the story dropped (orders.discount) are no longer exported.
            let present = try demo.queue.read { db in try String.fetchAll(db, sql: "SELECT name FROM pragma_table_info(?)", arguments: [table.name]) }
            let names = table.columns.filter(present.contains)
            let columns = names.map { "\"\($0)\"" }.joined(separator: ", ")
            let after = lastID[table.name] ?? 0
            let values = try demo.queue.read { db in
                try Row.fetchAll(db, sql: "SELECT \(columns) FROM \"\(table.name)\" WHERE id > ? ORDER BY id", arguments: [after])
                    .map { Array($0.databaseValues.map(SQLiteWarehouse.sqlValue)) }
            }
            if case .integer(let id) = values.last?.first { lastID[table.name] = id }
            result.tables.append(DemoRows.Table(name: table.name, columns: names, rows: values))
        }
        return result
    }
}
