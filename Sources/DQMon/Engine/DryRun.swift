import Foundation

extension CheckRunner {
    /// The SQL a run with these options would send, without connecting to any warehouse or writing history:
    /// per warehouse, its one catalog query, then one metric query per dataset with due checks.
    /// Bound values are shown inline as literals; the real run binds them as parameters.
    public static func dryRunSQL(configuration: Configuration, options: RunOptions, states: [String: CheckState]) throws(RunError) -> String {
        let plan = try makePlan(configuration: configuration, options: options, states: states)
        var lines: [String] = []
        for (warehouseName, datasets) in plan.byWarehouse {
            guard let warehouse = configuration.project.warehouse(named: warehouseName) else { continue }
            let dialect = warehouse.settings.dialect
            lines.append("-- warehouse '\(warehouseName)' (\(warehouse.typeName)): catalog, one query for \(datasets.count) dataset(s)")
            lines.append(dialect.catalogQuery(for: datasets.map(\.0.table)).inlined + ";")
            for (dataset, checks) in datasets {
                let query = MetricQuery(table: dataset.table, metrics: checks.flatMap(\.spec.metrics), dialect: dialect,
                                        now: options.now, timeZone: dataset.timeZone)
                lines.append("-- \(dataset.name): \(checks.map(\.id).joined(separator: ", "))")
                if query.metrics.isEmpty { lines.append("-- (no metric query: its checks read only the catalog)"); continue }
                lines.append(query.statement.inlined + ";")
            }
        }
        if plan.byWarehouse.isEmpty { lines.append("-- no checks are due (use --all to include every check)") }
        return lines.joined(separator: "\n")
    }
}
