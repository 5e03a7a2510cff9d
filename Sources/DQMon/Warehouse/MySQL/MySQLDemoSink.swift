import Foundation

/// The demo copied into MySQL or MariaDB (`dqmon demo --mysql URL`), in the URL's database, by `SQLDemoSink`.
///
/// Timestamps become `datetime` (zone-less UTC, as loaders often write them), except `events.occurred_at`, which
/// stays epoch seconds in a `bigint`, as in the SQLite demo. Money is `decimal(12,2)`, text `varchar(n)`. The server
/// converts bound text timestamps and numbers to the column types, so every placeholder is a plain `?`.
struct MySQLDemoDialect: DemoCopyDialect {
    let database: String
    var sql: any SQLDialect { MySQLDialect(defaultSchema: database) }
    var tableOptions: String { " DEFAULT CHARSET = utf8mb4" }

    func typeName(_ type: DemoColumnType) -> String {
        switch type {
        case .integer, .epochSeconds: "bigint"
        case .text(let maxLength): "varchar(\(maxLength))"
        case .code(let length): "char(\(length))"
        case .money: "decimal(12,2)"
        case .timestamp: "datetime"
        }
    }

    /// `VALUES(col)`: MariaDB has no row alias (`AS new`), and MySQL 8 still accepts this spelling.
    func upsertClause(updating quotedColumns: [String]) -> String {
        "ON DUPLICATE KEY UPDATE " + quotedColumns.map { "\($0) = VALUES(\($0))" }.joined(separator: ", ")
    }

    func changeType(table: String, column: String, to type: String, nullable: Bool) -> String {
        "ALTER TABLE \(table) MODIFY \(column) \(type)\(nullable ? "" : " NOT NULL")"
    }
}

extension MySQLSession: DemoWriteSession {}

extension MySQLSettings: DemoCopyTarget {
    public func openDemoSink() async throws -> any DemoSink {
        SQLDemoSink(settings: self, session: try await MySQLSession.open(settings: self, warehouse: "demo"),
                    dialect: MySQLDemoDialect(database: url.database))
    }
}
