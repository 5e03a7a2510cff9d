@testable import DQMon
import Foundation
import PropertyBased
import Testing

/// Every formatter is total over all `Double` and `Int` inputs (issue 18, section 1): no trap, one short line,
/// and where the input is in range, the exact text (round trips, printf, gmtime). PropertyBased prints the failing
/// input and the seed to reproduce it (`.fixedSeed(...)`).
@Suite struct FormatPropertyTests {
    /// Hand-picked edges: non-finite, the ends of Double, Int and Int64, the units' boundaries, the year range.
    static let extremes: [Double] = [
        0, -0.0, .nan, -.nan, .signalingNaN, .infinity, -.infinity, .greatestFiniteMagnitude, -.greatestFiniteMagnitude,
        1e308, -1e308, 1e30, -1e30, .leastNonzeroMagnitude, -.leastNonzeroMagnitude, .leastNormalMagnitude, .ulpOfOne,
        1e15, 1e15 - 1, -1e15, 1e13, 9.2e18, 9.3e18, -9.3e18, Double(Int.max), Double(Int.min), Double(Int64.max).nextUp,
        0.5, 0.125, 59.5, 59.49, 60, 3_599.5, 172_799.5, 172_800, 864_000_000, 864_000_000 - 0.5, 3e16, -3e16, 2.9e16,
        -62_135_596_800, -62_135_596_801, 253_402_300_799, 253_402_300_800, 1e17, -1e17, 99.995, 0.99995, 1e-300,
    ]

    /// Every bit pattern is equally likely: all exponents, NaN payloads, infinities, subnormals, -0.
    static let anyDouble = Gen<UInt64>.bitSet.map { Double(bitPattern: $0) }

    /// The texts of every formatter for one value; each must be one non-empty line of reasonable length.
    static func texts(_ value: Double) -> [String] {
        var texts = [Format.percent(value), Format.count(value), Format.age(value), Format.scientific(value),
                     Format.scientific(value, timesPowerOfTen: 2), Format.timestamp(Date(timeIntervalSince1970: value)),
                     SLARenderer.percent(value), SLARenderer.ratio(value), AnomalyCheck.format(value),
                     AnomalyBacktestReport.number(value), AnomalyCSV.number(value)]
        for places in [0, 1, 2, 3, 6, 7, 17, -1, Int.min, Int.max] { texts.append(Format.fixed(value, places: places)) }
        return texts
    }

    static func expectOneShortLine(_ value: Double) {
        for text in texts(value) {
            #expect(!text.contains("\n") && text.count <= 64, "value bits \(value.bitPattern) (\(value)) gave '\(text)'")
        }
    }

    @Test func extremesPrintOneShortLine() {
        for value in Self.extremes { Self.expectOneShortLine(value) }
    }

    @Test func everyBitPatternPrintsOneShortLine() async {
        await propertyCheck(count: 3_000, input: Self.anyDouble) { Self.expectOneShortLine($0) }
    }

    @Test func everyIntPrintsOneShortLine() async {
        await propertyCheck(count: 2_000, input: Gen.int()) { value in
            Self.expectOneShortLine(Double(value))
            _ = Format.fixed(1.5, places: value)
        }
        for value in [Int.min, Int.max, Int(Int32.max), Int(Int32.min), 0] { Self.expectOneShortLine(Double(value)) }
    }

    @Test func nonFiniteValuesSayWhatTheyAre() {
        #expect(Format.percent(.nan) == "nan%")
        #expect(Format.count(.infinity) == "inf")
        #expect(Format.count(-.infinity) == "-inf")
        #expect(Format.age(.infinity) == "inf")
        #expect(Format.age(-.infinity) == "-inf")
        #expect(Format.fixed(.nan, places: 2) == "nan")
        #expect(Format.timestamp(Date(timeIntervalSince1970: .infinity)) == "infinity")
        #expect(Format.timestamp(Date(timeIntervalSince1970: -.infinity)) == "-infinity")
        #expect(Format.timestamp(Date(timeIntervalSince1970: .nan)) == "NaN")
    }

