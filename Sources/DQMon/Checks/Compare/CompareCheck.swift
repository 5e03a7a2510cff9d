import Foundation

/// `compare` — one metric of this dataset against the same metric of another table, in this warehouse or another one,
/// within a tolerance: a source reconciled with its copy.
///
/// ```yaml
/// - compare:
///     metric: row_count                 # or { sum: amount } or { max: updated_at } (a latest timestamp)
///     where: "region = 'EU'"            # optional, this side's rows (the dataset's where: applies too)
///     with:
///       dataset: orders_copy            # a dataset of checks/ (its warehouse, table, where:, timezone), or
///       # table: analytics.orders       # a table no dataset describes, with
///       # warehouse: replica            #   its warehouse (default: this dataset's)
///       column: amount_eur              # optional: the other side's column when it is named differently
///       where: "region = 'EU'"          # optional, the other side's rows
///     tolerance: { warn: 1%, fail: 5% } # or 5%, or 100 (absolute), or 1h for a timestamp; default: equal
/// ```
///
/// Each side is its own read-only statement on its own warehouse (the engine's `DatasetMeasure`s); an unreachable
/// other warehouse makes the check an `error` naming it. A percent is of the `with:` side's value. A sum of no rows
/// counts as 0; a latest timestamp of no rows is a difference unless both sides have none.
public struct CompareCheck: CheckSpec {
    public static let typeName = "compare"
    public static let keys = ["metric", "where", "with", "tolerance"]
    static let withKeys = ["dataset", "table", "warehouse", "column", "where"]

    /// The metric compared, by kind: `row_count`, `sum` of a column, `max` of a timestamp column.
    public enum Kind: Sendable, Hashable {
        case rowCount
        case sum(column: String)
        case max(column: String)

        var isTimestamp: Bool {
            if case .max = self { return true }
            return false
        }

        /// The same kind over the other side's column (`with: { column: }`).
        func on(column other: String?) -> Kind {
            guard let other else { return self }
            switch self {
            case .rowCount: return .rowCount
            case .sum: return .sum(column: other)
            case .max: return .max(column: other)
            }
        }

        var metric: Metric {
            switch self {
            case .rowCount: return .rowCount
            case .sum(let column): return .aggregate(ColumnSum(column: column))
            case .max(let column): return .maxTimestamp(column: column)
            }
        }

        /// `row_count`, `sum(amount)`, `latest updated_at`.
        var label: String {
            switch self {
            case .rowCount: return "row_count"
            case .sum(let column): return "sum(\(column))"
            case .max(let column): return "latest \(column)"
            }
        }
    }

    /// The other side: a dataset of the configuration, or a bare table in a warehouse.
    public enum Other: Sendable, Hashable {
        case dataset(String, warehouse: String?)
        case table(TableName, warehouse: String?)
    }

    public let kind: Kind
    public let filter: String?
    public let other: Other
    public let otherColumn: String?
    public let otherFilter: String?
    public let tolerance: CompareTolerance
    /// Where `with: dataset:` (or `table:`) and `with: warehouse:` were written, for config errors.
    let otherLocation: SourceLocation
    let warehouseLocation: SourceLocation?

    public static func parse(_ fields: ConfigFields) -> CompareCheck? {
        let kind = fields.require("metric").flatMap(parseKind)
        let filter = RowFilter.parse(fields)
        let with = fields.require("with").flatMap { parseOther($0) }
        let tolerance = CompareTolerance.parse(fields, isTimestamp: kind?.isTimestamp ?? false)
        guard let kind, let with else { return nil }
        return CompareCheck(kind: kind, filter: filter, other: with.other, otherColumn: with.column, otherFilter: with.filter,
                            tolerance: tolerance, otherLocation: with.location, warehouseLocation: with.warehouseLocation)
    }

    static func parseKind(_ node: ConfigNode) -> Kind? {
        let usage = "'metric' must be row_count, { sum: <column> } or { max: <timestamp column> }"
        if node.kind == .scalar {
            guard let text = node.text(describing: "'metric'") else { return nil }
            if text == "row_count" { return .rowCount }
            let hint = Suggestion.hint(for: text, in: ["row_count"])
            node.error("\(usage), got \(ConfigText.quoted(text))\(hint)")
            return nil
        }
        guard let fields = node.fields(of: "'metric'", allowed: ["sum", "max"]) else { return nil }
        guard fields.order.count == 1, let key = fields.order.first else {
            if fields.order.count > 1 {
                node.error("\(usage): one metric per compare check, got \(fields.order.joined(separator: " and "))")
            } else if let mapping = node.entries, mapping.isEmpty {
                node.error(usage)  // else its keys were unknown, and said so
            }
            return nil
        }
        guard let column = nonEmptyColumn(fields, key) else { return nil }
        return key == "sum" ? .sum(column: column) : .max(column: column)
    }

