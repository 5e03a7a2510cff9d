import Foundation

/// The demo checked in its SQLite file directly: nothing to copy.
public struct SQLiteDemoSink: DemoSink {
    public let sqlite: SQLiteSettings
    public var settings: any WarehouseSettings { sqlite }
    public func prepare() async throws {}
    public func sync(_ rows: DemoRows) async throws {}
    public func close() async {}
}
