@testable import DQMon
import Foundation
import Testing

/// The report's reductions against plain reference implementations over seeded random inputs: chart buckets
/// (`Downsample`, flat two-pass arrays) equal the one-array-per-bucket version bit for bit, and the bucket of a time
/// (`ReportRowsQuery.slice`) is `floor((t − from) / span × count)` clamped, never a trap.
@Suite struct ReportReductionTests {
    /// The bucketing the report used before it went flat: an array per bucket, mean summed as value / n.
    static func referenceBuckets(_ points: [(at: Double, value: Double)], start: Double, end: Double, count: Int) -> [Downsample.Bucket] {
        let count = max(1, count), span = end - start
        guard span > 0, span.isFinite else { return [] }
        var groups = Array(repeating: [Double](), count: count)
        for point in points where point.value.isFinite && point.at >= start && point.at <= end {
            let position = ((point.at - start) / span * Double(count)).rounded(.down)
            groups[min(count - 1, max(0, Int(position)))].append(point.value)
        }
        return groups.enumerated().compactMap { index, values in
            guard let low = values.min(), let high = values.max() else { return nil }
            return Downsample.Bucket(at: start + (Double(index) + 0.5) / Double(count) * span,
                                     mean: values.reduce(0) { $0 + $1 / Double(values.count) }, low: low, high: high)
        }
    }

    @Test func flatBucketsEqualTheReferenceOverRandomSeries() {
        let seed = UInt64(16_003)
        var random = SeededRandom(seed: seed)
        let specials: [Double] = [.nan, .infinity, -.infinity, 0, -0.0, 1e308, -1e308, .leastNonzeroMagnitude]
        for round in 0..<400 {
            let start = Double(Int.random(in: 0...2_000_000_000, using: &random))
            let spans: [Double] = [1, 3_600, 2_592_000, 1e-3]
            let span = spans[round % 4]
            let count = Int.random(in: 1...130, using: &random)
            var points: [(at: Double, value: Double)] = []
            for _ in 0..<Int.random(in: 0...300, using: &random) {
                let at: Double = start + Double.random(in: -0.1...1.1, using: &random) * span
                let special: Bool = Int.random(in: 0..<20, using: &random) == 0
                let value: Double = special ? specials[Int.random(in: 0..<specials.count, using: &random)] : Double.random(in: -1e6...1e6, using: &random)
                points.append((at: at, value: value))
            }
            let flat = Downsample.buckets(points, start: start, end: start + span, count: count)
            let reference = Self.referenceBuckets(points, start: start, end: start + span, count: count)
            let same = flat.count == reference.count && zip(flat, reference).allSatisfy {
                $0.at == $1.at && $0.mean == $1.mean && $0.low == $1.low && $0.high == $1.high
            }
            #expect(same, "seed \(seed), round \(round): \(flat.count) vs \(reference.count) buckets")
        }
    }

    @Test func theBucketOfATimeIsTheFloorClampedAndNeverTraps() {
        let seed = UInt64(16_004)
        var random = SeededRandom(seed: seed)
        for round in 0..<2_000 {
            let count = Int.random(in: 1...400, using: &random)
            let from: Double = Double.random(in: -1e10...1e10, using: &random)
            let span: Double = Double.random(in: 1e-6...1e8, using: &random)
            let inside: Double = from + Double.random(in: -2...2, using: &random) * span
            let times: [Double] = [inside, .nan, .infinity, -.infinity, 1e308, -1e308]
            let t = times[round % 6]
            let slice = ReportRowsQuery.slice(t, from: from, span: span, count: count)
            #expect((0..<count).contains(slice), "seed \(seed), round \(round): \(slice) of \(count)")
            let position = ((t - from) / span * Double(count)).rounded(.down)
            if position.isFinite, position >= 0, position < Double(count) {
                #expect(slice == Int(position), "seed \(seed), round \(round)")
            }
        }
    }

    /// `HTMLText.escape` as it was before its fast path (every scalar looked at): the reference the fast path must equal.
    static func referenceEscape(_ text: String) -> String {
        var escaped = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            case "\t", "\n": escaped.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) { continue }
                escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }

    /// The fast path (text returned as it is when no byte needs a look) gives exactly the scalar-by-scalar result,
    /// over random strings drawn mostly from harmless characters, with C0/C1 controls, DEL, the five specials and
    /// multi-byte neighbours of U+0080-U+009F (U+00A0, é, U+0100) mixed in.
    @Test func escapeFastPathEqualsTheReference() {
        let seed = UInt64(16_041)
        var random = SeededRandom(seed: seed)
        let plain = Array("abcXYZ 019-_/.:;,()[]{}=+~%é支😀\u{a0}\u{100}\u{7e}")
        let special = Array("<>&\"'\u{0}\u{7}\u{1f}\u{7f}\u{80}\u{85}\u{9f}\n\t\r")
        for round in 0..<3_000 {
            let length = Int.random(in: 0...40, using: &random)
            let rare = round % 3 == 0 ? 0 : Int.random(in: 1...10, using: &random)
            let text = String((0..<length).map { _ in
                rare > 0 && Int.random(in: 0..<(rare * 8), using: &random) == 0
                    ? special[Int.random(in: 0..<special.count, using: &random)] : plain[Int.random(in: 0..<plain.count, using: &random)]
            })
            let escaped = HTMLText.escape(text)
            #expect(escaped == Self.referenceEscape(text), "seed \(seed), round \(round): \(text.debugDescription)")
        }
    }
}
