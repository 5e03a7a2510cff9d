@testable import DQMon
import Foundation
import Testing

/// `TimestampFormat.countNotInForm` scans the newest-values sample's UTF-8 bytes; it must count exactly what the
/// Character-based reading it replaced counted (split on U+001F, type before the first `:`), for every form and any
/// text a column can hold (seeded property test; the seed is in each failure message).
@Suite struct DeclaredFormSampleTests {
    /// The reading before the byte scan, kept here as the reference.
    static func referenceCount(_ format: TimestampFormat, sample: String) -> Int {
        guard !sample.isEmpty else { return 0 }
        return sample.split(separator: "\u{1F}", omittingEmptySubsequences: false).reduce(0) { count, item in
            guard let colon = item.firstIndex(of: ":") else { return count + 1 }
            let type = item[..<colon], text = String(item[item.index(after: colon)...])
            let holds: Bool
            switch format {
            case .utcText: holds = type == "text" && TimestampFormat.utcTextSeconds(text) != nil
            case .epochSeconds: holds = (type == "integer" || type == "real") && (Double(text).map { $0.isFinite && $0 <= TimestampFormat.millisecondsAbove } ?? false)
            case .epochMillis: holds = (type == "integer" || type == "real") && (Double(text).map { $0.isFinite && $0 > TimestampFormat.millisecondsAbove } ?? false)
            }
            return count + (holds ? 0 : 1)
        }
    }

    static let pieces = [
        "2026-11-25 10:00:00", "2026-11-25 10:00:00.123", "2026-02-30 10:00:00", "2026-11-25T10:00:00", "2026-11-25 24:00:00",
        "2026-11-25 10:00:00Z", "2026-11-25 10:00:00.", "1795600800", "1795600800123", "1.7956008e9", "-1", "nan", "inf",
        "1e400", "0x1p3", " 1795600800", "", ":", "é", "\u{301}", "2026-11-25 10:00:00\u{301}", "日本", "a:b", "\u{1F}",
    ]
    static let types = ["text", "integer", "real", "blob", "tex", "", "text\u{301}", "integer:"]

    @Test(arguments: TimestampFormat.allCases)
    func byteScanCountsAsTheCharacterReadingDid(format: TimestampFormat) {
        let seed = UInt64(ProcessInfo.processInfo.environment["DQMON_TEST_SEED"] ?? "") ?? 20_261_130
        var random = SeededRandom(seed: seed)
        for round in 0..<3_000 {
            let items = (0..<Int.random(in: 1...17, using: &random)).map { _ -> String in
                if Int.random(in: 0..<10, using: &random) == 0 { return Self.pieces.randomElement(using: &random) ?? "" }
                let type = Self.types.randomElement(using: &random) ?? ""
                let value = (0..<Int.random(in: 1...2, using: &random)).map { _ in Self.pieces.randomElement(using: &random) ?? "" }.joined()
                return type + ":" + value
            }
            let sample = items.joined(separator: "\u{1F}")
            #expect(format.countNotInForm(sample: sample) == Self.referenceCount(format, sample: sample),
                    "seed \(seed) (DQMON_TEST_SEED), round \(round), \(format.rawValue): \(sample.debugDescription)")
        }
    }

    @Test func wellFormedSamplesHold() {
        #expect(TimestampFormat.utcText.countNotInForm(sample: "text:2026-11-25 10:00:00\u{1F}text:2026-11-25 09:59:59.5") == 0)
        #expect(TimestampFormat.epochSeconds.countNotInForm(sample: "integer:1795600800\u{1F}real:1795600800.5") == 0)
        #expect(TimestampFormat.epochMillis.countNotInForm(sample: "integer:1795600800123") == 0)
        #expect(TimestampFormat.utcText.countNotInForm(sample: "") == 0)
        #expect(TimestampFormat.utcText.countNotInForm(sample: "integer:1795600800\u{1F}text:2026-11-25 10:00:00\u{1F}") == 2)
    }
}
