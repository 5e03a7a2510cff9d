import Foundation

/// One `dqmon check` run: select due checks → collect metrics → evaluate → record.
///
/// Data flows one way: checks never write, the history is written once, in one transaction, at the end.
/// The caller holds the `RunLock` (see `CheckRunner.run(configuration:options:lockTimeout:)`).
public struct CheckRunner: Sendable {
    public let configuration: Configuration
    public let history: HistoryStore

    public init(configuration: Configuration, history: HistoryStore) {
        self.configuration = configuration
        self.history = history
    }

    /// Takes the history lock, opens the history, runs and records. The usual entry point.
    public static func run(configuration: Configuration, options: RunOptions, lockTimeout: TimeInterval) async throws(RunError) -> RunReport {
        try await run(configuration: configuration, options: options, lockTimeout: lockTimeout, alongsideRecording: { _ in () }).report
    }

    /// The same, and `alongside` runs on another core while the run is recorded, given the report as it stands
    /// before recording: results, not-due checks and times, but no run id, incident changes or alerts yet (the text
    /// table of the results is rendered there: `dqmon check`). Its value comes back with the recorded report.
    ///
    /// With `--all` the plan needs no history, so the warehouses' connections and catalogs are started after the
    /// lock is taken and before the history is opened (and migrated); a history that cannot be opened abandons them.
    public static func run<Side: Sendable>(configuration: Configuration, options: RunOptions, lockTimeout: TimeInterval,
                                           alongsideRecording alongside: @escaping @Sendable (RunReport) -> Side) async throws(RunError) -> (report: RunReport, side: Side) {
        let lock: RunLock
        do { lock = try RunLock.acquire(for: configuration.project.history.path, timeout: lockTimeout) } catch { throw .lock(error) }
        defer { withExtendedLifetime(lock) {} }
        let openings = openEarly(configuration: configuration, options: options)
        let history: HistoryStore
        do { history = try HistoryStore(path: configuration.project.history.path) } catch {
            for opening in (openings ?? [:]).values { opening.abandon() }
            throw .history(error)
        }
        return try await CheckRunner(configuration: configuration, history: history).run(options, openings: openings ?? [:], alongsideRecording: alongside)
    }

    /// Runs the due checks and records the run. The caller must hold the run lock.
    public func run(_ options: RunOptions) async throws(RunError) -> RunReport {
        try await run(options, openings: [:], alongsideRecording: { _ in () }).report
    }

    /// `openings`: warehouses already being opened for this plan (`openEarly`); others are opened here. Every
    /// opening is taken or abandoned before this returns.
    func run<Side: Sendable>(_ options: RunOptions, openings: [String: WarehouseOpening],
                             alongsideRecording alongside: @escaping @Sendable (RunReport) -> Side) async throws(RunError) -> (report: RunReport, side: Side) {
        let startedAt = Date()
        let states: [String: CheckState]
        let plan: Plan
        do throws(RunError) {
            do { states = try history.checkStates() } catch { throw RunError.history(error) }
            plan = try Self.makePlan(configuration: configuration, options: options, states: states)
        } catch {
            for opening in openings.values { opening.abandon() }
            throw error
        }
        var results: [CheckResult] = []
        var points: [SeriesPoint] = []
        var warehouseErrors: [WarehouseError] = []
        let progress = ProgressCounter(total: plan.byWarehouse.reduce(0) { $0 + $1.1.count }, report: options.progress)
        // Other warehouses a check reads (a compare against a replica), opened once on first use, closed below.
        let otherWarehouses = WarehouseResolver(project: configuration.project)
        let measurer = DatasetMeasurer(configuration: configuration, warehouses: otherWarehouses, now: options.now)
        // Each warehouse starts opening now (unless it already is), so its connect and catalog overlap the loading
        // of the checks' history context in `evaluate`.
        var pending = openings
        let started = plan.byWarehouse.map { name, datasets in
            pending.removeValue(forKey: name) ?? configuration.project.warehouse(named: name).map { .start($0, tables: datasets.map(\.0.table)) }
        }
        for opening in pending.values { opening.abandon() }
        // Warehouses are evaluated concurrently: one that is slow to fail (connect timeout) delays no other.
        let outcomes = await withTaskGroup(of: IndexedOutcome.self) { group in
            for (index, (warehouseName, datasets)) in plan.byWarehouse.enumerated() {
                let opening = started[index]
                group.addTask {
                    let outcome = await evaluate(warehouse: warehouseName, datasets: datasets, options: options, states: plan.states,
                                                 progress: progress, measurer: measurer, opening: opening)
                    return IndexedOutcome(index: index, outcome: outcome)
                }
            }
            var outcomes = [WarehouseOutcome](repeating: WarehouseOutcome(), count: plan.byWarehouse.count)
            for await indexed in group { outcomes[indexed.index] = indexed.outcome }
            return outcomes
        }
        await otherWarehouses.closeAll()
        for outcome in outcomes {
            // The first outcome's arrays are taken as they are (one warehouse: no copy of 5,000 results).
            if results.isEmpty { results = outcome.results } else { results += outcome.results }
            if points.isEmpty { points = outcome.metricPoints } else { points += outcome.metricPoints }
            if let error = outcome.unavailable { warehouseErrors.append(error) }
        }
        results = orderedAsConfigured(results)
        let exitCode = RunExitCode.from(statuses: results.map(\.status), failOn: options.failOn)
        var report = RunReport(runID: nil, startedAt: startedAt, finishedAt: Date(), evaluatedAt: options.now,
                               configHash: configuration.hash, results: results, notDue: plan.notDue,
                               warehouseErrors: warehouseErrors, exitCode: exitCode)
        let side = Task.detached { [report] in alongside(report) }
        if !results.isEmpty {
            let record = RunRecord(startedAt: startedAt, finishedAt: report.finishedAt, evaluatedAt: options.now,
                                   configHash: configuration.hash, host: ProcessInfo.processInfo.hostName,
                                   selection: options.selection.description + (options.runAll ? " --all" : ""),
                                   exitCode: exitCode.rawValue)
            let tracker = IncidentTracker(configuration: configuration)
            let outbox = options.sendAlerts ? AlertOutbox(configuration: configuration, now: options.now) : nil
            do {
                // The engine owns the run's transaction: the run, its incident changes and their notifications
                // commit together or not at all.
                let recorded = try history.recordRun { transaction in
                    let runID = try transaction.insert(run: record, results: results, metrics: points)
                    // Lineage inhibition links new incidents to an open upstream root before alerts are planned.
                    let changes = try LineageInhibitor(configuration: configuration).apply(try tracker.apply(results, in: transaction), in: transaction)
                    _ = try outbox?.enqueue(changes: changes, runID: runID, in: transaction)
                    return (runID: runID, changes: changes)
                }
                report.runID = recorded.runID
                report.incidentChanges = recorded.changes
            } catch {
                for outcome in outcomes { await outcome.closing?.value }
                throw .history(error)
            }
        }
        for outcome in outcomes { await outcome.closing?.value }
        if options.sendAlerts { try await sendAlerts(&report, options: options) }
        let value = await side.value
        return (report, value)
    }

