import Foundation

/// MySQL's and MariaDB's spelling of the SQL that metrics need: backtick-quoted identifiers, schema (database)
/// qualified names, `TIMESTAMPDIFF` for epoch seconds, `information_schema` for the catalog.
///
/// Sessions run with `time_zone = '+00:00'`, so a `timestamp` (stored in UTC) reads as UTC wall time and a
/// `datetime` (zone-less) as it is stored: both become epoch seconds of their stored wall time, as dqmon's rule
/// for zone-less timestamps wants. `TIMESTAMPDIFF(MICROSECOND, '1970-01-01', …)` is used rather than
/// `UNIX_TIMESTAMP`, which depends on the session zone and returns 0 outside 1970-2038 (2106 on newer servers).
public struct MySQLDialect: SQLDialect {
    /// The database of dataset names written without one: the database of the warehouse's `url`.
    public let defaultSchema: String

    public init(defaultSchema: String) { self.defaultSchema = defaultSchema }

    public var typeNormalizer: any TypeNormalizer { MySQLTypeNormalizer() }

    /// Backticks, an embedded backtick doubled.
    public func quote(_ identifier: String) -> String {
        "`" + identifier.replacingOccurrences(of: "`", with: "``") + "`"
    }

    /// A value as text for the business-rule checks and segment keys, compared byte for byte as on SQLite and
    /// PostgreSQL. A plain `CAST(… AS CHAR)` takes the connection's collation, which on MySQL and MariaDB is
    /// case-insensitive and pads spaces (`utf8mb4_general_ci`): `'PAID'` and `'paid '` would pass
    /// `accepted_values: [paid]`, and `'de'` would fold into the `DE` segment. The value is converted to utf8mb4
    /// (the session's character set, so the bound values are in the same bytes) and compared as a binary string:
    /// case- and space-exact on every server and column collation. Results read back as UTF-8 text.
    public func text(of expression: String) -> String { "CAST(CONVERT(\(expression) USING utf8mb4) AS BINARY)" }

    /// `REGEXP` on the value as utf8mb4 text with a binary (case-sensitive) collation. The binary string of
    /// `text(of:)` is read back as utf8mb4 first: a regular expression over bytes would see a multi-byte character
    /// as several characters, and MySQL 8 refuses to mix a binary subject with a text pattern.
    public func regexMatch(_ expression: String) -> String {
        "CONVERT(\(expression) USING utf8mb4) COLLATE utf8mb4_bin REGEXP ?"
    }

    /// MySQL 8 has no `CAST(… AS INTEGER)` (MariaDB accepts it); both spell it `SIGNED`.
    public func integer(of expression: String) -> String { "CAST(\(expression) AS SIGNED)" }

    /// Always database-qualified, so the connection's default database never changes which table is checked.
    public func qualifiedName(_ table: TableName) -> String {
        quote(table.schema ?? defaultSchema) + "." + quote(table.table)
    }

    static let epochOrigin = "'1970-01-01 00:00:00'"

    /// For `datetime`, `timestamp` and `date` columns (and text holding such values): stored wall time as seconds.
    public func epochSeconds(of column: String) -> String {
        "(TIMESTAMPDIFF(MICROSECOND, \(Self.epochOrigin), \(column)) / 1e6)"
    }

    /// Numeric columns hold epoch seconds, or milliseconds when large (as the other dialects read them).
    public func epochSeconds(of column: String, declaredType: String?) -> String {
        switch MySQLTimestampStorage(declaredType: declaredType) {
        case .epochInteger, .epochFraction:
            return "(CASE WHEN \(column) > 100000000000 THEN \(column) / 1000.0 ELSE \(column) END + 0e0)"
        case .wallTime, .text, .other:
            return epochSeconds(of: column)
        }
    }

    /// `max(col)` on the raw column, converted once: InnoDB answers it from the column's index (EXPLAIN: "Select
    /// tables optimized away"). Epoch-number columns take the greatest seconds value (≤ 10¹¹) and milliseconds value
    /// (above) from two such probes. Text and other columns: nil (per-row, in the dataset's one scan).
    public func latestTimestampProbe(_ column: TimestampColumn, in table: String) -> SQLStatement? {
        guard column.isIndexed != false else { return nil }
        let c = quote(column.name)
        switch MySQLTimestampStorage(declaredType: column.declaredType) {
        case .wallTime:
            return SQLStatement("SELECT \(epochSeconds(of: "(SELECT max(\(c)) FROM \(table))"))")
        case .epochInteger, .epochFraction:
            let seconds = "(SELECT max(\(c)) FROM \(table) WHERE \(c) <= 100000000000)"
            let milliseconds = "((SELECT max(\(c)) FROM \(table) WHERE \(c) > 100000000000) / 1000.0)"
            // MySQL's GREATEST is NULL when any argument is: each side falls back to the other.
            return SQLStatement("SELECT GREATEST(COALESCE(\(seconds), \(milliseconds)), COALESCE(\(milliseconds), \(seconds))) + 0e0")
        case .text, .other:
            return nil
        }
    }

    /// `count(*) WHERE col >= bound`, the bound typed as the column is, so the column's index serves the range.
    public func rowsSinceProbe(_ column: TimestampColumn, cutoff: Double, in table: String) -> SQLStatement? {
        guard column.isIndexed != false, let predicate = rowsSincePredicate(column, cutoff: cutoff) else { return nil }
        return SQLStatement("SELECT count(*) FROM \(table) WHERE ") + predicate
    }

