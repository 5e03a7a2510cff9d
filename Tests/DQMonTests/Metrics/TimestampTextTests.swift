@testable import DQMon
import Foundation
import Testing

/// The SQL text dqmon builds per dataset is written in place for speed (`SQLiteDialect.utcText`, the buffer of
/// `declaredFormSample`); it must stay byte for byte what the string-by-string forms it replaced gave (kept here as
/// the reference), over the whole range of years and every millisecond fraction (seeded; the seed is in each failure).
@Suite struct TimestampTextTests {
    /// The concatenating `hourPrefix` before the in-place writer.
    static func referenceHourPrefix(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= MetricValues.timestampRange.lowerBound else { return "" }
        guard seconds <= MetricValues.timestampRange.upperBound else { return "9999-12-31 23" }
        var time = time_t(seconds.rounded(.down))
        var parts = tm()
        gmtime_r(&time, &parts)
        return SQLiteDialect.digits(Int(parts.tm_year) + 1900, 4) + "-" + SQLiteDialect.digits(Int(parts.tm_mon) + 1, 2) + "-"
            + SQLiteDialect.digits(Int(parts.tm_mday), 2) + " " + SQLiteDialect.digits(Int(parts.tm_hour), 2)
    }

    /// The concatenating `utc_text` window bound before the in-place writer.
    static func referenceBound(_ cutoff: Double) -> SQLValue? {
        guard MetricValues.timestampRange.contains(cutoff) else { return nil }
        let milliseconds = ((cutoff * 1_000_000).rounded() / 1000).rounded(.up)
        let seconds = (milliseconds / 1000).rounded(.down)
        let fraction = Int(milliseconds - seconds * 1000)
        guard (0..<1000).contains(fraction) else { return nil }
        var text = referenceHourPrefix(seconds)
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        text += ":" + SQLiteDialect.digits(Int(parts.tm_min), 2) + ":" + SQLiteDialect.digits(Int(parts.tm_sec), 2)
        if fraction > 0 {
            var digits = SQLiteDialect.digits(fraction, 3)
            while digits.hasSuffix("0") { digits.removeLast() }
            text += "." + digits
        }
        return .text(text)
    }

    @Test func inPlaceTimestampTextIsTheConcatenatedOne() {
        let seed = UInt64(ProcessInfo.processInfo.environment["DQMON_TEST_SEED"] ?? "") ?? 20_261_130
        var random = SeededRandom(seed: seed)
        let range = MetricValues.timestampRange
        var cutoffs = [range.lowerBound, range.upperBound, range.upperBound - 0.0004, range.upperBound - 0.0006, range.lowerBound + 0.5, 0, -0.001,
                       1_795_608_000, 1_795_608_000.0005, 1_795_608_000.1, 1_795_608_000.12, 1_795_608_000.999, 1_795_608_000.9995, .nan, .infinity,
                       range.lowerBound - 1, range.upperBound + 1]
        for _ in 0..<20_000 {
            let second = Double(Int64.random(in: Int64(range.lowerBound)...Int64(range.upperBound), using: &random))
            cutoffs.append(second + Double(Int.random(in: 0...999, using: &random)) / 1000 + [0, 0.0004, 0.0005, -0.0004][Int.random(in: 0..<4, using: &random)])
        }
        for cutoff in cutoffs {
            #expect(SQLiteDialect.hourPrefix(cutoff) == Self.referenceHourPrefix(cutoff), "seed \(seed) (DQMON_TEST_SEED): hourPrefix(\(cutoff))")
            #expect(TimestampFormat.utcText.bound(cutoff) == Self.referenceBound(cutoff), "seed \(seed) (DQMON_TEST_SEED): bound(\(cutoff))")
        }
    }

    @Test func declaredFormSampleText() throws {
        let dialect = SQLiteDialect()
        let two = try #require(dialect.declaredFormSample([TimestampColumn(name: "updated_at", hasRowID: true), TimestampColumn(name: "cre\"ated")], in: "\"t0001\""))
        #expect(two.sql == #"SELECT group_concat(quote(v0) || ',' || quote(v1)) FROM (SELECT "updated_at" AS v0, "cre""ated" AS v1 FROM "t0001" ORDER BY rowid DESC LIMIT 16)"#)
        let one = try #require(dialect.declaredFormSample([TimestampColumn(name: "ts", hasRowID: false)], in: "\"s\".\"v\""))
        #expect(one.sql == #"SELECT group_concat(quote(v0)) FROM (SELECT "ts" AS v0 FROM "s"."v" LIMIT 16)"#)
        #expect(dialect.declaredFormSample([], in: "\"t\"") == nil)
        #expect(one.arguments.isEmpty && !one.isUserSQL)
    }
}
