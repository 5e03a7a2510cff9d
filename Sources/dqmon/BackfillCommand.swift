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
        let summary = try await VolumeBackfill.run(configuration: configuration, dataset: dataset, column: column, days: days,
                                                   interval: Interval(parsing: interval) ?? Interval(seconds: 86_400),
                                                   now: global.evaluationTime)
        Console.print(summary.description)
    }
}
