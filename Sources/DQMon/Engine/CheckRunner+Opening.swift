import Foundation

extension CheckRunner {
    /// A warehouse's connection and the catalog of the run's tables, ready to evaluate on.
    struct OpenWarehouse: Sendable {
        let warehouse: any Warehouse
        let catalog: Catalog
    }

    /// Connecting to one warehouse and reading its catalog, started before the runner needs them so that the wait
    /// overlaps the runner's own history work: with `--all` the history's open (and its migrations); always the
    /// loading of the checks' history context (`CheckContextLoader`).
    ///
    /// The `warehouse.connect` events are not logged where they happen but when the runner takes the result
    /// (`take`), with the durations measured at the time: the log keeps the order it had when the connect came
    /// after the history's own events.
    struct WarehouseOpening: Sendable {
        let name: String
        let typeName: String
        let task: Task<Opened, Never>

        struct Opened: Sendable {
            var result: Result<OpenWarehouse, WarehouseError>
            /// `warehouse.connect` events to log, in order: the connect's, then a catalog failure's.
            var events: [(seconds: Double, error: WarehouseError?)]
        }

        /// Starts connecting to `config` and reading the catalog of `tables`.
        static func start(_ config: WarehouseConfig, tables: [TableName]) -> WarehouseOpening {
            let name = config.name, settings = config.settings
            return WarehouseOpening(name: name, typeName: config.typeName, task: Task {
                await open(name: name, settings: settings, tables: tables)
            })
        }

        /// Connects and reads the catalog; a catalog failure closes the connection. Never throws: the outcome and
        /// the events are values (no `try await` inside a larger expression: Swift 6.3.1 at -O miscompiled one, see the
        /// README's Tests section and `SQLiteWarehouse.rows(of:)`).
        private static func open(name: String, settings: any WarehouseSettings, tables: [TableName]) async -> Opened {
            let started = Date()
            let warehouse: any Warehouse
            do throws(WarehouseError) {
                warehouse = try await settings.connect(name: name)
            } catch {
                return Opened(result: .failure(error), events: [(Date().timeIntervalSince(started), error)])
            }
            var events: [(seconds: Double, error: WarehouseError?)] = [(Date().timeIntervalSince(started), nil)]
            do throws(WarehouseError) {
                let catalog = try await warehouse.catalog(for: tables)
                return Opened(result: .success(OpenWarehouse(warehouse: warehouse, catalog: catalog)), events: events)
            } catch {
                await warehouse.close()
                events.append((Date().timeIntervalSince(started), error))
                return Opened(result: .failure(error), events: events)
            }
        }

        /// Waits for the connection and catalog and logs the connect events.
        func take() async -> Result<OpenWarehouse, WarehouseError> {
            let opened = await task.value
            for event in opened.events {
                DQMonLog.warehouseConnected(name, type: typeName, since: Date(timeIntervalSinceNow: -event.seconds), error: event.error)
            }
            return opened.result
        }

        /// Gives the opening up (the run stopped before evaluating): closes the warehouse once it is open, without
        /// waiting for it (a connect to an unreachable host may take its whole timeout).
        func abandon() {
            task.cancel()
            let task = self.task
            Task {
                if case .success(let open) = await task.value.result { await open.warehouse.close() }
            }
        }
    }

    /// For `--all` runs: the openings of the plan's warehouses, started before the history is opened (the plan of
    /// an `--all` run does not depend on history). Nil when the plan needs the history (due checks only), or when
    /// it cannot be made (a selection error, thrown after the history is opened as before).
    static func openEarly(configuration: Configuration, options: RunOptions) -> [String: WarehouseOpening]? {
        guard options.runAll, let plan = try? makePlan(configuration: configuration, options: options, states: [:]) else { return nil }
        var openings: [String: WarehouseOpening] = [:]
        for (name, datasets) in plan.byWarehouse {
            guard let config = configuration.project.warehouse(named: name) else { continue }
            openings[name] = .start(config, tables: datasets.map(\.0.table))
        }
        return openings
    }
}
