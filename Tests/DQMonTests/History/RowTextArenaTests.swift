@testable import DQMon
import DQMonTestSupport
import Foundation
import Testing

/// `executeEach` copies a row's text into one buffer (`HistoryTransaction.TextArena`, 64 KiB) and lets SQLite read it
/// there; a text that does not fit is left to SQLite to copy. Every value must read back as written whatever the sizes:
/// rows that fill the buffer mid-row, a text larger than the buffer, small texts after large ones (the buffer is reused
/// row after row), NULs (stored up to the first, as before). Seeded; the seed is in each failure message.
@Suite struct RowTextArenaTests {
    @Test func textsOfEverySizeReadBackAsWrittenAcrossTheBuffersEdge() throws {
        let seed = UInt64(ProcessInfo.processInfo.environment["DQMON_TEST_SEED"] ?? "") ?? 64_1024
        var random = SeededRandom(seed: seed)
        let sizes = [0, 1, 15, 16, 100, 20_000, 32_767, 32_768, 40_000, 65_535, 65_536, 70_000, 140_000]
        func text(_ index: Int) -> String {
            let size = sizes.randomElement(using: &random) ?? 0
            let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789 é日")
            var characters = (0..<size).map { _ in alphabet.randomElement(using: &random) ?? "a" }
            if size > 2, Int.random(in: 0..<8, using: &random) == 0 { characters[Int.random(in: 0..<size, using: &random)] = "\u{0}" }
            return "\(index):" + String(characters)
        }
        let directory = TemporaryDirectory()
        let history = try HistoryStore(path: directory.path("history.sqlite"))
        let results = (0..<60).map { index in
            CheckResult(checkID: "d/\(index)", dataset: "d", warehouse: text(index), checkType: "volume", status: .pass, observed: 1,
                        observedText: text(index), expected: text(index), message: text(index), queryMilliseconds: nil,
                        dataTimestamp: nil, evaluatedAt: Date(timeIntervalSince1970: 1_795_600_800 + Double(index)))
        }
        try history.record(run: RunRecord(startedAt: Date(timeIntervalSince1970: 0), finishedAt: Date(timeIntervalSince1970: 1),
                                          evaluatedAt: Date(timeIntervalSince1970: 1), configHash: "h", host: "test", selection: "all",
                                          exitCode: 0), results: results, metrics: [])
        func upToNUL(_ text: String) -> String { String(text.prefix { $0 != "\u{0}" }) }
        for result in results {
            let stored = try history.results(checkID: result.checkID, limit: 1).first
            #expect(stored?.warehouse == upToNUL(result.warehouse), "seed \(seed) \(result.checkID) warehouse")
            #expect(stored?.observedText == upToNUL(result.observedText), "seed \(seed) \(result.checkID) observed_text")
            #expect(stored?.expected == upToNUL(result.expected), "seed \(seed) \(result.checkID) expected")
            #expect(stored?.message == upToNUL(result.message), "seed \(seed) \(result.checkID) message")
        }
    }
}
