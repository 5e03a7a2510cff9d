@testable import DQMon
import DQMonTestSupport
import Foundation
import Testing

/// The window bounds' hour prefix (`YYYY-MM-DD HH`, UTC) is formatted by hand: it must equal glibc's `gmtime` with
/// `%04d-%02d-%02d %02d` over the whole range ISO text can spell, and clamp outside it (a non-finite bound reads every text row).
@Suite struct SQLiteHourPrefixTests {
    @Test func equalsGmtimeAcrossTheYearsAndClampsOutside() {
        let seed = UInt64(ProcessInfo.processInfo.environment["DQMON_TEST_SEED"] ?? "") ?? 20_261_129
        var random = SeededRandom(seed: seed)
        let range = MetricValues.timestampRange
        var picks: [Double] = [range.lowerBound, range.upperBound, 0, -1, 1_795_608_000, 1_795_608_000 - 15 * 3_600]
        for _ in 0..<2_000 { picks.append(Double.random(in: range, using: &random).rounded(.down)) }
        for seconds in picks {
            var time = time_t(Int64(seconds))
            var parts = tm()
            gmtime_r(&time, &parts)
            let expected = String(format: "%04d-%02d-%02d %02d", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
                                  Int(parts.tm_mday), Int(parts.tm_hour))
            #expect(SQLiteDialect.hourPrefix(seconds) == expected, "seed \(seed): \(seconds)")
        }
        #expect(SQLiteDialect.hourPrefix(.nan) == "" && SQLiteDialect.hourPrefix(-.infinity) == "")
        #expect(SQLiteDialect.hourPrefix(.infinity) == "" && SQLiteDialect.hourPrefix(1e300) == "9999-12-31 23")
    }
}