    @Test func hugeValuesAreScientificNotInventedDigits() {
        #expect(Format.count(1e30) == "1e+30")
        #expect(Format.count(-1.5e20) == "-1.5e+20")
        #expect(Format.percent(1e30) == "1e+32%")
        #expect(Format.percent(1e307) == "1e+309%")
        #expect(Format.fixed(1e308, places: 2) == "1e+308")
        #expect(Format.age(1e30) == "1.15741e+25d")
        #expect(Format.age(86_400 * 12_345 + 3_600) == "12,345d")
        #expect(Format.age(200_000) == "2d7h")
        #expect(Format.age(59.5) == "1m")
        #expect(Format.timestamp(Date(timeIntervalSince1970: 1e30)) == "1e+30s after 1970-01-01T00:00:00Z")
        #expect(Format.timestamp(Date(timeIntervalSince1970: 253_402_300_800)) == "+10000-01-01T00:00:00Z")
        #expect(Format.timestamp(Date(timeIntervalSince1970: -62_135_596_801)) == "0000-12-31T23:59:59Z")
        #expect(Format.timestamp(Date(timeIntervalSince1970: -62_167_219_201)) == "-0001-12-31T23:59:59Z")
    }

    @Test func countsGroupDigitsExactlyBelowTheScientificBound() async {
        await propertyCheck(count: 1_000, input: Gen.int64(in: -999_999_999_999_999 ... 999_999_999_999_999)) { value in
            let text = Format.count(Double(value))
            #expect(text.replacingOccurrences(of: ",", with: "") == String(value), "\(value) gave \(text)")
        }
    }

    @Test func agesAddUpToTheDuration() async {
        await propertyCheck(count: 1_000, input: Gen<Double>.value(in: 0 ... 863_999_000)) { seconds in
            let text = Format.age(seconds)
            var total = 0.0, digits = ""
            for character in text where character != "," {
                if character.isNumber { digits.append(character); continue }
                let unit: Double = ["s": 1, "m": 60, "h": 3_600, "d": 86_400][character] ?? .nan
                total += (Double(digits) ?? .nan) * unit
                digits = ""
            }
            // Seconds below a minute, minutes below 48 hours, hours beyond.
            let resolution: Double = seconds < 60 ? 0.5 : seconds < 172_800 ? 60 : 3_600
            #expect(total <= seconds + 0.5 && seconds - total < resolution, "\(seconds) gave \(text)")
        }
    }

