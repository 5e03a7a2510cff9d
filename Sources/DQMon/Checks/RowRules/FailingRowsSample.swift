import Foundation

/// `samples: N` and `sample_columns: [...]` on a business-rule check: after the check's count says rows fail, fetch
/// at most N of those rows, and only the listed columns (default: the check's own columns; a `sql` check's: every
/// column its query returns). Off by default, because failing rows may hold personal data.
public struct SampleRequest: Sendable, Hashable {
    /// The keys a check that can sample accepts.
    public static let keys = ["samples", "sample_columns"]
    /// The most rows one check may sample: enough to see the problem, small enough to keep in history and alerts.
    public static let maximumRows = 100

    public let limit: Int
    /// nil: the check's own columns.
    public let columns: [String]?

    public init(limit: Int, columns: [String]? = nil) {
        self.limit = limit
        self.columns = columns
    }

    /// nil when `samples:` is absent or 0; errors at the value for anything but a whole number 0…100, and for a
    /// `sample_columns:` that is empty, repeats a column, or comes without `samples:`.
    static func parse(_ fields: ConfigFields) -> SampleRequest? {
        let columns = parseColumns(fields)
        guard let node = fields["samples"] else {
            if fields.has("sample_columns") {
                fields["sample_columns"]?.error("'sample_columns' needs 'samples: N' (how many failing rows to fetch, 1 to \(maximumRows))")
            }
            return nil
        }
        guard let text = node.text(describing: "'samples'") else { return nil }
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, trimmed.count <= 4, trimmed.allSatisfy({ $0.isASCII && $0.isNumber }), let limit = Int(trimmed),
              limit <= maximumRows else {
            node.error("'samples' must be a number of failing rows to fetch, 0 to \(maximumRows) (0: none), got \(ConfigText.quoted(text))")
            return nil
        }
        return limit == 0 ? nil : SampleRequest(limit: limit, columns: columns)
    }

    static func parseColumns(_ fields: ConfigFields) -> [String]? {
        guard fields.has("sample_columns"), let columns = fields.stringList("sample_columns") else { return nil }
        if columns.isEmpty {
            fields["sample_columns"]?.error("'sample_columns' is empty: list the columns to show, e.g. sample_columns: [order_id, status]")
            return nil
        }
        if let blank = columns.first(where: { $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
            fields["sample_columns"]?.error("'sample_columns' has an empty column name \(ConfigText.quoted(blank))")
            return nil
        }
        if Set(columns).count != columns.count {
            fields["sample_columns"]?.error("'sample_columns' lists a column twice: \(columns.joined(separator: ", "))")
            return nil
        }
        return columns
    }
}

/// The bounded, read-only statement that fetches a check's failing rows, the names of the columns it returns (empty:
/// every column of a `sql` check's query, numbered), and the dataset columns among them, checked against the catalog
/// before it runs (none for a `sql` check, whose query says what it returns).
public struct FailingRowsSample: Sendable {
    public let columns: [String]
    public let datasetColumns: [String]
    public let statement: SQLStatement

    public init(columns: [String], datasetColumns: [String], statement: SQLStatement) {
        self.columns = columns
        self.datasetColumns = datasetColumns
        self.statement = statement
    }
}

/// A failing-row count that can also fetch the rows it counts.
protocol SampledAggregate: DatasetAggregate {
    /// `SELECT <columns> FROM rows WHERE <the failing-row predicate> LIMIT ?`; `columns` empty means every column.
    func sample(columns: [String], limit: Int, over rows: DatasetRows) -> SQLStatement
}

extension RowRuleCheck {
    public func failingRowsSample(over rows: DatasetRows) -> FailingRowsSample? {
        guard let request = rule.sample, case .aggregate(let aggregate) = failingRows,
              let sampled = aggregate.base as? any SampledAggregate else { return nil }
        let columns = request.columns ?? aggregate.base.columns
        let readsDataset = !aggregate.base.columns.isEmpty
        return FailingRowsSample(columns: columns, datasetColumns: readsDataset ? columns : [],
                                 statement: sampled.sample(columns: columns, limit: request.limit, over: rows))
    }
}

enum SampleSQL {
    /// `"a", "b"`, or `*` for no columns.
    static func selectList(_ columns: [String], dialect: any SQLDialect, qualifier: String? = nil) -> String {
        guard !columns.isEmpty else { return qualifier.map { "\($0).*" } ?? "*" }
        return columns.map { (qualifier.map { $0 + "." } ?? "") + dialect.quote($0) }.joined(separator: ", ")
    }

