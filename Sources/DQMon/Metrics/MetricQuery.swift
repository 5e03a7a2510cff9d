import Foundation

/// Builds the single statement that computes every metric of one dataset in one round trip.
///
/// Each metric is planned on its own, so the warehouse serves each from its best access path:
/// - **probes** — a scalar subquery per metric that an index can answer: `max(col)` on the raw column and
///   `col >= bound` ranges (from the dialect), `EXISTS` for "has rows", and exact catalog answers;
/// - **the scan** — the aggregates that must read every row anyway (`count(*)`, null rates, distinct counts,
///   means, and timestamp forms no probe can serve) share ONE pass over the table, in a derived table.
///
/// `SELECT dqmon_scan.m0, (probe), … FROM (SELECT count(*) AS m0, … FROM t) AS dqmon_scan`, or just
/// `SELECT (probe), …` when no metric needs the scan. A full `count(*)` runs only when a check asked for it.
public struct MetricQuery: Sendable {
    public let table: TableName
    /// The metrics in the order of the statement's result columns.
    public let metrics: [Metric]
    /// nil when the dataset has no metric the statement computes (only `sql:` metrics, or none).
    public let statement: SQLStatement?
    /// The metrics that run as their own statement (`sql:` metrics, aggregates that cannot fold), each once.
    public let standalone: [(metric: Metric, statement: SQLStatement)]
    /// `hasRows` is answered by `rowCount` when a check of the dataset counts rows anyway.
    let hasRowsFromRowCount: Bool
    /// The timestamp columns read raw on the dataset's `timestamp_format:`, checked by the one result column that
    /// follows `metrics` when there are any (the table's newest rows of them all, `SQLDialect.declaredFormSample`).
    public let declaredColumns: [DeclaredColumn]

    /// A column a statement reads raw because its form is declared.
    public struct DeclaredColumn: Sendable, Hashable {
        public let name: String
        public let format: TimestampFormat
    }

    /// - Parameters:
    ///   - now: the run's evaluation time; windows end there.
    ///   - timeZone: how zone-less timestamps are stored (UTC unless the dataset sets `timezone:`).
    ///   - columns: what the catalog says of each column (type, index), when known (not in `--dry-run`).
    ///   - filter: the dataset's `where:` (trusted user SQL): every metric reads only the rows it keeps.
    ///   - formats: the dataset's `timestamp_format:` (trusted config): declared columns are read raw where the
    ///     dialect supports it (`SQLDialect.declaredFormSample`), and checked on the table's newest rows.
    public init(table: TableName, metrics: [Metric], dialect: any SQLDialect, now: Date, timeZone: TimeZone,
                columns: [String: TimestampColumn] = [:], filter: String? = nil, formats: TimestampFormats = TimestampFormats()) {
        var rows = DatasetRows(dialect: dialect, table: table, filter: filter, columns: columns)
        rows.now = now
        rows.timeZone = timeZone
        var unique: [Metric] = []
        var standalone: [(metric: Metric, statement: SQLStatement)] = []
        for metric in metrics where !unique.contains(metric) && !standalone.contains(where: { $0.metric == metric }) {
            if let own = metric.standaloneStatement(over: rows) { standalone.append((metric, own)) } else { unique.append(metric) }
        }
        self.standalone = standalone
        hasRowsFromRowCount = unique.contains(.rowCount) && unique.contains(.hasRows)
        if hasRowsFromRowCount { unique.removeAll { $0 == .hasRows } }
        self.table = table
        self.metrics = unique
        let (declared, sample) = Self.declared(unique, formats: formats, dialect: dialect, table: table, columns: columns)
        declaredColumns = declared
        let planner = Planner(dialect: dialect, from: rows.from, table: table, now: now, timeZone: timeZone,
                              columns: columns, rows: rows, declared: declared, declaredSample: sample)
        var statement = unique.isEmpty ? nil : planner.statement(for: unique)
        if rows.isFiltered { statement?.isUserSQL = true }  // the dataset's where: is user SQL
        self.statement = statement
    }

    /// The declared timestamp columns the metrics read, and the one subquery reading their newest rows (none when the
    /// dialect reads every column the exact way).
    static func declared(_ metrics: [Metric], formats: TimestampFormats, dialect: any SQLDialect, table: TableName,
                         columns: [String: TimestampColumn]) -> (columns: [DeclaredColumn], sample: SQLStatement?) {
        guard !formats.isEmpty else { return ([], nil) }
        var names: [String] = []
        for metric in metrics {
            switch metric {
            case .maxTimestamp(let column), .windowedCount(let column, _):
                if !names.contains(column) { names.append(column) }
            default: continue
            }
        }
        let declared = names.compactMap { name in formats.format(of: name).map { DeclaredColumn(name: name, format: $0) } }
        guard !declared.isEmpty, let sample = dialect.declaredFormSample(declared.map { columns[$0.name] ?? TimestampColumn(name: $0.name) },
                                                                          in: dialect.qualifiedName(table))
        else { return ([], nil) }
        return (declared, sample)
    }

