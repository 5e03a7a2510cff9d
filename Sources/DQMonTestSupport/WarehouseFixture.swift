import Foundation
import GRDB

/// Builds real SQLite warehouse files for tests.
public struct WarehouseFixture {
    public let queue: DatabaseQueue
    public let url: URL

    public init(at url: URL) throws {
        self.url = url
        try? FileManager.default.removeItem(at: url)
        queue = try DatabaseQueue(path: url.path)
    }

    public func execute(_ sql: String, _ arguments: [(any DatabaseValueConvertible)?] = []) throws {
        try queue.write { db in try db.execute(sql: sql, arguments: StatementArguments(arguments)) }
    }

    /// A table `name(id INTEGER PRIMARY KEY, <column> TEXT)` holding one row per timestamp (ISO text, UTC).
    public func table(_ name: String, column: String = "updated_at", timestamps: [Date]) throws {
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE \"\(name)\" (id INTEGER PRIMARY KEY, \"\(column)\" TEXT)")
            for timestamp in timestamps {
                try db.execute(sql: "INSERT INTO \"\(name)\" (\"\(column)\") VALUES (?)", arguments: [Self.text(timestamp)])
            }
        }
    }

    /// `count` rows spread evenly over the `span` ending at `end`.
    public static func spread(_ count: Int, over span: TimeInterval, endingAt end: Date) -> [Date] {
        (0..<count).map { end.addingTimeInterval(-span * Double($0) / Double(max(count, 1))) }
    }

    public static func text(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return formatter.string(from: date)
    }
}