    static func limit(_ limit: Int) -> SQLStatement {
        SQLStatement(" LIMIT ?", arguments: [.integer(Int64(limit))])
    }
}

extension FailingRowCount: SampledAggregate {
    func sample(columns: [String], limit: Int, over rows: DatasetRows) -> SQLStatement {
        let head = SQLStatement("SELECT \(SampleSQL.selectList(columns, dialect: rows.dialect)) FROM \(rows.from) WHERE \(RowFilter.prefix(filter))(",
                                isUserSQL: filter != nil || rows.isFiltered)
        return head + condition.sql(over: rows) + SQLStatement(")") + SampleSQL.limit(limit)
    }
}

extension DuplicatesCheck.ExtraRows: SampledAggregate {
    /// Every row of a repeated key (ordered by the key, so a group's rows show together), not only the extra ones.
    func sample(columns: [String], limit: Int, over rows: DatasetRows) -> SQLStatement {
        let quoted = key.map(rows.dialect.quote)
        let keyList = quoted.count == 1 ? quoted[0] : "(\(quoted.joined(separator: ", ")))"
        let notNull = quoted.map { "\($0) IS NOT NULL" }.joined(separator: " AND ")
        let repeated = "SELECT \(quoted.joined(separator: ", ")) FROM \(rows.from) WHERE \(RowFilter.prefix(filter))\(notNull) "
            + "GROUP BY \(quoted.joined(separator: ", ")) HAVING count(*) > 1"
        let sql = "SELECT \(SampleSQL.selectList(columns, dialect: rows.dialect)) FROM \(rows.from) WHERE \(RowFilter.prefix(filter))"
            + "\(keyList) IN (\(repeated)) ORDER BY \(quoted.joined(separator: ", "))"
        return SQLStatement(sql, isUserSQL: filter != nil || rows.isFiltered) + SampleSQL.limit(limit)
    }
}

extension ReferencesCheck.UnmatchedRows: SampledAggregate {
    /// The same anti-join as the count.
    func sample(columns: [String], limit: Int, over rows: DatasetRows) -> SQLStatement {
        let dialect = rows.dialect
        let child = "dqmon_child." + dialect.quote(column)
        let parent = "dqmon_parent." + dialect.quote(targetColumn)
        let sql = "SELECT \(SampleSQL.selectList(columns, dialect: dialect, qualifier: "dqmon_child")) FROM (SELECT * FROM \(rows.from)) AS dqmon_child "
            + "WHERE \(RowFilter.prefix(filter))\(child) IS NOT NULL "
            + "AND NOT EXISTS (SELECT 1 FROM \(dialect.qualifiedName(target)) AS dqmon_parent WHERE \(parent) = \(child))"
        return SQLStatement(sql, isUserSQL: filter != nil || rows.isFiltered) + SampleSQL.limit(limit)
    }
}

extension SQLRuleCheck.QueryRows: SampledAggregate {
    /// The user's query's rows, all its columns unless `sample_columns:` names some.
    func sample(columns: [String], limit: Int, over rows: DatasetRows) -> SQLStatement {
        SQLStatement("SELECT \(SampleSQL.selectList(columns, dialect: rows.dialect)) FROM (\(query)) AS dqmon_failing", isUserSQL: true)
            + SampleSQL.limit(limit)
    }
}

/// Failing rows a check fetched (`samples: N`), kept in history with its result: the column names and each row's
/// values as text (NULL stays nil), each value cut to `maximumValueLength` characters.
public struct FailingRowSamples: Sendable, Hashable {
    /// The longest value kept, in characters; a longer one is cut and ends with `…`.
    public static let maximumValueLength = 200

    public let columns: [String]
    public let rows: [[String?]]

    public init(columns: [String], rows: [[String?]]) {
        self.columns = columns
        self.rows = rows.map { $0.map { $0.map(FailingRowSamples.bounded) } }
    }

    /// The warehouse's values as text.
    public init(columns: [String], values: [[SQLValue]]) {
        self.init(columns: columns, rows: values.map { $0.map(FailingRowSamples.text) })
    }

    static func text(_ value: SQLValue) -> String? {
        switch value {
        case .null: return nil
        case .integer(let number): return String(number)
        case .real(let number): return String(number)
        case .text(let text): return text
        }
    }

    static func bounded(_ text: String) -> String {
        text.count <= maximumValueLength ? text : String(text.prefix(maximumValueLength - 1)) + "…"
    }
}