    /// What in the returned row contradicts a declared `timestamp_format:`: newest rows of another form, or a
    /// latest value (`max(col)`) that is not of the form. Empty when every declaration held where it was checked.
    public func declarationViolations(in row: [SQLValue]) -> [DeclarationViolation] {
        var violations: [DeclarationViolation] = []
        var notInForm = [Int](repeating: 0, count: declaredColumns.count)
        if metrics.count < row.count, case .text(let sample) = row[metrics.count] {
            notInForm = DeclaredSample.notInForm(sample, formats: declaredColumns.map(\.format))
        }
        for (offset, column) in declaredColumns.enumerated() {
            if case let count = notInForm[offset], count > 0 {
                violations.append(DeclarationViolation(column: column.name, format: column.format,
                                                       found: "\(count) of its newest rows are not \(column.format.rawValue)"))
                continue
            }
            for (index, metric) in metrics.enumerated() where index < row.count {
                guard case .maxTimestamp(let name) = metric, name == column.name else { continue }  // no Metric built per test
                if case .failure(let mismatch) = column.format.epochSeconds(ofStored: row[index]) {
                    violations.append(DeclarationViolation(column: column.name, format: column.format,
                                                           found: "its latest value \(mismatch.shown) is not \(column.format.rawValue)"))
                }
            }
        }
        return violations
    }

    /// Maps the returned row back to metrics, converting zone-less timestamps to UTC. A value dqmon cannot
    /// use (NaN, infinity, a timestamp outside years 1–9999) lands in `unusable` instead.
    public func values(from row: [SQLValue], timeZone: TimeZone) -> MetricValues {
        var result = MetricValues()
        result.values.reserveCapacity(metrics.count + 1)
        for (index, metric) in metrics.enumerated() {
            var value = index < row.count ? row[index].double : nil
            if case .maxTimestamp(let column) = metric, index < row.count,
               let declared = declaredColumns.first(where: { $0.name == column }) {
                value = (try? declared.format.epochSeconds(ofStored: row[index]).get()) ?? nil
            }
            if case .maxTimestamp = metric, let stored = value, MetricValues.timestampRange.contains(stored) {
                // julianday() arithmetic carries ~10 µs of float noise: timestamps are kept to the millisecond.
                let utc = stored - Double(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: stored)))
                value = (utc * 1000).rounded() / 1000
            }
            result.record(value, for: metric)
        }
        if hasRowsFromRowCount {
            result.record(result[.rowCount].map { $0 > 0 ? 1 : 0 }, for: .hasRows)
        }
        return result
    }
}

/// A declared `timestamp_format:` that the rows contradict, for the run's warning line.
public struct DeclarationViolation: Sendable, Hashable {
    public let column: String
    public let format: TimestampFormat
    /// What was seen, e.g. `3 of its newest rows are not utc_text`.
    public let found: String
}

/// Decides, per metric, between a probe and the shared scan, and assembles the statement.
struct Planner {
    let dialect: any SQLDialect
    /// The table's qualified, quoted name.
    let from: String
    let table: TableName
    let now: Date
    let timeZone: TimeZone
    let columns: [String: TimestampColumn]
    let rows: DatasetRows
    /// Columns read raw on their declared form (`MetricQuery.declared`).
    let declared: [MetricQuery.DeclaredColumn]
    /// The table's newest rows of the `declared` columns, for the form check: the statement's last result column.
    let declaredSample: SQLStatement?

    enum Plan {
        case probe(SQLStatement)
        case scan(ScanAggregate)
    }

    /// Built in two buffers (the select list and the scan's aggregates) and put together once: `+` on SQLStatement
    /// copies both sides, which made building 1,000 statements a visible part of a run.
    func statement(for metrics: [Metric]) -> SQLStatement {
        var select = SQLBuffer(separator: ", "), scan = SQLBuffer(separator: ", ")
        select.sql.reserveCapacity(512)  // a dataset's probes are a few hundred bytes: grown once, not by doubling
        scan.sql.reserveCapacity(256)
        var scanCount = 0
        for metric in metrics {
            switch plan(metric) {
            case .probe(let probe):
                select.append("(", probe, ")")
            case .scan(let aggregate):
                let names = aggregate.aggregates.indices.map { Self.scanColumn(scanCount + $0) }
                select.append(aggregate.convert(names))
                for part in aggregate.aggregates {
                    scan.append("", part, Self.scanAlias(scanCount))
                    scanCount += 1
                }
            }
        }
        if let declaredSample { select.append("(", declaredSample, ")") }
        var sql = "SELECT "
        sql.reserveCapacity(7 + select.sql.utf8.count + (scanCount > 0 ? 40 + scan.sql.utf8.count + from.utf8.count : 0))
        sql += select.sql
        if scanCount > 0 {
            sql += " FROM (SELECT "
            sql += scan.sql
            sql += " FROM "
            sql += from
            sql += ") AS dqmon_scan"
        }
        return SQLStatement(sql, arguments: select.arguments + scan.arguments, isUserSQL: select.isUserSQL || scan.isUserSQL)
    }

