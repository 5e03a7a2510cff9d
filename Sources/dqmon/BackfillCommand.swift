import ArgumentParser
import DQMon
import Foundation

/// `dqmon backfill DATASET --column created_at --days 90` — seeds volume history so anomaly checks start trained.
struct BackfillCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backfill",
        abstract: "Compute past row counts per day or hour from a timestamp column and store them as history.",
        discussion: """
            One grouped query in the warehouse. Points are stored as metric row_count_1d (or row_count_1h), source
            'backfill', stamped at the end of each bucket: an anomaly check on { metric: row_count_1d, column: … }
            uses them as its history.

            Examples:
              dqmon backfill analytics.orders --column created_at --days 90
              dqmon backfill events --column ts --days 14 --interval 1h
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "A dataset name from checks/*.yml.")
    var dataset: String

    @Option(name: .long, help: "The timestamp column rows are counted by.")
    var column: String

    @Option(name: .long, help: "How many days back.")
    var days: Int = 90

    @Option(name: .long, help: "Bucket size: 1d or 1h.")
    var interval: String = "1d"

    func validate() throws {
        if !(1...3_660).contains(days) { throw ValidationError("--days must be between 1 and 3660") }
        if !["1d", "1h"].contains(interval) { throw ValidationError("--interval must be 1d or 1h, got '\(interval)'") }
    }

    func run() async throws {
        let configuration = try global.loadConfiguration()
        guard let dataset = configuration.datasets.first(where: { $0.name == self.dataset }) else {
            Console.error("unknown dataset '\(self.dataset)'\(Suggestion.hint(for: self.dataset, in: configuration.datasets.map(\.name)))")
            throw ExitCode(RunExitCode.monitoringBroken.rawValue)
        }
        guard let warehouseConfig = configuration.project.warehouse(named: dataset.warehouse) else {
            Console.error("dataset '\(dataset.name)' uses unknown warehouse '\(dataset.warehouse)'")
            throw ExitCode(RunExitCode.monitoringBroken.rawValue)
        }
        do {
            let warehouse = try await warehouseConfig.settings.connect(name: dataset.warehouse)
            let backfill = VolumeBackfill(table: dataset.table, column: column, days: days, interval: Interval(parsing: interval)!,
                                          now: global.evaluationTime, dialect: warehouse.dialect, timeZone: dataset.timeZone)
            let rows: [[SQLValue]]
            do { rows = try await warehouse.queryRows(backfill.statement) } catch {
                await warehouse.close()
                throw error
            }
            await warehouse.close()
            let points = backfill.points(dataset: dataset.name, rows: rows)
            let history = try HistoryStore(path: configuration.project.history.path)
            try history.insertMetricPoints(points, source: "backfill")
            let total = points.reduce(0) { $0 + $1.value }
            Console.print("stored \(points.count) \(backfill.metricName) points for \(dataset.name) (\(Format.count(total)) rows, "
                          + "\(Format.timestamp(backfill.start)) → \(Format.timestamp(backfill.end)), source 'backfill')")
        } catch let error as WarehouseError {
            Console.error("\(dataset.name): \(error.description)")
            throw ExitCode(RunExitCode.monitoringBroken.rawValue)
        } catch let error as HistoryError {
            Console.error(error.description)
            throw ExitCode(RunExitCode.monitoringBroken.rawValue)
        }
    }
}
