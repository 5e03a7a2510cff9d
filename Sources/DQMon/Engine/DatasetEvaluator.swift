import Foundation

/// Evaluates the due checks of one dataset: checks columns against the catalog, runs the dataset's one
/// metric query, and hands each check its values. Never writes anything.
struct DatasetEvaluator: Sendable {
    let dataset: DatasetConfig
    let checks: [CheckConfig]
    let now: Date
    let states: [String: CheckState]
    /// What the checks' `contextKeys` loaded for this dataset (in bulk, by the runner).
    var context = CheckContext()
    /// Why a context key could not be loaded: the checks that list it become errors with this message.
    var contextFailure: @Sendable (any CheckSpec) -> String? = { _ in nil }
    /// Measures the checks' `datasetMeasures` (other datasets, other warehouses); nil: no check of the run has any.
    var measurer: DatasetMeasurer?

    struct Evaluation: Sendable {
        var results: [CheckResult]
        var metricPoints: [SeriesPoint]
    }

    func evaluate(on warehouse: any Warehouse, catalog: Catalog) async -> Evaluation {
        guard let columns = catalog.columns(of: dataset.table) else {
            return missingTable("table '\(dataset.table)' not found in warehouse '\(warehouse.name)' (was it dropped or renamed upstream? check the dataset's 'name')", warehouse: warehouse)
        }
        // Results by the check's position in `checks` (config ids are unique): a dictionary by id hashed every id and
        // copied every result twice.
        var results = [CheckResult?](repeating: nil, count: checks.count)
        var runnable: [Int] = []
        let names = columns.map(\.name)
        for (index, check) in checks.enumerated() {
            if let problem = contextFailure(check.spec) ?? missingColumn(check, names: names) {
                results[index] = result(check, .error(problem), milliseconds: nil)
            } else {
                runnable.append(index)
            }
        }
        var measured: [Int: [DatasetMeasure: MeasuredValue]] = [:]
        for index in runnable where !checks[index].spec.datasetMeasures.isEmpty {
            switch await measure(checks[index], on: warehouse, catalog: catalog) {
            case .success(let values): measured[index] = values
            case .failure(let failure): results[index] = result(checks[index], .error(failure.message), milliseconds: nil)
            }
        }
        runnable.removeAll { results[$0] != nil }
        var points: [SeriesPoint] = []
        let metricFree = runnable.filter { checks[$0].spec.metrics.isEmpty }
        runnable.removeAll { checks[$0].spec.metrics.isEmpty }
        for index in metricFree {
            let check = checks[index]
            let outcome = Self.finite(check.spec.evaluate(input(check, metrics: MetricValues(), columns: columns, warehouse: warehouse,
                                                                measured: measured[index] ?? [:])))
            results[index] = result(check, outcome, milliseconds: nil)
        }
        if !runnable.isEmpty {
            let runnableChecks = runnable.map { checks[$0] }
            var query = metricQuery(runnableChecks, on: warehouse, catalog: catalog, formats: dataset.timestampFormats)
            let started = ContinuousClock.now
            do {
                var row: [SQLValue] = []
                if let statement = query.statement { row = try await warehouse.queryRow(statement) }
                let violations = query.declarationViolations(in: row)
                if !violations.isEmpty {  // a declared timestamp_format does not hold: measure those columns exactly
                    warnDeclarationsFailed(violations)
                    query = metricQuery(runnableChecks, on: warehouse, catalog: catalog,
                                        formats: dataset.timestampFormats.removing(Set(violations.map(\.column))))
                    if let statement = query.statement { row = try await warehouse.queryRow(statement) }
                }
                let milliseconds = Self.milliseconds(since: started)
                var values = query.values(from: row, timeZone: dataset.timeZone)
                let customErrors = await measureStandalone(query.standalone, on: warehouse, into: &values)
                for index in runnable {
                    let check = checks[index]
                    if let problem = check.spec.metrics.lazy.compactMap({ customErrors[$0] ?? values.unusable[$0] }).first {
                        results[index] = result(check, .error(problem), milliseconds: milliseconds)
                        continue
                    }
                    let outcome = Self.finite(check.spec.evaluate(input(check, metrics: values, columns: columns, warehouse: warehouse,
                                                                        measured: measured[index] ?? [:])))
                    var checkResult = result(check, outcome, milliseconds: milliseconds)
                    if checkResult.status == .warn || checkResult.status == .fail {  // the rows' SQL only when it may run
                        let sampledRows = DatasetRows(dialect: warehouse.dialect, table: dataset.table, filter: dataset.filter)
                        await attachOffendingValues(check, to: &checkResult, rows: sampledRows, on: warehouse)
                        await attachSamples(check, to: &checkResult, rows: sampledRows, columns: columns, on: warehouse)
                    }
                    results[index] = consume checkResult
                    for (metric, reading) in outcome.metricPoints {
                        points.append(SeriesPoint(dataset: dataset.name, metric: metric, value: reading.value, measuredAt: now, flagged: reading.flagged))
                    }
                }
            } catch {
                let milliseconds = Self.milliseconds(since: started)
                for index in runnable {
                    results[index] = result(checks[index], .error("query failed on \(dataset.name): \(error.description)"), milliseconds: milliseconds)
                }
            }
        }
        return Evaluation(results: results.compactMap { $0 }, metricPoints: Self.unique(points))
    }