    public func latestTimestampInScan(_ column: TimestampColumn, in table: String) -> ScanAggregate {
        let c = quote(column.name)
        switch MySQLTimestampStorage(declaredType: column.declaredType) {
        case .wallTime:
            return ScanAggregate(SQLStatement("max(\(c))")) { epochSeconds(of: $0) }
        case .epochInteger, .epochFraction:
            return ScanAggregate(SQLStatement("max(CASE WHEN \(c) > 100000000000 THEN \(c) / 1000.0 ELSE \(c) END)")) { "(\($0) + 0e0)" }
        case .text, .other:
            return ScanAggregate(SQLStatement("max(\(epochSeconds(of: c, declaredType: column.declaredType)))"))
        }
    }

    public func rowsSinceInScan(_ column: TimestampColumn, cutoff: Double) -> ScanAggregate {
        .windowCount(predicate: rowsSincePredicate(column, cutoff: cutoff),
                     perRowEpoch: epochSeconds(of: quote(column.name), declaredType: column.declaredType), cutoff: cutoff)
    }

    /// `col >= bound`: wall-time columns against `CAST(? AS DATETIME(6))` of the cutoff's UTC wall time (a `date`
    /// compares as its midnight), integers against the next whole second or millisecond. nil for text, other
    /// types and cutoffs outside the years 1000-9999 that DATETIME holds (per-row then).
    func rowsSincePredicate(_ column: TimestampColumn, cutoff: Double) -> SQLStatement? {
        let c = quote(column.name)
        switch MySQLTimestampStorage(declaredType: column.declaredType) {
        case .wallTime:
            guard let wallTime = Self.wallTime(cutoff) else { return nil }
            return SQLStatement("\(c) >= CAST(? AS DATETIME(6))", arguments: [.text(wallTime)])
        case .epochInteger:
            let seconds = PostgresDialect.integerBound(cutoff), milliseconds = PostgresDialect.integerBound(cutoff * 1000)
            return SQLStatement("((\(c) >= ? AND \(c) <= 100000000000) OR (\(c) > 100000000000 AND \(c) >= ?))",
                                arguments: [seconds, milliseconds])
        case .epochFraction:
            guard cutoff.isFinite else { return nil }
            return SQLStatement("((\(c) >= ? AND \(c) <= 100000000000) OR (\(c) > 100000000000 AND \(c) >= ?))",
                                arguments: [.real(cutoff), .real(cutoff * 1000)])
        case .text, .other:
            return nil
        }
    }

    /// Epoch seconds as `YYYY-MM-DD HH:MM:SS.ffffff` (UTC), for the years DATETIME holds; nil otherwise.
    static func wallTime(_ seconds: Double) -> String? {
        // 1000-01-01 and 9999-12-31T23:59:59 in epoch seconds.
        guard seconds.isFinite, seconds >= -30_610_224_000, seconds < 253_402_300_800 else { return nil }
        // Bounded above, so the conversion cannot trap; integer division keeps the fraction in 0..<1_000_000.
        let micros = Int64((seconds * 1_000_000).rounded(.up))
        let whole = micros >= 0 ? micros / 1_000_000 : (micros - 999_999) / 1_000_000
        let fraction = Int(micros - whole * 1_000_000)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: Double(whole)))
        guard let year = parts.year, let month = parts.month, let day = parts.day,
              let hour = parts.hour, let minute = parts.minute, let second = parts.second else { return nil }
        return String(format: "%04d-%02d-%02d %02d:%02d:%02d.%06d", year, month, day, hour, minute, second, fraction)
    }

    public func catalogAnswer(for metric: Metric, table: TableName) -> SQLStatement? {
        // information_schema.tables.table_rows is an InnoDB estimate: never an answer.
        nil
    }

    /// One query over `information_schema.columns` for every table at once, with whether each column leads an
    /// index (`information_schema.statistics`, `seq_in_index = 1`) for the planner. Columns in table order.
    /// The index facts are one derived table joined once: a correlated `EXISTS` per column made MariaDB re-read
    /// the statistics for every column (13 s for 200 tables of 5 columns, against 20 ms this way).
    public func catalogQuery(for tables: [TableName]) -> SQLStatement {
        var pairs: [String] = []
        var arguments: [SQLValue] = []
        for table in tables {
            pairs.append("(?, ?)")
            arguments += [.text(table.schema ?? defaultSchema), .text(table.table)]
        }
        if tables.isEmpty {
            pairs.append("(?, ?)")
            arguments += [.text(""), .text("")]
        }
        let list = pairs.joined(separator: ", ")
        let sql = """
            SELECT c.table_schema, c.table_name, c.column_name, c.column_type, c.is_nullable, c.ordinal_position, \
            s.column_name IS NOT NULL AS leads_index \
            FROM information_schema.columns AS c \
            LEFT JOIN (SELECT DISTINCT table_schema, table_name, column_name FROM information_schema.statistics \
            WHERE seq_in_index = 1 AND (table_schema, table_name) IN (\(list))) AS s \
            ON s.table_schema = c.table_schema AND s.table_name = c.table_name AND s.column_name = c.column_name \
            WHERE (c.table_schema, c.table_name) IN (\(list)) \
            ORDER BY c.table_schema, c.table_name, c.ordinal_position
            """
        return SQLStatement(sql, arguments: arguments + arguments)
    }
}

/// How a MySQL column stores a timestamp, from its catalog type; unknown (`--dry-run`) reads as `datetime`.
enum MySQLTimestampStorage: Equatable {
    case wallTime, epochInteger, epochFraction, text, other

    init(declaredType: String?) {
        guard let declaredType else { self = .wallTime; return }
        let type = MySQLTypeNormalizer().normalize(declaredType)
        switch type.replacingOccurrences(of: " unsigned", with: "") {
        case "datetime", "timestamp", "date": self = .wallTime
        case "smallint", "integer", "bigint": self = .epochInteger
        case "numeric", "real", "double precision": self = .epochFraction
        case "text", "char": self = .text
        default: self = .other
        }
    }
}
