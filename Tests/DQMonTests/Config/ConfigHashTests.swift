@testable import DQMon
import DQMonTestSupport
import Testing

/// The config hash is stored with every run (and FNV1a keys schema snapshots): its value must never change with how
/// the bytes are walked.
@Suite struct ConfigHashTests {
    /// The FNV-1a 64 reference, one byte at a time, with dqmon's `0xff` after each text.
    static func reference(_ texts: [String]) -> String {
        var state: UInt64 = 0xcbf2_9ce4_8422_2325
        for text in texts {
            for byte in Array(text.utf8) {
                state ^= UInt64(byte)
                state = state &* 0x100_0000_01b3
            }
            state ^= 0xff
        }
        return String(format: "%016llx", state)
    }

    @Test func knownValues() {
        var hasher = FNV1a()
        hasher.combine("a")
        // FNV-1a 64 of "a" is af63dc4c8601ec8c; dqmon ends each text with ^ 0xff.
        #expect(hasher.hexDigest == "af63dc4c8601ec73")
        #expect(FNV1a().hexDigest == "cbf29ce484222325")
    }

    @Test func matchesTheByteByByteReference() {
        var random = SeededRandom(seed: 0xF17A)
        let alphabet = Array("abc xyz:-{}[]\n\té😀ключ\u{0}")
        for round in 0..<200 {
            let texts = (0..<Int.random(in: 0...4, using: &random)).map { _ in
                String((0..<Int.random(in: 0...300, using: &random)).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &random)] })
            }
            var hasher = FNV1a()
            for text in texts { hasher.combine(text) }
            #expect(hasher.hexDigest == Self.reference(texts), "round \(round) (seed 0xF17A)")
        }
    }
}
