import Foundation
import GRDB

/// Where the demo's hourly loads become a warehouse that the replay checks.
///
/// `DemoWarehouse` writes every hour into its SQLite file (the story is told once, deterministically);
/// a sink makes that data checkable: the SQLite sink checks the file itself; a `DemoCopyTarget` warehouse's sink
/// copies each hour's changes before the hour's run (new rows, rows the story corrected, rows it removed), so the
/// replay checks that warehouse hour by hour. The SQL warehouses share `SQLDemoSink` and differ only by a
/// `DemoCopyDialect` in their folder.
public protocol DemoSink: Sendable {
    /// The warehouse settings the replay's `demo` warehouse uses.
    var settings: any WarehouseSettings { get }
    /// Creates empty demo tables (replacing earlier ones).
    func prepare() async throws
    /// Makes the copy's rows what the demo holds: removes the rows the demo deleted since the previous call, then
    /// writes (inserts or replaces, by primary key) the rows it added or changed.
    func sync(_ rows: DemoRows) async throws
    /// Applies the story's schema changes to the copy, before the rows loaded after them are written.
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

/// The demo's changes since the last export, table by table.
public struct DemoRows: Sendable {
    public struct Table: Sendable {
        public let name: String
        /// The columns of `rows`, in the table's current order (a column the story dropped is absent).
        public let columns: [String]
        /// Rows added or changed, whole, in id order (the first column is `id`).
        public var rows: [[SQLValue]]
        /// Ids of rows deleted (a sink deletes them before writing `rows`, so a re-inserted id ends up present).
        public var deletedIDs: [Int64] = []
    }

    public var tables: [Table]
}

/// Reads what `DemoWarehouse` changed since the previous call: rows with an id above the last exported one (the
/// hourly loads), plus the rows its change log saw written or deleted at or below it (the story's fix-ups).
struct DemoExport {
    private var lastID: [String: Int64] = [:]

    mutating func changes(from demo: DemoWarehouse) throws -> DemoRows {
        let log = demo.changeLog.take()
        var result = DemoRows(tables: [])
        for table in DemoTable.all {
            // Columns the story dropped (orders.discount) are no longer exported.
            let present = try demo.queue.read { db in try String.fetchAll(db, sql: "SELECT name FROM pragma_table_info(?)", arguments: [table.name]) }
            let names = table.columns.map(\.name).filter(present.contains)
            let select = "SELECT " + names.map { "\"\($0)\"" }.joined(separator: ", ") + " FROM \"\(table.name)\""
            let after = lastID[table.name] ?? 0
            let changedBefore = (log.written[table.name] ?? []).filter { $0 <= after }.sorted()
            var rows = try Self.rows(demo, select + " WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id", ids: changedBefore)
            let new = try demo.queue.read { db in
                try Row.fetchAll(db, sql: select + " WHERE id > ? ORDER BY id", arguments: [after]).map(Self.values)
            }
            rows += new
            if case .integer(let id) = new.last?.first { lastID[table.name] = id }
            let deleted = (log.deleted[table.name] ?? []).sorted()
            result.tables.append(DemoRows.Table(name: table.name, columns: names, rows: rows, deletedIDs: deleted))
        }
        return result
    }

    /// The rows with these ids (passed as one JSON array, so any number of ids is one bound value).
    static func rows(_ demo: DemoWarehouse, _ sql: String, ids: [Int64]) throws -> [[SQLValue]] {
        guard !ids.isEmpty else { return [] }
        let list = "[" + ids.map(String.init).joined(separator: ",") + "]"
        return try demo.queue.read { db in try Row.fetchAll(db, sql: sql, arguments: [list]).map(values) }
    }

    static func values(_ row: Row) -> [SQLValue] {
        Array(row.databaseValues.map(SQLiteWarehouse.sqlValue))
    }
}
