import Foundation

/// Measures the `DatasetMeasure`s checks ask for: each on its table's own warehouse (the dataset's connection when it
/// is the same warehouse, else one the `WarehouseResolver` opens), each by its own read-only statement planned by
/// `MetricQuery` over that table's rows (its dataset's `where:` and the check's, its timezone, its catalog types).
struct DatasetMeasurer: Sendable {
    let datasets: [String: DatasetConfig]
    let warehouses: WarehouseResolver
    let now: Date

    init(configuration: Configuration, warehouses: WarehouseResolver, now: Date) {
        var byName: [String: DatasetConfig] = [:]
        for dataset in configuration.datasets { byName[dataset.name] = dataset }
        self.datasets = byName
        self.warehouses = warehouses
        self.now = now
    }

    /// Where a measure reads: the warehouse, the table, the rows' filter, and how messages name the place.
    struct Target: Sendable {
        let warehouse: String
        let table: TableName
        let filter: String?
        let timeZone: TimeZone
        /// `orders_copy`, or `orders_copy (warehouse 'replica')` when it is not the checked dataset's warehouse, then
        /// the check's `where:` for this side, if any.
        let place: String
    }

    /// nil only for a dataset name the configuration lacks (config validation reports it before any run).
    static func target(of measure: DatasetMeasure, checked: DatasetConfig, datasets: [String: DatasetConfig]) -> Target? {
        let warehouse: String, table: TableName, datasetFilter: String?, timeZone: TimeZone, name: String
        switch measure.source {
        case .checked:
            (warehouse, table, datasetFilter, timeZone, name) = (checked.warehouse, checked.table, checked.filter, checked.timeZone, checked.name)
        case .dataset(let datasetName):
            guard let other = datasets[datasetName] else { return nil }
            (warehouse, table, datasetFilter, timeZone, name) = (other.warehouse, other.table, other.filter, other.timeZone, other.name)
        case .table(let otherTable, let otherWarehouse):
            (warehouse, table, datasetFilter, timeZone, name) = (otherWarehouse ?? checked.warehouse, otherTable, nil, checked.timeZone, otherTable.description)
        }
        let filters = [datasetFilter, measure.filter].compactMap { $0 }
        let filter = filters.count > 1 ? filters.map { "(\($0))" }.joined(separator: " AND ") : filters.first
        var place = warehouse == checked.warehouse ? name : "\(name) (warehouse '\(warehouse)')"
        if let own = measure.filter { place += " where \(own)" }
        return Target(warehouse: warehouse, table: table, filter: filter, timeZone: timeZone, place: place)
    }

    /// The statement measuring `metric` over the target's rows (`columns`: the catalog's facts, empty in --dry-run).
    static func statement(for metric: Metric, at target: Target, dialect: any SQLDialect, now: Date,
                          columns: [String: TimestampColumn] = [:]) -> (query: MetricQuery, statement: SQLStatement?) {
        let query = MetricQuery(table: target.table, metrics: [metric], dialect: dialect, now: now, timeZone: target.timeZone,
                                columns: columns, filter: target.filter)
        return (query, query.statement ?? query.standalone.first?.statement)
    }

    /// The measured value, or a one-line reason naming the warehouse, table or column that stopped it.
    func measure(_ measure: DatasetMeasure, for checked: DatasetConfig, local: any Warehouse,
                 localCatalog: Catalog) async -> Result<MeasuredValue, MeasureFailure> {
        guard let target = Self.target(of: measure, checked: checked, datasets: datasets) else {
            return .failure(MeasureFailure("dataset for \(measure) is not defined in checks/"))
        }
        let warehouse: any Warehouse
        if target.warehouse == checked.warehouse {
            warehouse = local
        } else {
            switch await warehouses.warehouse(named: target.warehouse) {
            case .success(let opened): warehouse = opened
            case .failure(let error):
                return .failure(MeasureFailure("warehouse '\(target.warehouse)' is unreachable, so \(target.place) could not be measured: \(error.message)"))
            }
        }
        do throws(WarehouseError) {
            var catalog = localCatalog
            if target.warehouse != checked.warehouse || catalog.columns(of: target.table) == nil {
                catalog = try await warehouse.catalog(for: [target.table])
            }
            guard let columns = catalog.columns(of: target.table) else {
                return .failure(MeasureFailure("table '\(target.table)' not found in warehouse '\(target.warehouse)' (needed for \(target.place))"))
            }
            let names = columns.map(\.name)
            if let missing = measure.metric.columns.first(where: { !names.contains($0) }) {
                return .failure(MeasureFailure("column '\(missing)' not found in \(target.place)\(Suggestion.hint(for: missing, in: names))"))
            }
            let (query, statement) = Self.statement(for: measure.metric, at: target, dialect: warehouse.dialect, now: now,
                                                    columns: catalog.timestampColumns(of: target.table))
            guard let statement else { return .failure(MeasureFailure("\(measure.metric) cannot be measured by a statement")) }
            let row = try await warehouse.queryRow(statement)
            var values = MetricValues()
            if query.statement != nil {
                values = query.values(from: row, timeZone: target.timeZone)
            } else {
                values.record(row.first?.double, for: measure.metric)
            }
            if let problem = values.unusable[measure.metric] { return .failure(MeasureFailure("\(target.place): \(problem)")) }
            return .success(MeasuredValue(value: values[measure.metric], place: target.place))
        } catch {
            return .failure(MeasureFailure("query for \(measure.metric) of \(target.place) failed: \(error.description)"))
        }
    }
}

/// Why a `DatasetMeasure` could not be taken; the check that needed it becomes an `error` with this message.
struct MeasureFailure: Error, Sendable {
    let message: String
    init(_ message: String) { self.message = message }
}

extension DatasetEvaluator {
    /// The values of `check`'s dataset measures, or the first reason one could not be taken.
    func measure(_ check: CheckConfig, on warehouse: any Warehouse, catalog: Catalog) async -> Result<[DatasetMeasure: MeasuredValue], MeasureFailure> {
        guard let measurer else { return .failure(MeasureFailure("this run cannot measure other datasets")) }
        var values: [DatasetMeasure: MeasuredValue] = [:]
        for measure in check.spec.datasetMeasures where values[measure] == nil {
            switch await measurer.measure(measure, for: dataset, local: warehouse, localCatalog: catalog) {
            case .success(let value): values[measure] = value
            case .failure(let failure): return .failure(failure)
            }
        }
        return .success(values)
    }
}

extension CheckRunner {
    /// `--dry-run`: each dataset measure's statement, on its own warehouse's dialect.
    static func measureLines(dataset: DatasetConfig, checks: [CheckConfig], configuration: Configuration, now: Date) -> [String] {
        var datasets: [String: DatasetConfig] = [:]
        for dataset in configuration.datasets { datasets[dataset.name] = dataset }
        return checks.flatMap { check in
            check.spec.datasetMeasures.flatMap { measure -> [String] in
                guard let target = DatasetMeasurer.target(of: measure, checked: dataset, datasets: datasets),
                      let warehouse = configuration.project.warehouse(named: target.warehouse),
                      let statement = DatasetMeasurer.statement(for: measure.metric, at: target, dialect: warehouse.settings.dialect, now: now).statement
                else { return [] }
                return ["-- \(dataset.name): \(check.id) \(measure.metric) of \(target.place) (its own statement, on warehouse '\(target.warehouse)')",
                        statement.inlined + ";"]
            }
        }
    }
}
