import DQMon
import Foundation
import Testing

/// `SQLDialect.quote` skips Foundation for identifiers without a double quote; every identifier must come out as
/// Foundation's replacing quoted it (seeded; the seed is in each failure message).
@Suite struct IdentifierQuotingTests {
    static let pieces = ["orders", "\"", "\"\"", "a\"b", "é", "e\u{301}", "\"\u{301}", "日本", " ", "", "x.y", "🚀", "'"]

    @Test func quotingMatchesFoundationsReplacing() {
        let seed = UInt64(ProcessInfo.processInfo.environment["DQMON_TEST_SEED"] ?? "") ?? 20_261_130
        var random = SeededRandom(seed: seed)
        let dialects: [any SQLDialect] = [SQLiteDialect()]
        for round in 0..<2_000 {
            let name = (0..<Int.random(in: 0...4, using: &random)).map { _ in Self.pieces.randomElement(using: &random) ?? "" }.joined()
            let expected = "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            for dialect in dialects {
                #expect(dialect.quote(name) == expected, "seed \(seed) (DQMON_TEST_SEED), round \(round): \(name.debugDescription)")
            }
        }
        #expect(SQLiteDialect().quote("a\"b") == "\"a\"\"b\"")
        #expect(SQLiteDialect().qualifiedName(TableName(schema: "s\"", table: "t")) == "\"s\"\"\".\"t\"")
    }
}
