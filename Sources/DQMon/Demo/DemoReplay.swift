import Foundation

/// `dqmon demo`: builds the demo warehouse and replays hourly `dqmon check` runs with a moving `--now`,
/// so history, freshness and volume show a realistic month, including a stale table, a volume drop and business-rule
/// failures (see `DemoScenario`).
public enum DemoReplay {
    public struct Progress: Sendable {
        public var run: Int
        public var runs: Int
    }

    /// The warehouse named `demo` must be a SQLite warehouse in dqmon.yml; its file is recreated,
    /// and the history at `history.path` is reset so the replay starts from nothing.
    /// With `copyInto` (PostgreSQL for `--postgres`, MySQL for `--mysql`), the same data is also copied into that warehouse
    /// hour by hour (new rows, and the rows the story corrects or removes), and
    /// the replay checks it instead (the `demo` warehouse is replaced for the replay; dqmon.yml is not changed).
    public static func run(configuration: Configuration, scenario: DemoScenario, copyInto target: (any DemoCopyTarget)? = nil,
                           progress: @Sendable (Progress) -> Void = { _ in }) async throws -> RunReport {
        let configured = configuration.project.warehouse(named: "demo")
        let sqlite = configured?.settings as? SQLiteSettings
            ?? (target == nil ? nil : SQLiteSettings(path: configuration.project.directory.appendingPathComponent(".dqmon/demo-warehouse.sqlite")))
        guard let sqlite else {
            throw DemoError(message: "dqmon.yml has no SQLite warehouse named 'demo' (add: demo: { type: sqlite, path: .dqmon/demo-warehouse.sqlite })")
        }
        let sink: any DemoSink = if let target { try await target.openDemoSink() } else { SQLiteDemoSink(sqlite: sqlite) }
        do {
            let report = try await replay(configuration: configuration.replacingDemoWarehouse(with: sink.settings),
                                          sqlite: sqlite, sink: sink, scenario: scenario, progress: progress)
            await sink.close()
            return report
        } catch {
            await sink.close()
            throw error
        }
    }

    static func replay(configuration: Configuration, sqlite: SQLiteSettings, sink: any DemoSink, scenario: DemoScenario,
                       progress: @Sendable (Progress) -> Void) async throws -> RunReport {
        let demo = try DemoWarehouse(path: sqlite.path)
        var export = DemoExport()
        try await sink.prepare()
        try demo.seedCustomers(count: 4_000, before: scenario.seedStart)
        var hour = scenario.seedStart
        while hour < scenario.start {
            try demo.load(hour: hour, scenario: scenario)
            hour.addTimeInterval(3_600)
        }
        try await sink.sync(export.changes(from: demo))
        let historyPath = configuration.project.history.path
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: historyPath.path + suffix) }
        for case let file as FileReceiver in configuration.alerts.receivers.map(\.settings) { try? FileManager.default.removeItem(at: file.path) }
        let history = try HistoryStore(path: historyPath)
        let runner = CheckRunner(configuration: configuration, history: history)
        let runs = scenario.days * 24
        var last: RunReport?
        for index in 1...runs {
            try demo.load(hour: hour, scenario: scenario)
            try await sink.apply(demo.takeSchemaChanges())
            try await sink.sync(export.changes(from: demo))
            hour.addTimeInterval(3_600)
            // Runs fire two minutes past the hour, once the hour's load has landed.
            let report = try await runner.run(RunOptions(now: hour.addingTimeInterval(120)))
            try acknowledge(report, history: history)
            last = report
            progress(Progress(run: index, runs: runs))
        }
        return last!
    }

    /// On-call acknowledges new incidents 25 minutes after detection, except the stale `payments` incident, which is
    /// left open and unacknowledged at the end of the story (so MTTA has data, and one page is pending).
    static func acknowledge(_ report: RunReport, history: HistoryStore) throws {
        for change in report.incidentChanges where change.kind == .opened && change.checkID != "payments/freshness" {
            try history.acknowledgeIncident(id: change.incidentID, by: "demo-oncall", note: "looking into it",
                                            at: change.at.addingTimeInterval(25 * 60))
        }
    }
}

extension Configuration {
    /// This configuration with the `demo` warehouse using `settings` (added when absent).
    func replacingDemoWarehouse(with settings: any WarehouseSettings) -> Configuration {
        var configuration = self
        let location = project.warehouse(named: "demo")?.location ?? SourceLocation(file: "dqmon.yml", line: 1, column: 1)
        configuration.project.warehouses.removeAll { $0.name == "demo" }
        configuration.project.warehouses.append(WarehouseConfig(name: "demo", settings: settings, location: location))
        return configuration
    }
}

public struct DemoError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
