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
    /// Per table, the columns that lead an index, for dialects whose metric SQL depends on it (SQLite).
    /// Kept apart from `CatalogColumn`, which schema snapshots store.
    public var indexedColumns: [TableName: Set<String>]
    /// The tables that keep SQLite's rowid (insertion order), whose newest rows a dialect may read without a scan.
    public var rowIDTables: Set<TableName> = []

    public init(tables: [TableName: [CatalogColumn]] = [:], indexedColumns: [TableName: Set<String>] = [:]) {
        self.tables = tables
        self.indexedColumns = indexedColumns
    }

    public func columns(of table: TableName) -> [CatalogColumn]? { tables[table] }

    /// What a metric's SQL needs to know of each column of `table`; nil facts when the catalog does not say.
    public func timestampColumns(of table: TableName) -> [String: TimestampColumn] {
        let indexed = indexedColumns[table]
        var byName: [String: TimestampColumn] = [:]
        for column in tables[table] ?? [] where byName[column.name] == nil {
            byName[column.name] = TimestampColumn(name: column.name, declaredType: column.declaredType,
                                                  isIndexed: indexed.map { $0.contains(column.name) },
                                                  hasRowID: rowIDTables.contains(table))
        }
        return byName
    }
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
    /// Written by the user (a `sql:` metric), not by dqmon: a warehouse runs it with the strictest read-only
    /// guard it has (PostgreSQL: its own read-only transaction, rolled back with any setting it changed).
    public var isUserSQL: Bool

    public init(_ sql: String, arguments: [SQLValue] = [], isUserSQL: Bool = false) {
        self.sql = sql
        self.arguments = arguments
        self.isUserSQL = isUserSQL
    }

    /// The statement with its arguments written in as literals: for `--dry-run` and benchmarks only.
    /// A `?` takes the next argument and `?N` the N-th (1-based, as SQLite numbers them); a `?` inside a string
    /// literal or a quoted identifier (`"it's"`) is text, not a placeholder.
    public var inlined: String {
        var output = ""
        var next = 0
        var openQuote: Character?
        var characters = sql[...]
        while let character = characters.popFirst() {
            if let quote = openQuote {
                if character == quote { openQuote = nil }
            } else if character == "'" || character == "\"" {
                openQuote = character
            } else if character == "?" {
                let digits = characters.prefix { $0.isASCII && $0.isNumber }.prefix(9)  // at most 9 digits: no overflow
                characters = characters.dropFirst(digits.count)
                let position = Int(digits).map { $0 - 1 } ?? next
                if digits.isEmpty { next += 1 }
                output += arguments.indices.contains(position) ? arguments[position].literal : "?" + digits
                continue
            }
            output.append(character)
        }
        return output
    }

    /// Appends `other`'s SQL and arguments (placeholders stay in order).
    public static func + (lhs: SQLStatement, rhs: SQLStatement) -> SQLStatement {
        SQLStatement(lhs.sql + rhs.sql, arguments: lhs.arguments + rhs.arguments, isUserSQL: lhs.isUserSQL || rhs.isUserSQL)
    }
}

/// What the catalog says about a timestamp column a metric reads: enough for a dialect to pick a form that an
/// index can serve. `declaredType` and `isIndexed` are nil when unknown (`--dry-run` reads no catalog).
public struct TimestampColumn: Sendable, Hashable {
    /// The column's name as written in the check (unquoted).
    public let name: String
    public let declaredType: String?
    /// Whether the column leads an index (reported by dialects whose plans depend on it, such as SQLite).
    public let isIndexed: Bool?
    /// Whether the column's table keeps a rowid in insertion order (SQLite), so its newest rows are read without a
    /// scan; nil when unknown. Only a lower bound for the latest timestamp is taken from them, never an answer.
    public let hasRowID: Bool?

    public init(name: String, declaredType: String? = nil, isIndexed: Bool? = nil, hasRowID: Bool? = nil) {
        self.name = name
        self.declaredType = declaredType
        self.isIndexed = isIndexed
        self.hasRowID = hasRowID
    }
}

