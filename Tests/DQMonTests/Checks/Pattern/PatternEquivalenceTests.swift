import DQMon
import DQMonTestSupport
import Foundation
import Testing

/// The `pattern` check gives the same count on SQLite (dqmon's ICU `REGEXP`) as on PostgreSQL (`~`) for seeded
/// random patterns built from the syntax the README documents as shared: literals, `.`, bracket classes and ranges,
/// negated classes, `\d` `\w` `\s`, `* + ? {m,n}`, `^ $`, groups and `|`, over values holding digits, letters of
/// both cases, blanks and inner newlines.
@Suite(.enabled(if: PostgresTestServer.isAvailable,
                "DQMON_TEST_POSTGRES_URL is not set: run scripts/test, which starts a throwaway PostgreSQL cluster"))
struct PatternEquivalenceTests {
    static let atoms = ["a", "B", "7", "-", "_", ".", "[a-c]", "[^0-9]", "[A-Z0-9]", #"\d"#, #"\w"#, #"\s"#, #"\."#, "(a|7)", "(x-?)"]
    static let quantifiers = ["", "", "*", "+", "?", "{1,2}", "{2}"]

    static func pattern(using random: inout SeededRandom) -> String {
        var body = ""
        for _ in 0..<(1 + Int(random.next() % 4)) {
            body += atoms.randomElement(using: &random)! + quantifiers.randomElement(using: &random)!
        }
        if random.next() % 4 == 0 { body += "|" + atoms.randomElement(using: &random)! }
        let anchored = random.next() % 3
        return anchored == 0 ? "^" + body + "$" : anchored == 1 ? "^" + body : body
    }

    static func value(using random: inout SeededRandom) -> String {
        let alphabet = Array("aBc7x-_. Z0\n9b")
        let length = Int(random.next() % 7)
        var text = String((0..<length).map { _ in alphabet.randomElement(using: &random)! })
        while text.hasSuffix("\n") { text.removeLast() }  // `$` before a final newline differs (README)
        return text
    }

    @Test func seededPatternsCountTheSameOnBothWarehouses() async throws {
        let seed = UInt64(ProcessInfo.processInfo.environment["DQMON_TEST_SEED"] ?? "") ?? 2026_11_29
        var random = SeededRandom(seed: seed)
        let values = (0..<40).map { _ in Self.value(using: &random) }
        let patterns = (0..<60).map { _ in Self.pattern(using: &random) }
        let rows: [String] = values.map { (value: String) -> String in "('" + value + "')" }
        let inserts = "INSERT INTO %@ (v) VALUES " + rows.joined(separator: ", ") + ", (NULL)"
        var checks = "version: 1\ndatasets:\n  - name: vals\n    checks:\n"
        for (index, pattern) in patterns.enumerated() {
            checks += "      - pattern: { name: p\(index), column: v, regex: '\(pattern)' }\n"
        }

        let sqlite = ProjectFixture()
        let warehouse = try sqlite.warehouse()
        try warehouse.execute("CREATE TABLE vals (v text)")
        try warehouse.execute(inserts.replacingOccurrences(of: "%@", with: "vals"))
        sqlite.checks("vals.yml", checks)
        let onSQLite = try RowRuleScenario.results(in: sqlite)

        try await withTemporarySchema("regex") { db in
            try await db.execute("CREATE TABLE \"\(db.name)\".vals (v text)")
            try await db.execute(inserts.replacingOccurrences(of: "%@", with: "\"\(db.name)\".vals"))
            let postgres = PostgresProjectFixture(
                warehouses: #"  pg: { type: postgres, url: "${DQMON_TEST_POSTGRES_URL}", sslmode: disable, schema: \#(db.name) }"#)
            postgres.checks("vals.yml", checks)
            let onPostgres = try RowRuleScenario.results(in: postgres.project)
            #expect(onPostgres.results.count == patterns.count, "\(onPostgres.output)")
            #expect(onSQLite.results.values.allSatisfy { $0.status != "error" }, "\(onSQLite.output)")
            #expect(Set(onSQLite.results.values.map(\.message)).count > 10, "the patterns give varied counts: \(onSQLite.results)")
            for (index, pattern) in patterns.enumerated() {
                let id = "vals/pattern/p\(index)"
                #expect(onSQLite.results[id]?.message == onPostgres.results[id]?.message,
                        "seed \(seed): '\(pattern)' SQLite: \(String(describing: onSQLite.results[id])) PostgreSQL: \(String(describing: onPostgres.results[id]))")
            }
        }
    }
}