    struct IndexedOutcome: Sendable {
        let index: Int
        let outcome: WarehouseOutcome
    }

    /// The selected datasets with their due checks, grouped by warehouse in config order.
    public struct Plan: Sendable {
        public var byWarehouse: [(String, [(DatasetConfig, [CheckConfig])])]
        public var notDue: [NotDueCheck]
        var states: [String: CheckState]
    }

    public static func makePlan(configuration: Configuration, options: RunOptions, states: [String: CheckState]) throws(RunError) -> Plan {
        if let unmatched = options.selection.unmatchedTerms(in: configuration.datasets).first {
            throw .selection(SelectionError(message: "'\(unmatched)' matches no dataset in checks/ (dqmon would monitor nothing)"))
        }
        var plan = Plan(byWarehouse: [], notDue: [], states: states)
        for dataset in configuration.datasets where options.selection.includes(dataset) {
            var due: [CheckConfig] = []
            for check in dataset.checks {
                if options.runAll || DuePlanner.isDue(check, in: dataset, now: options.now, states: states) {
                    due.append(check)
                } else {
                    plan.notDue.append(NotDueCheck(checkID: check.id, dataset: dataset.name,
                                                   nextDue: DuePlanner.nextDue(check, in: dataset, states: states)))
                }
            }
            guard !due.isEmpty else { continue }
            if let index = plan.byWarehouse.firstIndex(where: { $0.0 == dataset.warehouse }) {
                plan.byWarehouse[index].1.append((dataset, due))
            } else {
                plan.byWarehouse.append((dataset.warehouse, [(dataset, due)]))
            }
        }
        return plan
    }

    struct WarehouseOutcome: Sendable {
        var results: [CheckResult] = []
        var metricPoints: [SeriesPoint] = []
        var unavailable: WarehouseError?
        /// The warehouse's close, under way.
        var closing: Task<Void, Never>?
    }