/// Aggregates computed in a dataset's one table scan, and how their results become the metric's value.
public struct ScanAggregate: Sendable {
    /// The aggregates, e.g. `max("updated_at")`, with their bound arguments.
    public let aggregates: [SQLStatement]
    /// Wraps the SQL naming each aggregate's result (in order) into the metric's value, e.g. `EXTRACT(EPOCH FROM …)`.
    public let convert: @Sendable ([String]) -> String
    /// How each aggregate's results over parts of the rows combine into its result over all of them (`sum`, `max`,
    /// `min`), when the aggregate's own name does not say it (a dialect's own function); nil: read from the name.
    public let folds: [String]?

    public init(_ aggregates: [SQLStatement], folds: [String]? = nil, convert: @escaping @Sendable ([String]) -> String) {
        self.aggregates = aggregates
        self.folds = folds
        self.convert = convert
    }

    /// One aggregate whose result is converted by `convert` (by default taken as it is).
    public init(_ aggregate: SQLStatement, convert: @escaping @Sendable (String) -> String = { $0 }) {
        self.init([aggregate]) { convert($0[0]) }
    }

    /// The rows of a window in a shared scan: `count(CASE WHEN <predicate> THEN 1 END)` on the raw column when the
    /// dialect can type the bound as the column is, else the per-row form `<epoch of the row> >= cutoff`.
    public static func windowCount(predicate: SQLStatement?, perRowEpoch: @autoclosure () -> String, cutoff: Double) -> ScanAggregate {
        guard let predicate else {
            return ScanAggregate(SQLStatement("count(CASE WHEN \(perRowEpoch()) >= ? THEN 1 END)", arguments: [.real(cutoff)]))
        }
        return ScanAggregate(SQLStatement("count(CASE WHEN ") + predicate + SQLStatement(" THEN 1 END)"))
    }
}

/// How a warehouse spells the SQL that metrics need. Each warehouse type has one.
///
/// The contract for timestamp metrics is *aggregate the raw column, convert the one result*: `max(col)` and
/// `col >= bound` let the warehouse answer from an index, a partition's statistics or its metadata, where
/// `max(f(col))` makes it read and convert every row. A dialect returns such a "probe" when it can answer
/// exactly; it returns nil to have the per-row form computed in the dataset's one table scan instead.
public protocol SQLDialect: Sendable {
    /// Quotes an identifier, doubling embedded quotes.
    func quote(_ identifier: String) -> String
    /// The fully qualified, quoted name of a table.
    func qualifiedName(_ table: TableName) -> String
    /// An expression giving the column's value as UTC epoch seconds (a number), whatever its storage: the
    /// per-row form, for scans that read every row anyway (`backfill`, columns no probe can serve).
    func epochSeconds(of quotedColumn: String) -> String
    /// The same, when the catalog has told the column's type (e.g. numeric epoch columns need no EXTRACT).
    func epochSeconds(of quotedColumn: String, declaredType: String?) -> String
    /// A scalar subquery giving the latest value of `column` in `table` (a qualified name) as epoch seconds
    /// (stored time: zone-less values are not shifted), exact for every form the column may hold, that the
    /// warehouse can answer from an index on the column. nil: use `max(epochSeconds(of:))` in the scan.
    func latestTimestampProbe(_ column: TimestampColumn, in table: String) -> SQLStatement?
    /// A scalar subquery counting the rows of `table` whose `column` is at or after `cutoff` (stored epoch
    /// seconds), as a range predicate on the raw column with the bound typed as the column is. nil: per-row.
    func rowsSinceProbe(_ column: TimestampColumn, cutoff: Double, in table: String) -> SQLStatement?
    /// The latest timestamp computed in the dataset's one table scan (no probe applies, e.g. no index): an
    /// aggregate, over the raw column where the column's form allows, and the expression that converts its one
    /// result (given as SQL) to epoch seconds. Default: `max` of the per-row `epochSeconds`, unconverted.
    func latestTimestampInScan(_ column: TimestampColumn, in table: String) -> ScanAggregate
    /// The window's count computed in the dataset's one table scan, as a predicate on the raw column where the
    /// column's form allows. Default: the per-row `epochSeconds` compared with `cutoff`.
    func rowsSinceInScan(_ column: TimestampColumn, cutoff: Double) -> ScanAggregate
    /// The table's newest rows (a bounded few) of the declared `columns`, as ONE scalar subquery giving text that
    /// `DeclaredSample.notInForm` reads, to check a dataset's `timestamp_format:`; nil when the dialect does not read
    /// declared columns raw (default).
    func declaredFormSample(_ columns: [TimestampColumn], in table: String) -> SQLStatement?
    /// A scalar subquery answering `metric` from the warehouse's catalog, only where the catalog is EXACT
    /// (e.g. Snowflake's `INFORMATION_SCHEMA.TABLES.ROW_COUNT`). Estimates (`pg_class.reltuples`) never qualify.
    /// Default nil: SQLite and PostgreSQL keep no exact row count or maximum in their catalogs.
    func catalogAnswer(for metric: Metric, table: TableName) -> SQLStatement?
    /// The catalog query for the given tables (one query for all of them).
    func catalogQuery(for tables: [TableName]) -> SQLStatement
    /// The statements the warehouse sends for the catalog of these tables, which `--dry-run` prints. Default: the one
    /// `catalogQuery`. A dialect may split many tables into parts that its warehouse reads on two connections at once.
    func catalogQueries(for tables: [TableName]) -> [SQLStatement]
    /// How this warehouse's type names normalize for schema checks (its warehouse type's `typeNormalizer`).
    var typeNormalizer: any TypeNormalizer { get }
    /// `expression` (SQL) as text, for comparing a column of any type with listed values. Default `CAST(… AS TEXT)`.
    func text(of expression: String) -> String
    /// A predicate true when the text `expression` contains a match of the regular expression bound as the next
    /// `?` argument (NULL for a NULL value). Default `expression REGEXP ?` (SQLite, through the function dqmon
    /// registers on its connection; MySQL).
    func regexMatch(_ expression: String) -> String
    /// `expression` (SQL, a number) converted to an integer, by truncating or rounding as the warehouse does (callers
    /// correct for either). Default `CAST(… AS INTEGER)`.
    func integer(of expression: String) -> String
    /// An aggregate counting the rows of the shared scan where `predicate` holds. Default
    /// `count(CASE WHEN predicate THEN 1 END)`, which every warehouse reads; SQLite says `count(*) FILTER (WHERE …)`.
    func countRows(where predicate: SQLStatement) -> SQLStatement
}

