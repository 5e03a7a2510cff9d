import DQMon
import Foundation
import Testing

/// `Format.count` groups digits over bytes now (it appended Characters, reversed twice); every value prints exactly
/// as before.
@Suite struct FormatCountTests {
    /// The implementation before (commit 2afd489), kept as the oracle.
    static func reference(_ value: Double) -> String {
        guard value.isFinite else { return Format.nonFinite(value) }
        guard abs(value) < Format.scientificFrom else { return Format.scientific(value) }
        if value != value.rounded() { return Format.fixed(value, places: 2) }
        let digits = String(Int64(value).magnitude)
        var grouped = ""
        for (index, character) in digits.reversed().enumerated() {
            if index > 0, index % 3 == 0 { grouped.append(",") }
            grouped.append(character)
        }
        return (value < 0 ? "-" : "") + String(grouped.reversed())
    }

    @Test func printsEveryValueAsBefore() {
        let seed: UInt64 = 1_000_001
        var generator = SeededRandom(seed: seed)
        var values: [Double] = [0, -0.0, 1, -1, 999, 1_000, -1_000, 999_999, 1_000_000, 999_999_999_999_999, -999_999_999_999_999,
                                1e15, -1e15, 2.5, -0.5, .nan, .infinity, -.infinity, .ulpOfOne, Double.greatestFiniteMagnitude]
        for _ in 0..<5_000 {
            let digits = Int.random(in: 0...16, using: &generator)
            var magnitude = 1.0
            for _ in 0..<digits { magnitude *= 10 }
            let value = Double.random(in: -magnitude...magnitude, using: &generator)
            values += [value, value.rounded(), value.rounded() + 0.25]
        }
        for value in values {
            #expect(Format.count(value) == Self.reference(value), "\(value) (bits \(value.bitPattern), seed \(seed))")
        }
    }
}