    static func nonEmptyColumn(_ fields: ConfigFields, _ key: String) -> String? {
        guard let column = fields.string(key) else { return nil }
        let trimmed = column.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else {
            fields[key]?.error("'\(key)' needs a column name")
            return nil
        }
        return trimmed
    }

    struct ParsedOther {
        let other: Other
        let column: String?
        let filter: String?
        let location: SourceLocation
        let warehouseLocation: SourceLocation?
    }

    static func parseOther(_ node: ConfigNode) -> ParsedOther? {
        guard let fields = node.fields(of: "'with'", allowed: withKeys) else { return nil }
        let warehouse = fields.has("warehouse") ? nonEmptyColumn(fields, "warehouse") : nil
        let column = fields.has("column") ? nonEmptyColumn(fields, "column") : nil
        let filter = RowFilter.parse(fields)
        switch (fields.has("dataset"), fields.has("table")) {
        case (true, true):
            fields["table"]?.error("'with' takes 'dataset' or 'table', not both: 'dataset' names a dataset of checks/, 'table' a table no dataset describes")
            return nil
        case (false, false):
            node.error("'with' needs 'dataset' (a dataset of checks/) or 'table' (a table, with 'warehouse' when it is in another one)")
            return nil
        case (true, false):
            guard let name = nonEmptyColumn(fields, "dataset"), let location = fields["dataset"]?.location else { return nil }
            return ParsedOther(other: .dataset(name, warehouse: warehouse), column: column, filter: filter, location: location,
                               warehouseLocation: fields["warehouse"]?.location)
        case (false, true):
            guard let name = nonEmptyColumn(fields, "table"), let location = fields["table"]?.location else { return nil }
            return ParsedOther(other: .table(TableName(parsing: name), warehouse: warehouse), column: column, filter: filter,
                               location: location, warehouseLocation: fields["warehouse"]?.location)
        }
    }

    public func configErrors(in scope: ConfigScope) -> [ConfigError] {
        var errors: [ConfigError] = []
        let named: String?
        switch other {
        case .dataset(let name, let warehouse):
            named = warehouse
            guard let dataset = scope.datasets.first(where: { $0.name == name }) else {
                let hint = Suggestion.hint(for: name, in: scope.datasets.map(\.name))
                return [ConfigError("unknown dataset \(ConfigText.quoted(name)) in 'with'\(hint); compare reads a dataset defined under 'datasets' (or use 'table' and 'warehouse' for a table no dataset describes)", at: otherLocation)]
            }
            if let warehouse, scope.warehouseNames.contains(warehouse), warehouse != dataset.warehouse {
                errors.append(ConfigError("dataset \(ConfigText.quoted(name)) is in warehouse '\(dataset.warehouse)', not '\(warehouse)'; drop 'warehouse' (a dataset's own applies) or name the right one", at: warehouseLocation ?? otherLocation))
            }
        case .table(_, let warehouse):
            named = warehouse
        }
        if let named, !scope.warehouseNames.contains(named) {
            let hint = Suggestion.hint(for: named, in: scope.warehouseNames)
            errors.append(ConfigError("unknown warehouse \(ConfigText.quoted(named)) in 'with'\(hint); define it under 'warehouses' in dqmon.yml", at: warehouseLocation ?? otherLocation))
        }
        return errors
    }

    // MARK: Measures and verdict

    public var metrics: [Metric] { [] }

    var ownMeasure: DatasetMeasure { DatasetMeasure(source: .checked, metric: kind.metric, filter: filter) }

    var otherMeasure: DatasetMeasure {
        let source: DatasetMeasure.Source
        switch other {
        case .dataset(let name, _): source = .dataset(name)
        case .table(let table, let warehouse): source = .table(table, warehouse: warehouse)
        }
        return DatasetMeasure(source: source, metric: kind.on(column: otherColumn).metric, filter: otherFilter)
    }

    public var datasetMeasures: [DatasetMeasure] { [ownMeasure, otherMeasure] }

    public func evaluate(_ input: CheckInput) -> CheckOutcome {
        guard let own = input.measured[ownMeasure], let theirs = input.measured[otherMeasure] else {
            return .error("the compared values were not measured")
        }
        return Verdict(kind: kind, tolerance: tolerance, own: own, other: theirs).outcome
    }
}

/// The sum of a column over the rows, in the dataset's scan (`sum(amount)`); NULL for no rows.
struct ColumnSum: DatasetAggregate {
    let column: String

    var historyName: String { "sum(\(column))" }
    var columns: [String] { [column] }

    func plan(over rows: DatasetRows) -> AggregatePlan {
        .scan(ScanAggregate(SQLStatement("sum(\(rows.dialect.quote(column)))")))
    }
}