    /// `dqmon_scan.m<index>` and ` AS m<index>`, made once for the first few (every dataset names its scan's columns
    /// so; an interpolated string per column was a visible part of building 1,000 statements).
    static let scanColumns = (0..<32).map { "dqmon_scan.m\($0)" }
    static let scanAliases = (0..<32).map { " AS m\($0)" }  // its own `let`: in one `static let a = …, b = …` Swift 6.3 gave b a's value
    static func scanColumn(_ index: Int) -> String { index < scanColumns.count ? scanColumns[index] : "dqmon_scan.m\(index)" }
    static func scanAlias(_ index: Int) -> String { index < scanAliases.count ? scanAliases[index] : " AS m\(index)" }

    /// SQL parts joined by `separator`, with their arguments in order.
    struct SQLBuffer {
        let separator: String
        var sql = ""
        var arguments: [SQLValue] = []
        var isUserSQL = false

        mutating func append(_ prefix: String, _ part: SQLStatement, _ suffix: String) {
            if !sql.isEmpty { sql += separator }
            if !prefix.isEmpty { sql += prefix }
            sql += part.sql
            sql += suffix
            if !part.arguments.isEmpty { arguments += part.arguments }
            isUserSQL = isUserSQL || part.isUserSQL
        }

        mutating func append(_ text: String) {
            if !sql.isEmpty { sql += separator }
            sql += text
        }
    }

    func plan(_ metric: Metric) -> Plan {
        if !rows.isFiltered, let answer = dialect.catalogAnswer(for: metric, table: table) { return .probe(answer) }
        var quoted: String { metric.column.map(dialect.quote) ?? "" }
        switch metric {
        case .rowCount:
            return .scan(ScanAggregate(SQLStatement("count(*)")))
        case .hasRows:
            return .probe(SQLStatement("SELECT CASE WHEN EXISTS (SELECT 1 FROM \(from)) THEN 1 ELSE 0 END"))
        case .maxTimestamp(let column):
            let facts = columns[column] ?? TimestampColumn(name: column)
            if declared.contains(where: { $0.name == column }) { return declaredLatest(facts) }
            if let probe = dialect.latestTimestampProbe(facts, in: from) { return .probe(probe) }
            return .scan(dialect.latestTimestampInScan(facts, in: from))
        case .windowedCount(let column, let window):
            let cutoff = storedCutoff(window)
            let facts = columns[column] ?? TimestampColumn(name: column)
            if let format = declared.first(where: { $0.name == column })?.format, let bound = format.bound(cutoff) {
                return declaredRowsSince(facts, bound: bound)
            }
            if let probe = dialect.rowsSinceProbe(facts, cutoff: cutoff, in: from) { return .probe(probe) }
            return .scan(dialect.rowsSinceInScan(facts, cutoff: cutoff))
        case .nullRate:
            return .scan(ScanAggregate(SQLStatement("(count(*) - count(\(quoted))) * 1.0 / CASE WHEN count(*) = 0 THEN 1 ELSE count(*) END")))
        case .distinctCount:
            return .scan(ScanAggregate(SQLStatement("count(DISTINCT \(quoted))")))
        case .mean:
            return .scan(ScanAggregate(SQLStatement("avg(\(quoted))")))
        case .custom:
            return .scan(ScanAggregate(SQLStatement("NULL")))  // never planned: `sql:` metrics run as their own statements
        case .aggregate(let aggregate):
            switch aggregate.base.plan(over: rows) {
            case .scan(let scan): return .scan(scan)
            case .statement: return .scan(ScanAggregate(SQLStatement("NULL")))  // never planned: runs as its own statement
            }
        }
    }

    /// A declared column's latest value, raw: `max(col)` (an index probe on an indexed column, else in the shared
    /// scan); `MetricQuery.values` converts the one value (and `declarationViolations` checks its form).
    func declaredLatest(_ column: TimestampColumn) -> Plan {
        let quoted = dialect.quote(column.name)
        if column.isIndexed != false { return .probe(SQLStatement("SELECT max(\(quoted)) FROM \(from)")) }
        return .scan(ScanAggregate(SQLStatement("max(\(quoted))")))
    }

    /// A declared column's window, raw: `col >= bound` with the bound in the column's declared form.
    func declaredRowsSince(_ column: TimestampColumn, bound: SQLValue) -> Plan {
        let quoted = dialect.quote(column.name)
        if column.isIndexed != false {
            return .probe(SQLStatement("SELECT count(*) FROM \(from) WHERE \(quoted) >= ?", arguments: [bound]))
        }
        return .scan(ScanAggregate(dialect.countRows(where: SQLStatement("\(quoted) >= ?", arguments: [bound]))))
    }

    /// The window's start in the column's stored time (zone-less values are local to the dataset's timezone).
    func storedCutoff(_ window: Interval) -> Double {
        let cutoff = now.timeIntervalSince1970 - window.seconds
        guard MetricValues.timestampRange.contains(cutoff) else { return cutoff }
        return cutoff + Double(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: cutoff)))
    }
}
