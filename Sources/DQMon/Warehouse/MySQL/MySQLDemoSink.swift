import Foundation

/// The demo copied into MySQL or MariaDB (`dqmon demo --mysql URL`), in the URL's database.
///
/// Timestamps become `datetime` (zone-less UTC, as loaders often write them), except `events.occurred_at`, which
/// stays epoch seconds in a `bigint`, as in the SQLite demo. Money is `decimal(12,2)`.
public final class MySQLDemoSink: DemoSink {
    public let mysql: MySQLSettings
    let session: MySQLSession
    public var settings: any WarehouseSettings { mysql }

    static let ddl: [String: String] = [
        "customers": "id bigint PRIMARY KEY, name varchar(200) NOT NULL, email varchar(200), country varchar(8) NOT NULL, created_at datetime NOT NULL, updated_at datetime NOT NULL",
        "orders": "id bigint PRIMARY KEY, customer_id bigint NOT NULL, status varchar(20) NOT NULL, amount decimal(12,2) NOT NULL, currency char(3) NOT NULL, discount decimal(12,2), created_at datetime NOT NULL, updated_at datetime NOT NULL, KEY orders_created_at (created_at)",
        "payments": "id bigint PRIMARY KEY, order_id bigint NOT NULL, method varchar(20) NOT NULL, amount decimal(12,2) NOT NULL, paid_at datetime NOT NULL",
        "events": "id bigint PRIMARY KEY, user_id bigint, event_type varchar(40) NOT NULL, occurred_at bigint NOT NULL, KEY events_occurred_at (occurred_at)",
        "daily_revenue": "id bigint PRIMARY KEY, day char(10) NOT NULL, amount decimal(12,2) NOT NULL, updated_at datetime NOT NULL",
    ]

    public static func open(_ settings: MySQLSettings) async throws -> MySQLDemoSink {
        MySQLDemoSink(mysql: settings, session: try await MySQLSession.open(settings: settings, warehouse: "demo"))
    }

    init(mysql: MySQLSettings, session: MySQLSession) {
        self.mysql = mysql
        self.session = session
    }

    var dialect: MySQLDialect { MySQLDialect(defaultSchema: mysql.url.database) }

    func table(_ name: String) -> String { dialect.qualifiedName(TableName(schema: nil, table: name)) }

    public func prepare() async throws {
        for table in DemoExport.tables {
            guard let columns = Self.ddl[table.name] else { continue }
            try await session.execute("DROP TABLE IF EXISTS \(self.table(table.name))")
            try await session.execute("CREATE TABLE \(self.table(table.name)) (\(columns)) DEFAULT CHARSET = utf8mb4")
        }
    }

    /// The same changes as the SQLite demo (MySQL changes a column's type in place).
    public func apply(_ changes: [DemoSchemaChange]) async throws {
        for change in changes {
            switch change {
            case .paymentsAmountBecomesText:
                try await session.execute("ALTER TABLE \(table("payments")) MODIFY amount varchar(64) NOT NULL")
            case .ordersDiscountDropped:
                try await session.execute("ALTER TABLE \(table("orders")) DROP COLUMN discount")
            }
        }
    }

    /// Multi-row INSERTs with bound values (the server converts text timestamps and numbers to the column types),
    /// at most 500 rows each.
    public func append(_ rows: DemoRows) async throws {
        for data in rows.tables where !data.rows.isEmpty {
            let placeholders = "(" + Array(repeating: "?", count: data.columns.count).joined(separator: ", ") + ")"
            let prefix = "INSERT INTO \(table(data.name)) (" + data.columns.map(dialect.quote).joined(separator: ", ") + ") VALUES "
            var start = 0
            while start < data.rows.count {
                let batch = data.rows[start..<min(start + 500, data.rows.count)]
                let sql = prefix + Array(repeating: placeholders, count: batch.count).joined(separator: ", ")
                try await session.write(SQLStatement(sql, arguments: batch.flatMap { $0 }))
                start += batch.count
            }
        }
    }

    public func close() async {
        await session.close()
    }
}

extension MySQLSettings: DemoCopyTarget {
    public func openDemoSink() async throws -> any DemoSink { try await MySQLDemoSink.open(self) }
}