    /// Every second of years 0001...9999 prints as glibc's proleptic Gregorian `gmtime` does, and parses back.
    @Test func timestampsMatchGmtimeAndRoundTrip() async {
        await propertyCheck(count: 2_000, input: Gen<Double>.value(in: ISO8601.supportedRange)) { seconds in
            let whole = seconds.rounded(.down)
            let text = Format.timestamp(Date(timeIntervalSince1970: seconds))
            var time = time_t(whole)
            var parts = tm()
            gmtime_r(&time, &parts)
            let expected = String(format: "%04d-%02d-%02dT%02d:%02d:%02dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
                                  Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
            #expect(text == expected, "\(seconds)")
            #expect(ISO8601.date(from: text)?.timeIntervalSince1970 == whole, "\(text)")
        }
    }

    @Test func isoParsingIsProlepticGregorianAndBounded() throws {
        #expect(Format.timestamp(try ISO8601.parse("0001-01-01")) == "0001-01-01T00:00:00Z")
        #expect(Format.timestamp(try ISO8601.parse("1582-10-10T12:00:00Z")) == "1582-10-10T12:00:00Z")
        #expect(Format.timestamp(try ISO8601.parse("9999-12-31T23:59:59Z")) == "9999-12-31T23:59:59Z")
        #expect(Format.timestamp(try ISO8601.parse("2026-11-25T18:00:00.75+02:00")) == "2026-11-25T16:00:00Z")
        #expect(Format.timestamp(try ISO8601.parse("2026-11-25 18:00:00")) == "2026-11-25T18:00:00Z")
        #expect(Format.timestamp(try ISO8601.parse("2026-11-25T18:00-0530")) == "2026-11-25T23:30:00Z")
        #expect(Format.timestamp(try ISO8601.parse("2024-02-29T00:00:00+18:00")) == "2024-02-28T06:00:00Z")
        #expect(throws: ISO8601.ParseError.offsetOutOfRange("-99:00")) { try ISO8601.parse("2026-11-25T18:00:00-99:00") }
        #expect(throws: ISO8601.ParseError.offsetOutOfRange("+18:01")) { try ISO8601.parse("2026-11-25T18:00:00+18:01") }
        #expect(throws: ISO8601.ParseError.outOfRange) { try ISO8601.parse("0000-12-31") }
        #expect(throws: ISO8601.ParseError.outOfRange) { try ISO8601.parse("0001-01-01T00:00:00+00:01") }
        #expect(throws: ISO8601.ParseError.outOfRange) { try ISO8601.parse("10000-01-01") }
        for bad in ["2026-02-29", "2026-13-01", "2026-11-25T24:00", "2026-11-25T18:60", "2026-11-25T18:00:60", "2026-11-25T",
                    "2026-11-25Z", "yesterday", "", "2026-11-25T18:00:00+", "2026-11-25T18:00:00.Z", "２０２６-11-25"] {
            #expect(ISO8601.date(from: bad) == nil, "\(bad)")
        }
    }

    /// Offsets are accepted exactly within ±18:00, whatever the digits.
    @Test func offsetsAreAcceptedExactlyWithinEighteenHours() async {
        await propertyCheck(count: 500, input: Gen.int(in: 0...99), Gen.int(in: 0...99), Gen.bool) { hours, minutes, negative in
            let offset = (negative ? "-" : "+") + (hours < 10 ? "0" : "") + "\(hours):" + (minutes < 10 ? "0" : "") + "\(minutes)"
            let accepted = ISO8601.date(from: "2026-06-15T12:00:00" + offset) != nil
            #expect(accepted == (minutes <= 59 && hours * 60 + minutes <= 18 * 60), "\(offset)")
        }
    }

    /// A seeded mutation loop (section 8: fuzz the value formatters): bit flips of the extremes, then every
    /// formatter and the ISO parser on the result. Bounded: 20,000 values, well under a second in a debug build.
    @Test func mutatedExtremesNeverTrap() {
        let seed: UInt64 = 18
        var random = SeededRandom(seed: seed)
        for round in 0..<20_000 {
            var bits = Self.extremes[round % Self.extremes.count].bitPattern
            for _ in 0..<Int.random(in: 1...3, using: &random) { bits ^= 1 << UInt64.random(in: 0..<64, using: &random) }
            let value = Double(bitPattern: bits)
            for text in Self.texts(value) where text.contains("\n") || text.count > 64 {
                Issue.record("seed \(seed), round \(round): bits \(bits) gave '\(text)'")
            }
            if let date = ISO8601.date(from: Format.timestamp(Date(timeIntervalSince1970: value))) {
                #expect(ISO8601.supportedRange.contains(date.timeIntervalSince1970), "seed \(seed), round \(round)")
            }
        }
    }

    /// Random text never traps the ISO parser, and whatever it accepts lies in the supported range.
    @Test func randomTextNeverTrapsTheParser() async {
        let text = Gen.character(in: " "..."~").string(of: 0...30)
        await propertyCheck(count: 2_000, input: text) { text in
            if let date = ISO8601.date(from: text) { #expect(ISO8601.supportedRange.contains(date.timeIntervalSince1970)) }
            _ = AnomalyCSV.parseTimestamp(text)
        }
    }
}
