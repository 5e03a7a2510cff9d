import DQMon
import Foundation
import Testing

/// `Format.fixed` replaces `String(format: "%.Nf")` in reports: it must print the same text (but never "-0").
@Suite struct FormatTests {
    @Test func fixedMatchesPrintf() {
        var generator = SeededRandom(seed: 11)
        var values: [Double] = [0, -0.0, 0.5, 1.5, 2.5, 0.125, 0.375, -0.125, 99.995, 12.3456, -3.999, 1e9 + 0.25, 7, 1e16, -2.5e17, .infinity]
        for _ in 0..<2_000 { values.append(Double.random(in: -1_000...1_000, using: &generator)) }
        for value in values {
            guard abs(value) < Format.scientificFrom else {
                #expect(Format.fixed(value, places: 2) == Format.scientific(value))
                continue
            }
            for places in 0...3 {
                var printf = String(format: "%.\(places)f", value)
                // One deliberate difference: a negative value that rounds to zero prints "0", not "-0".
                if printf.hasPrefix("-"), printf.allSatisfy({ "-0.".contains($0) }) { printf.removeFirst() }
                #expect(Format.fixed(value, places: places) == printf, "\(value), \(places) places")
            }
        }
    }

    @Test func percentAndCount() {
        #expect(Format.percent(0.5) == "50%")
        #expect(Format.percent(0.125) == "12.5%")
        #expect(Format.count(12_345) == "12,345")
        #expect(Format.count(2.5) == "2.50")
    }
}
