import DQMon
import Foundation
import Testing

/// Alert payloads stay valid JSON whatever number they carry: JSON has no NaN or infinity, so those are null.
@Suite struct JSONValueTests {
    @Test func everyDoubleSerializesToValidJSON() throws {
        var random = SeededRandom(seed: 11)
        let specials: [Double] = [.nan, .infinity, -.infinity, .greatestFiniteMagnitude, -.greatestFiniteMagnitude, 1e15, -0.0, 3]
        for index in 0..<2_000 {
            let value = index < specials.count ? specials[index] : Double(bitPattern: random.next())
            let data = JSONValue.array([.number(value)]).data
            let parsed = try? JSONSerialization.jsonObject(with: data) as? [Any]
            #expect(parsed != nil, "seed 11: \(value) gave \(String(decoding: data, as: UTF8.self))")
            if !value.isFinite { #expect(String(decoding: data, as: UTF8.self) == "[null]") }
        }
    }
}
