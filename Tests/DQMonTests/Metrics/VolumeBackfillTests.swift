import DQMon
import DQMonTestSupport
import Foundation
import Testing

/// `VolumeBackfill.points` is total over whatever the warehouse returns for a bucket.
@Suite struct VolumeBackfillPointsTests {
    @Test func bucketsOutsideIntOrNotANumberAreIgnoredNotATrap() {
        let backfill = VolumeBackfill(table: TableName(parsing: "events"), column: "created_at", days: 2, interval: Interval(seconds: 86_400),
                                      now: ProjectFixture.now, dialect: SQLiteDialect(), timeZone: TimeZone(identifier: "UTC")!)
        let day = (ProjectFixture.now.timeIntervalSince1970 / 86_400).rounded(.down) - 1
        let rows: [[SQLValue]] = [[.real(.nan), .integer(7)], [.real(.infinity), .integer(7)], [.real(-.infinity), .integer(7)],
                                  [.real(1e300), .integer(7)], [.real(-1e300), .integer(7)], [.text("x"), .integer(7)],
                                  [.real(day), .integer(5)], [.null], []]
        let points = backfill.points(dataset: "events", rows: rows)
        #expect(points.map(\.value) == [0, 5])
    }
}

/// `dqmon backfill` counts only the rows a dataset's `where:` keeps, as every check of the dataset does.
@Suite struct VolumeBackfillFilterTests {
    @Test func backfillHonoursTheDatasetsWhere() throws {
        let project = ProjectFixture()
        let warehouse = try project.warehouse()
        try warehouse.execute("CREATE TABLE events (id integer, region text, created_at text)")
        // Two days back: 3 EU rows and 2 US rows per day.
        for day in 1...2 {
            for (index, region) in ["EU", "EU", "EU", "US", "US"].enumerated() {
                let at = ProjectFixture.now.addingTimeInterval(-Double(day) * 86_400 + Double(index) * 60)
                try warehouse.execute("INSERT INTO events VALUES (?, ?, ?)", [index, region, WarehouseFixture.text(at)])
            }
        }
        project.checks("events.yml", """
            version: 1
            datasets:
              - name: events
                where: "region = 'EU'"
                checks:
                  - volume: { min_rows: 1 }
            """)
        let now = ["--now", "2026-11-25T12:00:00Z"]
        let filtered = try dqmon(["backfill", "events", "--column", "created_at", "--days", "3"] + now, in: project)
        #expect(filtered.status == 0, "\(filtered.stderr)")
        #expect(filtered.stdout.hasPrefix("stored 3 row_count_1d points for events (6 rows, "), "only the EU rows: \(filtered.stdout)")
        project.checks("events.yml", "version: 1\ndatasets:\n  - name: events\n    checks:\n      - volume: { min_rows: 1 }\n")
        try FileManager.default.removeItem(at: project.historyURL)
        let unfiltered = try dqmon(["backfill", "events", "--column", "created_at", "--days", "3"] + now, in: project)
        #expect(unfiltered.stdout.hasPrefix("stored 3 row_count_1d points for events (10 rows, "), "\(unfiltered.stdout)\(unfiltered.stderr)")
    }

    @Test func theFilteredStatementRunsAsUserSQL() {
        let backfill = VolumeBackfill(table: TableName(parsing: "events"), column: "created_at", days: 2, interval: Interval(seconds: 86_400),
                                      now: ProjectFixture.now, dialect: SQLiteDialect(), timeZone: TimeZone(identifier: "UTC")!,
                                      filter: "region = 'EU'")
        #expect(backfill.statement.sql.contains("FROM (SELECT * FROM \"events\" WHERE (region = 'EU')) AS dqmon_rows"), "\(backfill.statement.sql)")
        #expect(backfill.statement.isUserSQL)
    }
}
