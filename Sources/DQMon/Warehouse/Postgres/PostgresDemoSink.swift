import Foundation

/// The demo copied into PostgreSQL (`dqmon demo --postgres URL`), in the settings' schema, by `SQLDemoSink`.
///
/// Timestamps become `timestamp` (zone-less UTC, as loaders often write them), except `events.occurred_at`,
/// which stays epoch seconds in a `bigint`, as in the SQLite demo. Money is `numeric(12,2)`, text is `text`.
struct PostgresDemoDialect: DemoCopyDialect {
    let schema: String
    var sql: any SQLDialect { PostgresDialect(defaultSchema: schema) }
    var setupStatements: [String] { ["CREATE SCHEMA IF NOT EXISTS \(PostgresDialect().quote(schema))"] }

    func typeName(_ type: DemoColumnType) -> String {
        switch type {
        case .integer, .epochSeconds: "bigint"
        case .text, .code: "text"
        case .money: "numeric(12,2)"
        case .timestamp: "timestamp"
        }
    }

    /// Text arguments are bound as text, which PostgreSQL does not assign to a timestamp or numeric column: cast them.
    func placeholder(for type: DemoColumnType, value: SQLValue) -> String {
        switch (type, value) {
        case (.timestamp, _): "CAST(? AS TIMESTAMP)"
        case (.money, .text): "?"   // payments.amount after the story made it text
        case (.money, _): "CAST(? AS NUMERIC)"
        default: "?"
        }
    }

    func upsertClause(updating quotedColumns: [String]) -> String {
        "ON CONFLICT (\"id\") DO UPDATE SET " + quotedColumns.map { "\($0) = EXCLUDED.\($0)" }.joined(separator: ", ")
    }

    func changeType(table: String, column: String, to type: String, nullable: Bool) -> String {
        "ALTER TABLE \(table) ALTER COLUMN \(column) TYPE \(type)"
    }
}

extension PostgresSession: DemoWriteSession {}

extension PostgresSettings: DemoCopyTarget {
    public func openDemoSink() async throws -> any DemoSink {
        SQLDemoSink(settings: self, session: try await PostgresSession.open(settings: self, warehouse: "demo"),
                    dialect: PostgresDemoDialect(schema: schema))
    }
}
