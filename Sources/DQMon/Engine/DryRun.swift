import Foundation

extension CheckRunner {
    /// The SQL a run with these options would send, without connecting to any warehouse or writing history:
    /// per warehouse, its one catalog query, then one metric query per dataset with due checks.
    /// Bound values are shown inline as literals; the real run binds them as parameters.
    /// Without a catalog, each timestamp metric shows the form for an indexed column of unknown type; the run
    /// adapts it to the column's declared type and, on SQLite, to whether an index leads with the column.
    public static func dryRunSQL(configuration: Configuration, options: RunOptions, states: [String: CheckState]) throws(RunError) -> String {
        let plan = try makePlan(configuration: configuration, options: options, states: states)
        var lines: [String] = []
        for (warehouseName, datasets) in plan.byWarehouse {
            guard let warehouse = configuration.project.warehouse(named: warehouseName) else { continue }
            let dialect = warehouse.settings.dialect
            let catalog = dialect.catalogQueries(for: datasets.map(\.0.table))
            let catalogParts = catalog.count == 1 ? "one query" : "\(catalog.count) queries"
            lines.append("-- warehouse '\(warehouseName)' (\(warehouse.typeName)): catalog, \(catalogParts) for \(datasets.count) dataset(s)")
            lines.append("-- (timestamp metrics are shown for an indexed column of unknown type: the run adapts them to the catalog's type and indexes)")
            lines += catalog.map { $0.inlined + ";" }
            for (dataset, checks) in datasets {
                let query = MetricQuery(table: dataset.table, metrics: checks.flatMap(\.spec.metrics), dialect: dialect,
                                        now: options.now, timeZone: dataset.timeZone, filter: dataset.filter,
                                        formats: dataset.timestampFormats)
                lines.append("-- \(dataset.name): \(checks.map(\.id).joined(separator: ", "))")
                if let statement = query.statement { lines.append(statement.inlined + ";") }
                for (metric, statement) in query.standalone {
                    lines.append("-- \(dataset.name): \(metric) (its own statement)")
                    lines.append(statement.inlined + ";")
                }
                if query.statement == nil, query.standalone.isEmpty { lines.append("-- (no metric query: its checks read only the catalog)") }
                lines += measureLines(dataset: dataset, checks: checks, configuration: configuration, now: options.now)
                lines += sampleLines(dataset: dataset, checks: checks, dialect: dialect)
            }
        }
        if plan.byWarehouse.isEmpty { lines.append("-- no checks are due (use --all to include every check)") }
        return lines.joined(separator: "\n")
    }
}
