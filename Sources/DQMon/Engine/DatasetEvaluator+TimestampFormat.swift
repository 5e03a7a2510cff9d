import Foundation

extension DatasetEvaluator {
    /// The dataset's one metric statement for `checks`, reading the columns of `formats` raw.
    func metricQuery(_ checks: [CheckConfig], on warehouse: any Warehouse, catalog: Catalog, formats: TimestampFormats) -> MetricQuery {
        MetricQuery(table: dataset.table, metrics: checks.flatMap(\.spec.metrics), dialect: warehouse.dialect,
                    now: now, timeZone: dataset.timeZone, columns: catalog.timestampColumns(of: dataset.table),
                    filter: dataset.filter, formats: formats)
    }

    /// One warning line per column whose declared `timestamp_format:` the rows contradict: the run then measures
    /// it the exact way (so the answer is right) but the user should fix the declaration (or drop it).
    func warnDeclarationsFailed(_ violations: [DeclarationViolation]) {
        for violation in violations {
            let text = "warning: dataset '\(dataset.name)': timestamp_format \(violation.format.rawValue) does not hold for column "
                + "'\(violation.column)' (\(violation.found)); measured it the exact way instead. Fix or remove the declaration "
                + "(\(dataset.location.file):\(dataset.location.line)) or the rows"
            if DQMonLog.isJSON {
                DQMonLog.event("note", level: .warning, text, ["dataset": .string(dataset.name), "column": .string(violation.column)])
            } else {
                DQMonLog.writeToStandardError("dqmon: " + text)
            }
        }
    }
}
