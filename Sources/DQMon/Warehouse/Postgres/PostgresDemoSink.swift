import Foundation

/// The demo copied into PostgreSQL (`dqmon demo --postgres URL`), in the settings' schema.
///
/// Timestamps become `timestamp` (zone-less UTC, as loaders often write them), except `events.occurred_at`,
/// which stays epoch seconds in a `bigint`, as in the SQLite demo.
public final class PostgresDemoSink: DemoSink {
    public let postgres: PostgresSettings
    let session: PostgresSession
    public var settings: any WarehouseSettings { postgres }

    static let ddl: [String: String] = [
        "customers": "id bigint PRIMARY KEY, name text NOT NULL, email text, country text NOT NULL, created_at timestamp NOT NULL, updated_at timestamp NOT NULL",
        "orders": "id bigint PRIMARY KEY, customer_id bigint NOT NULL, status text NOT NULL, amount numeric(12,2) NOT NULL, currency text NOT NULL, discount numeric(12,2), created_at timestamp NOT NULL, updated_at timestamp NOT NULL",
        "payments": "id bigint PRIMARY KEY, order_id bigint NOT NULL, method text NOT NULL, amount numeric(12,2) NOT NULL, paid_at timestamp NOT NULL",
        "events": "id bigint PRIMARY KEY, user_id bigint, event_type text NOT NULL, occurred_at bigint NOT NULL",
        "daily_revenue": "id bigint PRIMARY KEY, day text NOT NULL, amount numeric(12,2) NOT NULL, updated_at timestamp NOT NULL",
    ]
    static let timestampColumns: Set<String> = ["created_at", "updated_at", "paid_at"]
    static let numericColumns: Set<String> = ["amount", "discount"]

    public static func open(_ settings: PostgresSettings) async throws -> PostgresDemoSink {
        PostgresDemoSink(postgres: settings, session: try await PostgresSession.open(settings: settings, warehouse: "demo"))
    }

    init(postgres: PostgresSettings, session: PostgresSession) {
        self.postgres = postgres
        self.session = session
    }

    public func prepare() async throws {
        let schema = PostgresDialect().quote(postgres.schema)
        try await session.execute("CREATE SCHEMA IF NOT EXISTS \(schema)")
        for table in DemoExport.tables {
            try await session.execute("DROP TABLE IF EXISTS \(schema).\"\(table.name)\"")
            try await session.execute("CREATE TABLE \(schema).\"\(table.name)\" (\(Self.ddl[table.name]!))")
        }
        try await session.execute("CREATE INDEX ON \(schema).\"orders\" (created_at)")
        try await session.execute("CREATE INDEX ON \(schema).\"events\" (occurred_at)")
    }

    /// The same ALTERs as the SQLite demo (PostgreSQL changes a column's type in place).
    public func apply(_ changes: [DemoSchemaChange]) async throws {
        let dialect = PostgresDialect(defaultSchema: postgres.schema)
        for change in changes {
            switch change {
            case .paymentsAmountBecomesText:
                try await session.execute("ALTER TABLE \(dialect.qualifiedName(TableName(schema: nil, table: "payments"))) ALTER COLUMN amount TYPE text")
            case .ordersDiscountDropped:
                try await session.execute("ALTER TABLE \(dialect.qualifiedName(TableName(schema: nil, table: "orders"))) DROP COLUMN discount")
            }
        }
    }

    /// Multi-row INSERTs with bound values, at most 500 rows each.
    public func append(_ rows: DemoRows) async throws {
        let dialect = PostgresDialect(defaultSchema: postgres.schema)
        for table in rows.tables where !table.rows.isEmpty {
            let placeholders = "(" + table.columns.enumerated().map { index, column in
                // After the type change, payments.amount arrives as text ("12.50 EUR") for a text column.
                let isText = if case .text = table.rows[0][index] { true } else { false }
                return Self.timestampColumns.contains(column) ? "CAST(? AS TIMESTAMP)"
                    : Self.numericColumns.contains(column) && !isText ? "CAST(? AS NUMERIC)" : "?"
            }.joined(separator: ", ") + ")"
            let prefix = "INSERT INTO \(dialect.qualifiedName(TableName(schema: nil, table: table.name))) ("
                + table.columns.map(dialect.quote).joined(separator: ", ") + ") VALUES "
            var start = 0
            while start < table.rows.count {
                let batch = table.rows[start..<min(start + 500, table.rows.count)]
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

extension PostgresSettings: DemoCopyTarget {
    public func openDemoSink() async throws -> any DemoSink { try await PostgresDemoSink.open(self) }
}
