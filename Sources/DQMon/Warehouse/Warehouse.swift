import Foundation

/// A warehouse table as a check names it: `schema.table`, or just `table` for the default schema.
public struct TableName: Sendable, Hashable, CustomStringConvertible {
    public let schema: String?
    public let table: String

    public init(schema: String?, table: String) {
        self.schema = schema
        self.table = table
    }

    /// Splits `analytics.orders` at the last dot; `orders` has no schema.
    public init(parsing name: String) {
        if let dot = name.lastIndex(of: ".") {
            schema = String(name[..<dot])
            table = String(name[name.index(after: dot)...])
        } else {
            schema = nil
            table = name
        }
    }

    public var description: String { schema.map { "\($0).\(table)" } ?? table }
}

/// One column as the warehouse catalog describes it.
public struct CatalogColumn: Sendable, Hashable, Codable {
    public let name: String
    /// The type as the warehouse spells it, e.g. `INTEGER`, `timestamp with time zone`.
    public let declaredType: String
    public let isNullable: Bool
    /// 1-based position in the table.
    public let position: Int

    public init(name: String, declaredType: String, isNullable: Bool, position: Int) {
        self.name = name
        self.declaredType = declaredType
        self.isNullable = isNullable
        self.position = position
    }
}

/// The columns of every selected table, read with one catalog query per warehouse per run.
public struct Catalog: Sendable {
    public var tables: [TableName: [CatalogColumn]]

    public init(tables: [TableName: [CatalogColumn]] = [:]) { self.tables = tables }

    public func columns(of table: TableName) -> [CatalogColumn]? { tables[table] }
}

/// A value bound to, or read from, a SQL statement.
public enum SQLValue: Sendable, Hashable, CustomStringConvertible {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)

    public var double: Double? {
        switch self {
        case .integer(let value): return Double(value)
        case .real(let value): return value
        case .text(let value): return Double(value)
        case .null: return nil
        }
    }

    /// The value as a SQL literal, for `--dry-run` output and the benchmark's raw SQL floor.
    public var literal: String {
        switch self {
        case .null: return "NULL"
        case .integer(let value): return String(value)
        case .real(let value): return String(value)
        case .text(let value): return "'" + value.replacingOccurrences(of: "'", with: "''") + "'"
        }
    }

    public var description: String { literal }
}

/// SQL text with `?` placeholders and the values bound to them. User values are always bound, never spliced.
public struct SQLStatement: Sendable, Hashable {
    public var sql: String
    public var arguments: [SQLValue]

    public init(_ sql: String, arguments: [SQLValue] = []) {
        self.sql = sql
        self.arguments = arguments
    }

    /// The statement with its arguments written in as literals: for `--dry-run` and benchmarks only.
    public var inlined: String {
        var output = ""
        var remaining = arguments.makeIterator()
        var inString = false
        for character in sql {
            if character == "'" { inString.toggle() }
            if character == "?", !inString, let value = remaining.next() {
                output += value.literal
            } else {
                output.append(character)
            }
        }
        return output
    }
}

/// How a warehouse spells the SQL that metrics need. Each warehouse type has one.
public protocol SQLDialect: Sendable {
    /// Quotes an identifier, doubling embedded quotes.
    func quote(_ identifier: String) -> String
    /// The fully qualified, quoted name of a table.
    func qualifiedName(_ table: TableName) -> String
    /// An expression giving the column's value as UTC epoch seconds (a number), whatever its storage.
    func epochSeconds(of quotedColumn: String) -> String
    /// The same, when the catalog has told the column's type (e.g. numeric epoch columns need no EXTRACT).
    func epochSeconds(of quotedColumn: String, declaredType: String?) -> String
    /// The catalog query for the given tables (one query for all of them).
    func catalogQuery(for tables: [TableName]) -> SQLStatement
    /// How this warehouse's type names normalize for schema checks (default: `PostgresTypeNormalizer`, the ANSI names).
    var typeNormalizer: any TypeNormalizer { get }
}

extension SQLDialect {
    public func epochSeconds(of quotedColumn: String, declaredType: String?) -> String {
        epochSeconds(of: quotedColumn)
    }

    public func quote(_ identifier: String) -> String {
        "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    public func qualifiedName(_ table: TableName) -> String {
        if let schema = table.schema { return quote(schema) + "." + quote(table.table) }
        return quote(table.table)
    }
}

/// A connection to one warehouse. dqmon pushes all work down as SQL and reads back only aggregates.
///
/// Implementations are safe to call from concurrent tasks; each call is one round trip.
public protocol Warehouse: Sendable {
    var name: String { get }
    var dialect: any SQLDialect { get }
    /// Reads the columns of all `tables` with one catalog query. Missing tables are absent from the result.
    func catalog(for tables: [TableName]) async throws(WarehouseError) -> Catalog
    /// Runs a statement expected to return exactly one row, and returns its values in column order.
    func queryRow(_ statement: SQLStatement) async throws(WarehouseError) -> [SQLValue]
    /// Runs a statement and returns all rows (for small results such as grouped backfills).
    func queryRows(_ statement: SQLStatement) async throws(WarehouseError) -> [[SQLValue]]
    /// Releases connections. Further calls fail.
    func close() async
}

/// A warehouse-level or query-level failure, with a message that names the warehouse and the cause.
public struct WarehouseError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable {
        /// The warehouse cannot be reached or opened at all: every check on it errors.
        case unavailable
        /// One statement failed: only the checks that needed it error.
        case query
        /// A statement ran past its time limit.
        case timeout
    }

    public let warehouse: String
    public let kind: Kind
    public let message: String

    public init(warehouse: String, kind: Kind, message: String) {
        self.warehouse = warehouse
        self.kind = kind
        self.message = message
    }

    public var description: String { "warehouse '\(warehouse)': \(message)" }
}