    func input(_ check: CheckConfig, metrics: MetricValues, columns: [CatalogColumn], warehouse: any Warehouse,
               measured: [DatasetMeasure: MeasuredValue] = [:]) -> CheckInput {
        var input = CheckInput(now: now, table: dataset.table, metrics: metrics, previousObserved: states[check.id]?.lastSuccessObserved,
                               columns: columns, typeNormalizer: warehouse.dialect.typeNormalizer)
        input.context = context
        input.measured = measured
        return input
    }

    /// The table is not in the catalog: an `error` for every check, unless the check has its own verdict
    /// (a schema check that saw the table before fails with "table dropped").
    func missingTable(_ message: String, warehouse: any Warehouse) -> Evaluation {
        let results = checks.map { check in
            if let problem = contextFailure(check.spec) { return result(check, .error(problem), milliseconds: nil) }
            let outcome = check.spec.evaluateMissingTable(input(check, metrics: MetricValues(), columns: [], warehouse: warehouse))
            return result(check, outcome ?? .error(message), milliseconds: nil)
        }
        return Evaluation(results: results, metricPoints: [])
    }

    /// Every due check of the dataset errors with the same message (missing table, unreachable warehouse).
    func failAll(_ message: String) -> Evaluation {
        Evaluation(results: checks.map { result($0, .error(message), milliseconds: nil) }, metricPoints: [])
    }

    /// The first column the check needs that is not among the table's column `names` (mapped once per dataset).
    func missingColumn(_ check: CheckConfig, names: [String]) -> String? {
        for column in check.spec.requiredColumns where !names.contains(column) {
            return "column '\(column)' not found in \(dataset.table)\(Suggestion.hint(for: column, in: names)) (check the dataset's config, or whether the column was renamed upstream)"
        }
        return nil
    }

    func result(_ check: CheckConfig, _ outcome: CheckOutcome, milliseconds: Double?) -> CheckResult {
        CheckResult(check: check, dataset: dataset, outcome: outcome, queryMilliseconds: milliseconds, evaluatedAt: now)
    }

    static func milliseconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
    }

    /// An outcome whose observed value or metric points are not finite becomes an `error`: history stores
    /// only numbers, and one such value must not lose the run (checks guard their inputs; this is the backstop).
    static func finite(_ outcome: CheckOutcome) -> CheckOutcome {
        if let observed = outcome.observed, !observed.isFinite {
            return .error("the check computed a non-finite value (\(observed)) from the warehouse's data: \(outcome.message)")
        }
        if let point = outcome.metricPoints.first(where: { !$0.value.value.isFinite }) {
            return .error("the check computed a non-finite \(point.key) (\(point.value.value)) from the warehouse's data")
        }
        return outcome
    }

    /// One point per metric; flagged if any check flagged it.
    static func unique(_ points: [SeriesPoint]) -> [SeriesPoint] {
        var seen: [String: Int] = [:]
        var unique: [SeriesPoint] = []
        for point in points {
            if let index = seen[point.metric] {
                unique[index].point.flagged = unique[index].point.flagged || point.point.flagged
            } else {
                seen[point.metric] = unique.count
                unique.append(point)
            }
        }
        return unique
    }

    /// Runs each metric that cannot fold into the dataset's statement (`sql:` metrics, a check type's own
    /// statement) on its own; returns the error message of those that failed.
    func measureStandalone(_ standalone: [(metric: Metric, statement: SQLStatement)], on warehouse: any Warehouse,
                           into values: inout MetricValues) async -> [Metric: String] {
        var errors: [Metric: String] = [:]
        for (metric, statement) in standalone {
            do {
                if metric.isGrouped {
                    values.groupedRows[metric] = GroupedRows(rows: try await warehouse.queryRows(statement), timeZone: dataset.timeZone)
                    continue
                }
                let row = try await warehouse.queryRow(statement)
                values.record(row.first?.double, for: metric)
            } catch {
                errors[metric] = "\(metric.isCustom ? "sql metric" : "query for \(metric)") failed on \(dataset.name): \(error.description)"
            }
        }
        return errors
    }
}
