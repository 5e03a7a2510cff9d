import DQMon
import Foundation
import Testing

@Suite struct CronScheduleTests {
    func date(_ text: String) -> Date { ISO8601.date(from: text)! }

    @Test func weeklyWindowWithDayName() throws {
        let cron = try CronSchedule(parsing: "0 2 * * SUN")
        #expect(cron.fires(at: date("2026-11-29T02:00:00Z")))   // a Sunday
        #expect(!cron.fires(at: date("2026-11-28T02:00:00Z")))  // Saturday
        #expect(!cron.fires(at: date("2026-11-29T02:01:00Z")))
        #expect(cron.lastFire(atOrBefore: date("2026-11-29T03:59:00Z"), within: 7_200) == date("2026-11-29T02:00:00Z"))
        #expect(cron.lastFire(atOrBefore: date("2026-11-29T04:30:00Z"), within: 7_200) == nil)
    }

    @Test func rangesListsAndSteps() throws {
        let cron = try CronSchedule(parsing: "*/15 9-17 1,15 JAN-MAR MON-FRI")
        // day-of-month and day-of-week both restricted: either matches (Vixie cron)
        #expect(cron.fires(at: date("2026-01-01T09:45:00Z")))   // Thursday the 1st
        #expect(cron.fires(at: date("2026-01-05T17:00:00Z")))   // Monday the 5th
        #expect(!cron.fires(at: date("2026-01-04T09:00:00Z")))  // Sunday the 4th
        #expect(!cron.fires(at: date("2026-01-05T09:10:00Z")))
        #expect(!cron.fires(at: date("2026-04-01T09:00:00Z")))
        #expect(try CronSchedule(parsing: "0 0 * * 7").fires(at: date("2026-11-29T00:00:00Z")))  // 7 is Sunday too
    }

    @Test(arguments: [
        ("0 2 * *", "cron '0 2 * *' must have 5 fields (minute hour day-of-month month day-of-week), got 4"),
        ("61 2 * * *", "cron minute value '61' must be 0-59"),
        ("0 2 * * FUNDAY", "cron day-of-week value 'FUNDAY' must be 0-7 or a name such as SUN"),
        ("0 5-2 * * *", "cron hour range '5-2' runs backwards"),
        ("*/0 * * * *", "cron minute step '0' must be a positive number"),
    ])
    func errors(expression: String, message: String) {
        #expect(throws: CronError(message: message)) { try CronSchedule(parsing: expression) }
    }
}
