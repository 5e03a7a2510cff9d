import Foundation

extension VolumeBackfill {
    /// What one backfill stored: the points (one per bucket, zero for empty buckets) and the range they cover.
    public struct Summary: Sendable, CustomStringConvertible {
        public let dataset: String
        public let metricName: String
        public let points: [SeriesPoint]
        public let start: Date
        public let end: Date

        /// Rows counted over the whole range.
        public var rowCount: Double { points.reduce(0) { $0 + $1.value } }

        /// The line `dqmon backfill` prints.
        public var description: String {
            "stored \(points.count) \(metricName) points for \(dataset) (\(Format.count(rowCount)) rows, "
                + "\(Format.timestamp(start)) → \(Format.timestamp(end)), source 'backfill')"
        }
    }

    /// `dqmon backfill`: connect to the dataset's warehouse, run the one grouped query, close the connection,
    /// then store the points in the history with source `backfill`.
    ///
    /// The warehouse is closed before the history is opened, whether the query succeeded or not. Every failure is
    /// one `DQMonError` line (exit 3): an unknown dataset (with a suggestion), a warehouse error behind the
    /// dataset's name, or the history's own error.
    public static func run(configuration: Configuration, dataset name: String, column: String, days: Int,
                           interval: Interval, now: Date) async throws(DQMonError) -> Summary {
        let (dataset, warehouseConfig) = try target(configuration, dataset: name)
        let warehouse: any Warehouse
        do { warehouse = try await warehouseConfig.settings.connect(name: dataset.warehouse) } catch {
            throw DQMonError(error, context: dataset.name)
        }
        let backfill = VolumeBackfill(table: dataset.table, column: column, days: days, interval: interval, now: now,
                                      dialect: warehouse.dialect, timeZone: dataset.timeZone, filter: dataset.filter)
        let rows: [[SQLValue]]
        do { rows = try await warehouse.queryRows(backfill.statement) } catch {
            await warehouse.close()
            throw DQMonError(error, context: dataset.name)
        }
        await warehouse.close()
        let points = backfill.points(dataset: dataset.name, rows: rows)
        do {
            try HistoryStore(path: configuration.project.history.path).insertMetricPoints(points, source: "backfill")
        } catch {
            throw DQMonError(error)
        }
        return Summary(dataset: dataset.name, metricName: backfill.metricName, points: points, start: backfill.start, end: backfill.end)
    }

    /// The dataset named on the command line and its warehouse, or the one-line error that says which is unknown.
    static func target(_ configuration: Configuration, dataset name: String) throws(DQMonError) -> (DatasetConfig, WarehouseConfig) {
        guard let dataset = configuration.datasets.first(where: { $0.name == name }) else {
            throw DQMonError("unknown dataset '\(name)'\(Suggestion.hint(for: name, in: configuration.datasets.map(\.name)))")
        }
        guard let warehouse = configuration.project.warehouse(named: dataset.warehouse) else {
            throw DQMonError("dataset '\(dataset.name)' uses unknown warehouse '\(dataset.warehouse)'")
        }
        return (dataset, warehouse)
    }
}
