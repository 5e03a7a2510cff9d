import Foundation

extension DatasetEvaluator {
    /// After a check that takes samples (`samples: N`) warns or fails, runs its one bounded, read-only sample
    /// statement and attaches the rows to the result, to be stored with it. A sample that cannot be taken (a
    /// `sample_columns` entry the catalog lacks, a failing statement) leaves the status as it is and says why in
    /// the message.
    func attachSamples(_ check: CheckConfig, to result: inout CheckResult, rows: DatasetRows, columns: [CatalogColumn],
                       on warehouse: any Warehouse) async {
        guard result.status == .warn || result.status == .fail, let sample = check.spec.failingRowsSample(over: rows) else { return }
        let names = columns.map(\.name)
        if let unknown = sample.datasetColumns.first(where: { !names.contains($0) }) {
            result.message += " (samples not taken: sample column '\(unknown)' not found in \(dataset.table)\(Suggestion.hint(for: unknown, in: names)); the status is unchanged)"
            return
        }
        do {
            let values = try await warehouse.queryRows(sample.statement)
            let header = sample.columns.isEmpty ? Self.sampleHeader(width: values.first?.count ?? 0) : sample.columns
            result.artifacts.append(FailingRowSamples(columns: header, values: values))
        } catch {
            result.message += " (samples not taken: the sample query failed: \(error.description); the status is unchanged)"
        }
    }

    /// After a check that lists its offending values warns or fails, runs its one bounded statement and appends the
    /// most frequent values to the message. A statement that fails adds nothing: the status and counts stand.
    func attachOffendingValues(_ check: CheckConfig, to result: inout CheckResult, rows: DatasetRows, on warehouse: any Warehouse) async {
        guard result.status == .warn || result.status == .fail, let statement = check.spec.offendingValues(over: rows),
              let values = try? await warehouse.queryRows(statement) else { return }
        result.message += OffendingValues.suffix(values)
    }

    /// A `sql` check's sample without `sample_columns`: the warehouse does not name the query's columns here, so
    /// they are numbered.
    static func sampleHeader(width: Int) -> [String] {
        (0..<width).map { "column \($0 + 1)" }
    }
}

extension CheckRunner {
    /// `--dry-run`: each check's sample statement, which runs only after that check warns or fails.
    static func sampleLines(dataset: DatasetConfig, checks: [CheckConfig], dialect: any SQLDialect) -> [String] {
        let rows = DatasetRows(dialect: dialect, table: dataset.table, filter: dataset.filter)
        return checks.flatMap { check -> [String] in
            var lines: [String] = []
            if let values = check.spec.offendingValues(over: rows) {
                lines += ["-- \(dataset.name): \(check.id) most frequent offending values (only when the check warns or fails)", values.inlined + ";"]
            }
            guard let sample = check.spec.failingRowsSample(over: rows) else { return lines }
            return lines + ["-- \(dataset.name): \(check.id) failing-row samples (only when the check warns or fails)", sample.statement.inlined + ";"]
        }
    }
}