extension SQLDialect {
    public func catalogQueries(for tables: [TableName]) -> [SQLStatement] { [catalogQuery(for: tables)] }

    public func countRows(where predicate: SQLStatement) -> SQLStatement {
        SQLStatement("count(CASE WHEN ") + predicate + SQLStatement(" THEN 1 END)")
    }

    public func epochSeconds(of quotedColumn: String, declaredType: String?) -> String {
        epochSeconds(of: quotedColumn)
    }

    public func latestTimestampProbe(_ column: TimestampColumn, in table: String) -> SQLStatement? { nil }

    public func rowsSinceProbe(_ column: TimestampColumn, cutoff: Double, in table: String) -> SQLStatement? { nil }

    public func catalogAnswer(for metric: Metric, table: TableName) -> SQLStatement? { nil }

    public func text(of expression: String) -> String { "CAST(\(expression) AS TEXT)" }

    public func regexMatch(_ expression: String) -> String { "\(expression) REGEXP ?" }

    public func integer(of expression: String) -> String { "CAST(\(expression) AS INTEGER)" }

    public func latestTimestampInScan(_ column: TimestampColumn, in table: String) -> ScanAggregate {
        ScanAggregate(SQLStatement("max(\(epochSeconds(of: quote(column.name), declaredType: column.declaredType)))"))
    }

    public func rowsSinceInScan(_ column: TimestampColumn, cutoff: Double) -> ScanAggregate {
        .windowCount(predicate: nil, perRowEpoch: epochSeconds(of: quote(column.name), declaredType: column.declaredType),
                     cutoff: cutoff)
    }

    public func quote(_ identifier: String) -> String {
        "\"" + (identifier.utf8.contains(0x22) ? identifier.replacingOccurrences(of: "\"", with: "\"\"") : identifier) + "\""  // Foundation only when needed: 2% of a 1,000-table run
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
    /// Every table and view of `schema` (nil: the warehouse's default schema), keyed `schema.table` (SQLite: `table`),
    /// with one catalog query: what `dqmon init` starts from (Init/Warehouse+SchemaCatalog.swift).
    func catalog(ofSchema schema: String?) async throws(WarehouseError) -> Catalog
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
