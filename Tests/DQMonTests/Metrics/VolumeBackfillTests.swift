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
