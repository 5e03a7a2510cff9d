import Foundation

/// The demo's tables as the copies in other warehouses hold them: one definition, so every sink creates the same
/// columns in the same order, and the export reads them in that order.
///
/// The SQLite file written by `DemoWarehouse` is the source; the types here are what a loader would choose in a
/// warehouse with real types (timestamps as zone-less UTC timestamps, money as a fixed-point decimal), except
/// `events.occurred_at`, which stays epoch seconds, as in the SQLite demo.
public struct DemoTable: Sendable {
    public struct Column: Sendable {
        public let name: String
        public let type: DemoColumnType
        public let nullable: Bool
    }

    public let name: String
    /// The first column is `id`, the primary key every sink upserts and deletes by.
    public let columns: [Column]
    /// Columns with an index of their own (the demo's windowed checks read them), named `<table>_<column>`.
    public let indexed: [String]

    /// Every table of the demo, in the order they are created and copied.
    public static let all: [DemoTable] = [
        DemoTable(name: "customers", columns: [
            id, column("name", .text(maxLength: 200)), column("email", .text(maxLength: 200), nullable: true),
            column("country", .text(maxLength: 8)), column("created_at", .timestamp), column("updated_at", .timestamp),
        ], indexed: []),
        DemoTable(name: "orders", columns: [
            id, column("customer_id", .integer), column("status", .text(maxLength: 20)), column("amount", .money),
            column("currency", .code(length: 3)), column("discount", .money, nullable: true),
            column("created_at", .timestamp), column("updated_at", .timestamp),
        ], indexed: ["created_at"]),
        DemoTable(name: "payments", columns: [
            id, column("order_id", .integer), column("method", .text(maxLength: 20)), column("amount", .money),
            column("paid_at", .timestamp),
        ], indexed: []),
        DemoTable(name: "events", columns: [
            id, column("user_id", .integer, nullable: true), column("event_type", .text(maxLength: 40)),
            column("occurred_at", .epochSeconds),
        ], indexed: ["occurred_at"]),
        DemoTable(name: "daily_revenue", columns: [
            id, column("day", .code(length: 10)), column("amount", .money), column("updated_at", .timestamp),
        ], indexed: []),
    ]

    /// The type `payments.amount` changes to in the story (`DemoSchemaChange.paymentsAmountBecomesText`).
    public static let paymentsAmountAsText = DemoColumnType.text(maxLength: 64)

    static let id = Column(name: "id", type: .integer, nullable: false)

    static func column(_ name: String, _ type: DemoColumnType, nullable: Bool = false) -> Column {
        Column(name: name, type: type, nullable: nullable)
    }

    /// The column named `name` (its type for a value's placeholder), nil for a column the table does not define.
    public func column(named name: String) -> Column? { columns.first { $0.name == name } }
}

/// A demo column's type, spelled by each warehouse's `DemoCopyDialect`.
public enum DemoColumnType: Sendable, Hashable {
    /// A 64-bit integer (ids and foreign keys).
    case integer
    /// Free text, at most `maxLength` characters (warehouses without a plain text type need a length).
    case text(maxLength: Int)
    /// Fixed-length text (a currency code, an ISO day).
    case code(length: Int)
    /// Money: 12 digits, 2 after the point.
    case money
    /// A zone-less UTC timestamp; the demo exports it as `yyyy-MM-dd HH:mm:ss` text.
    case timestamp
    /// Epoch seconds in an integer column.
    case epochSeconds
}
