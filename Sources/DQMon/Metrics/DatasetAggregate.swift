import Foundation

/// A measure that a check type defines in its own folder, carried by `Metric.aggregate`: the failing rows of a
/// business rule, the rows a filter keeps, the extra rows of a duplicated key.
///
/// It is a value (Hashable, so two checks asking for the same measure share one computation) that renders its own
/// SQL for a dialect. An aggregate that can be computed in the dataset's one pass over its rows returns
/// `.scan`, and folds into `MetricQuery`'s statement; one that cannot (a `GROUP BY`, a join with another table, a
/// user's query) returns `.statement`, run on its own and shown by `--dry-run` after the dataset's statement.
///
/// Contract: identifiers are quoted with `rows.dialect`, values are bound as arguments (never spliced), and the SQL
/// reads no more than one row back. A `where:` written by the user is trusted config: statements that carry it set
/// `isUserSQL`, so the warehouse runs them with its strictest read-only guard.
public protocol DatasetAggregate: Sendable, Hashable, CustomStringConvertible {
    /// The name stored with metric points and used in messages, e.g. `missing_count(status)`.
    var historyName: String { get }
    /// The dataset's own columns the aggregate reads; one the catalog lacks makes the check an `error` naming it.
    var columns: [String] { get }
    /// The SQL computing the aggregate over the dataset's rows.
    func plan(over rows: DatasetRows) -> AggregatePlan
    /// True for a `.statement` that returns one bounded row per group (a segmented anomaly's `GROUP BY … LIMIT n`):
    /// the engine keeps all its rows in `MetricValues.groupedRows` instead of one value. Default false.
    var isGrouped: Bool { get }
}

extension DatasetAggregate {
    public var description: String { historyName }
    public var isGrouped: Bool { false }
}

/// The rows an aggregate reads: the dataset's table, already narrowed by the dataset's `where:`.
public struct DatasetRows: Sendable {
    public let dialect: any SQLDialect
    /// A FROM item: the quoted, qualified table, or `(SELECT * FROM table WHERE (filter)) AS dqmon_rows`.
    public let from: String
    /// Whether `from` carries the dataset's `where:` (user SQL).
    public let isFiltered: Bool
    /// What the catalog says of each column (declared type, index), when known; empty in `--dry-run`.
    public let columns: [String: TimestampColumn]
    /// The run's evaluation time and the zone of zone-less timestamps, for aggregates with a time window (set by
    /// `MetricQuery`; nil where no run time applies, e.g. samples).
    public var now: Date? = nil
    public var timeZone = TimeZone(identifier: "UTC") ?? .current

    public init(dialect: any SQLDialect, from: String, isFiltered: Bool = false, columns: [String: TimestampColumn] = [:]) {
        self.dialect = dialect
        self.from = from
        self.isFiltered = isFiltered
        self.columns = columns
    }

    /// The table as the dataset sees it: `dialect`'s qualified name, narrowed by `filter` when there is one.
    public init(dialect: any SQLDialect, table: TableName, filter: String?, columns: [String: TimestampColumn] = [:]) {
        let qualified = dialect.qualifiedName(table)
        if let filter {
            self.init(dialect: dialect, from: "(SELECT * FROM \(qualified) WHERE (\(filter))) AS dqmon_rows", isFiltered: true, columns: columns)
        } else {
            self.init(dialect: dialect, from: qualified, columns: columns)
        }
    }
}

/// How a `DatasetAggregate` is computed.
public enum AggregatePlan: Sendable {
    /// Aggregates over every row, folded into the dataset's one scan (`SELECT … FROM rows`).
    case scan(ScanAggregate)
    /// A statement of its own returning one row whose first value is the aggregate.
    case statement(SQLStatement)
}

/// A `DatasetAggregate` of any type, compared and hashed by its value.
public struct AnyDatasetAggregate: Sendable, Hashable, CustomStringConvertible {
    public let base: any DatasetAggregate

    public init(_ base: some DatasetAggregate) { self.base = base }

    public static func == (lhs: AnyDatasetAggregate, rhs: AnyDatasetAggregate) -> Bool {
        AnyHashable(lhs.base) == AnyHashable(rhs.base)
    }

    public func hash(into hasher: inout Hasher) { AnyHashable(base).hash(into: &hasher) }

    public var description: String { base.historyName }
}

extension Metric {
    /// A check type's own aggregate, as a metric the engine plans, shares and computes like the built-in ones.
    public static func aggregate(_ aggregate: some DatasetAggregate) -> Metric { .aggregate(AnyDatasetAggregate(aggregate)) }

    /// Every column of the dataset this metric reads (none for row counts and `sql:` metrics).
    public var columns: [String] {
        if case .aggregate(let aggregate) = self { return aggregate.base.columns }
        return column.map { [$0] } ?? []
    }

    /// The statement this metric runs on its own, outside the dataset's one statement: a `sql:` metric, or an
    /// aggregate that cannot fold into the scan. nil when it folds.
    public func standaloneStatement(over rows: DatasetRows) -> SQLStatement? {
        switch self {
        case .custom(let sql):
            return SQLStatement(sql, isUserSQL: true)
        case .aggregate(let aggregate):
            if case .statement(let statement) = aggregate.base.plan(over: rows) { return statement }
            return nil
        default:
            return nil
        }
    }
}
