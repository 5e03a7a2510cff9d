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

    /// The field-by-field `utcTextSeconds` before the one-pass reader.
    static func referenceUTCTextSeconds(_ text: String) -> Double? {
        let bytes = Array(text.utf8)
        func number(_ start: Int, _ count: Int) -> Int? {
            var value = 0
            for byte in bytes[start..<(start + count)] {
                guard (0x30...0x39).contains(byte) else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            return value
        }
        guard bytes.count >= 19, bytes[4] == 0x2D, bytes[7] == 0x2D, bytes[10] == 0x20, bytes[13] == 0x3A, bytes[16] == 0x3A,
              let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
              let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2),
              (1...12).contains(month), day >= 1, day <= ISO8601.daysInMonth(year: year, month: month),
              hour < 24, minute < 60, second < 60 else { return nil }
        var milliseconds = 0.0
        if bytes.count > 19 {
            guard bytes[19] == 0x2E, bytes.count > 20, bytes[20...].allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
            var fraction = 0.0, scale = 0.1
            for digit in bytes[20...].prefix(15) {
                fraction += Double(digit - 0x30) * scale
                scale /= 10
            }
            milliseconds = (fraction * 1000).rounded()
        }
        let days = ISO8601.daysFromCivil(year: year, month: month, day: day)
        return Double(days * 86_400 + hour * 3_600 + minute * 60 + second) + milliseconds / 1000
    }

    @Test func onePassUTCTextReadsAsTheFieldByFieldOne() {
        let seed = UInt64(ProcessInfo.processInfo.environment["DQMON_TEST_SEED"] ?? "") ?? 20_261_130
        var random = SeededRandom(seed: seed)
        let seeds = ["2026-11-25 10:00:00", "2026-11-25 10:00:00.123", "2024-02-29 23:59:59.9994", "2026-11-25 12:00:00.12345678901234567890",
                     "2026-02-29 00:00:00", "0001-01-01 00:00:00", "9999-12-31 23:59:59.999", "2026-11-25T12:00:00", "2026-11-25 12:00:00.",
                     "2026-11-25 12:00:00.5Z", "2026-04-31 00:00:00", "2026-11-25 24:00:00", "2026-11-25 12:00:60", "é026-11-25 12:00:00"]
        for round in 0..<20_000 {
            var bytes = Array((seeds.randomElement(using: &random) ?? "").utf8)
            for _ in 0..<Int.random(in: 0...2, using: &random) where !bytes.isEmpty {
                bytes[Int.random(in: 0..<bytes.count, using: &random)] = [0x2F, 0x30, 0x39, 0x3A, 0x20, 0x2D, 0x2E, 0xC3, 0x00, 0x35][Int.random(in: 0..<10, using: &random)]
            }
            if Int.random(in: 0..<4, using: &random) == 0 { bytes = Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &random))) }
            let text = String(decoding: bytes, as: UTF8.self)
            let expected = Self.referenceUTCTextSeconds(text), found = TimestampFormat.utcTextSeconds(text)
            #expect(found?.bitPattern == expected?.bitPattern, "seed \(seed) (DQMON_TEST_SEED), round \(round): \(text.debugDescription) \(String(describing: found)) vs \(String(describing: expected))")
        }
    }

    @Test func declaredFormSampleText() throws {
        let dialect = SQLiteDialect()
        let two = try #require(dialect.declaredFormSample([TimestampColumn(name: "updated_at", hasRowID: true), TimestampColumn(name: "cre\"ated")], in: "\"t0001\""))
        #expect(two.sql == #"SELECT group_concat(x) FROM (SELECT quote("updated_at") || ',' || quote("cre""ated") AS x FROM "t0001" ORDER BY rowid DESC LIMIT 16)"#)
        let one = try #require(dialect.declaredFormSample([TimestampColumn(name: "ts", hasRowID: false)], in: "\"s\".\"v\""))
        #expect(one.sql == #"SELECT group_concat(x) FROM (SELECT quote("ts") AS x FROM "s"."v" LIMIT 16)"#)
        #expect(dialect.declaredFormSample([], in: "\"t\"") == nil)
        #expect(one.arguments.isEmpty && !one.isUserSQL)
    }
}