    /// Loads the checks' history context while the warehouse opens (`opening`: connect, then the catalog of all
    /// datasets at once), then evaluates each dataset. A warehouse that cannot be opened errors every check.
    func evaluate(warehouse name: String, datasets: [(DatasetConfig, [CheckConfig])], options: RunOptions,
                  states: [String: CheckState], progress: ProgressCounter, measurer: DatasetMeasurer? = nil,
                  opening: WarehouseOpening?) async -> WarehouseOutcome {
        let loaded = CheckContextLoader.load(for: datasets, history: history, now: options.now,
                                             maintenance: configuration.alerts.maintenance)
        let evaluators = datasets.map {
            DatasetEvaluator(dataset: $0.0, checks: $0.1, now: options.now, states: states,
                             context: loaded.contexts[$0.0.name] ?? CheckContext(), contextFailure: { [loaded] in loaded.failure(for: $0) },
                             measurer: measurer)
        }
        guard let opening, let config = configuration.project.warehouse(named: name) else { return WarehouseOutcome() }
        let open: OpenWarehouse
        switch await opening.take() {
        case .success(let opened):
            open = opened
        case .failure(let error):
            var outcome = WarehouseOutcome(unavailable: error)
            for evaluator in evaluators { outcome.results += evaluator.failAll(error.description).results }
            progress.advance(by: evaluators.count)
            return outcome
        }
        let parallelism = max(1, options.parallelism ?? config.settings.defaultParallelism)
        let evaluations = await Self.evaluateAll(evaluators, on: open.warehouse, catalog: open.catalog, parallelism: parallelism,
                                                 progress: progress)
        var outcome = WarehouseOutcome()
        outcome.results.reserveCapacity(evaluations.reduce(0) { $0 + $1.results.count })
        for evaluation in evaluations {
            outcome.results += evaluation.results
            outcome.metricPoints += evaluation.metricPoints
        }
        // The warehouse closes on another core while the run is recorded (`run` waits for it before returning), and
        // the per-dataset evaluations and evaluators are released there too, off the run's serial tail.
        let warehouse = open.warehouse
        outcome.closing = Task { [evaluations, evaluators] in
            await warehouse.close()
            withExtendedLifetime((evaluations, evaluators)) {}
        }
        return outcome
    }

    /// Evaluates datasets with at most `parallelism` in flight; returns evaluations in input order. Where task
    /// executors exist (Linux, macOS 15), `parallelism` dedicated threads each pull the next dataset (`DatasetWorkers`).
    static func evaluateAll(_ evaluators: [DatasetEvaluator], on warehouse: any Warehouse, catalog: Catalog,
                            parallelism: Int, progress: ProgressCounter) async -> [DatasetEvaluator.Evaluation] {
        if #available(macOS 15.0, *) {
            return await DatasetWorkers.evaluateAll(evaluators, count: parallelism, on: warehouse, catalog: catalog, progress: progress)
        }
        if parallelism <= 1 {
            var evaluations: [DatasetEvaluator.Evaluation] = []
            for evaluator in evaluators {
                evaluations.append(await evaluator.evaluate(on: warehouse, catalog: catalog))
                progress.advance()
            }
            return evaluations
        }
        return await withTaskGroup(of: (Int, DatasetEvaluator.Evaluation).self) { group in
            var evaluations = [DatasetEvaluator.Evaluation?](repeating: nil, count: evaluators.count)
            var next = 0
            for _ in 0..<min(parallelism, evaluators.count) {
                let index = next
                group.addTask { (index, await evaluators[index].evaluate(on: warehouse, catalog: catalog)) }
                next += 1
            }
            for await (index, evaluation) in group {
                evaluations[index] = evaluation
                progress.advance()
                if next < evaluators.count {
                    let index = next
                    group.addTask { (index, await evaluators[index].evaluate(on: warehouse, catalog: catalog)) }
                    next += 1
                }
            }
            return evaluations.compactMap { $0 }
        }
    }

    /// Counts evaluated datasets for `RunOptions.progress`; safe to call from concurrent tasks.
    final class ProgressCounter: @unchecked Sendable {
        let total: Int
        let report: (@Sendable (Int, Int) -> Void)?
        private let lock = NSLock()
        private var done = 0

        init(total: Int, report: (@Sendable (Int, Int) -> Void)?) {
            self.total = total
            self.report = report
        }

        func advance(by count: Int = 1) {
            guard let report else { return }
            let now = lock.withLock {
                done += count
                return done
            }
            report(now, total)
        }
    }

    /// Results in config order, so output and history are deterministic whatever the parallelism. Results that are
    /// already in that order (one warehouse: its datasets come back in plan order) are returned as they are, after a
    /// walk that compares each id with the configured ones in turn. Otherwise each result's position is looked up
    /// once and ties keep their order; the results themselves (large structs) move once.
    func orderedAsConfigured(_ results: [CheckResult]) -> [CheckResult] {
        if isInConfigOrder(results) { return results }
        var order: [String: Int] = [:], position = 0
        for dataset in configuration.datasets {  // not `configuration.checks`, which copies every check into a new array
            for check in dataset.checks {
                order[check.id] = position
                position += 1
            }
        }
        let positions = results.map { order[$0.checkID, default: .max] }
        return results.indices.sorted { (positions[$0], $0) < (positions[$1], $1) }.map { results[$0] }
    }

    /// Whether the stable sort by configured position would leave `results` as they are: every id is found at or
    /// after the previous result's place among the configured checks. Exact as long as check ids are unique, which
    /// `ConfigLoader` enforces (a duplicate id is a config error).
    func isInConfigOrder(_ results: [CheckResult]) -> Bool {
        let datasets = configuration.datasets
        var dataset = 0, check = 0
        for index in results.indices {
            while true {
                guard dataset < datasets.count else { return false }
                if check == datasets[dataset].checks.count {
                    dataset += 1
                    check = 0
                } else if datasets[dataset].checks[check].id == results[index].checkID {
                    break
                } else {
                    check += 1
                }
            }
        }
        return true
    }
}
