@testable import DQMon
import Foundation
import GRDB
import Testing

/// `SQLiteDialect.declaredFormSample` reads the newest rows of every declared column in one subquery (`quote()` of
/// each value, joined by `,`), and `DeclaredSample.notInForm` must count, per column, exactly the non-NULL values
/// among the 16 newest rows that are not of the column's form, as `TimestampFormat.epochSeconds(ofStored:)` reads a
/// latest value: whatever the values hold (`,`, `'`, U+001F, `NULL` as text, blobs, numbers as text), and a NULL in
/// one column never hides another column's value. Seeded property test on real SQLite (the seed is in each failure).
@Suite struct DeclaredFormSampleTests {
    /// A value as stored; `blob` holds bytes.
    enum Stored {
        case null, integer(Int64), real(Double), text(String), blob([UInt8])

        var databaseValue: DatabaseValue {
            switch self {
            case .null: return .null
            case .integer(let value): return value.databaseValue
            case .real(let value): return value.databaseValue
            case .text(let value): return value.databaseValue
            case .blob(let bytes): return Data(bytes).databaseValue
            }
        }

        /// Of `format`, as a raw `max(col)` of it would read; nil for NULL (not checked).
        func holds(_ format: TimestampFormat) -> Bool? {
            let value: SQLValue
            switch self {
            case .null: return nil
            case .blob: return false
            case .integer(let number): value = .integer(number)
            case .real(let number): value = .real(number)
            case .text(let text): value = .text(text)
            }
            return (try? format.epochSeconds(ofStored: value).get()) != nil
        }
    }

    static let texts = [
        "2026-11-25 10:00:00", "2026-11-25 10:00:00.123", "2026-02-30 10:00:00", "2026-11-25T10:00:00", "2026-11-25 24:00:00",
        "2026-11-25 10:00:00Z", "2026-11-25 10:00:00.", "1795600800", "1795600800123", "NULL", "X'00'", "", "'", "''", ",",
        "2026-11-25 10:00:00,2026-11-25 10:00:00", "2026-11-25 10:00:00','2026-11-25 10:00:00", "2026-11-25 10:00:00\u{1F}text:2026-11-25 10:00:00",
        "2026-11-25 10:00:00'", "'2026-11-25 10:00:00'", "é", "2026-11-25 10:00:00\u{301}", "日本", "\u{1E}",
    ]
    static let numbers: [Stored] = [
        .integer(1_795_600_800), .integer(1_795_600_800_123), .integer(100_000_000_000), .integer(100_000_000_001), .integer(-1), .integer(0),
        .integer(.max), .integer(.min), .real(1_795_600_800.5), .real(1e11), .real(1e11.nextUp), .real(1e11.nextDown), .real(.infinity),
        .real(-.infinity), .real(1e300), .real(-0.0), .real(1_795_600_800_123.25), .real(0.1),
    ]

    static func randomValue(using random: inout SeededRandom) -> Stored {
        switch Int.random(in: 0..<10, using: &random) {
        case 0...1: return .null
        case 2...4: return .text(texts.randomElement(using: &random) ?? "")
        case 5: return .text((0..<Int.random(in: 1...2, using: &random)).map { _ in texts.randomElement(using: &random) ?? "" }.joined())
        case 6: return .blob(Array((texts.randomElement(using: &random) ?? "").utf8))
        case 7: return .blob((0..<Int.random(in: 0...4, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) })
        default: return numbers.randomElement(using: &random) ?? .null
        }
    }

    @Test func countsEveryColumnsNewestValuesNotInForm() throws {
        let seed = UInt64(ProcessInfo.processInfo.environment["DQMON_TEST_SEED"] ?? "") ?? 20_261_130
        var random = SeededRandom(seed: seed)
        let queue = try DatabaseQueue()
        for round in 0..<300 {
            let formats = (0..<Int.random(in: 1...3, using: &random)).map { _ in TimestampFormat.allCases.randomElement(using: &random) ?? .utcText }
            let withoutRowID = Int.random(in: 0..<5, using: &random) == 0
            // Any 16 rows of a WITHOUT ROWID table are read: it holds no more, so that they are all of them.
            let rows = (0..<Int.random(in: 0...(withoutRowID ? 16 : 24), using: &random)).map { _ in formats.map { _ in Self.randomValue(using: &random) } }
            let names = formats.indices.map { "c\($0)" }
            let columns = names.map { TimestampColumn(name: $0, hasRowID: !withoutRowID) }
            let statement = try #require(SQLiteDialect().declaredFormSample(columns, in: "\"t\""))
            let sample = try queue.write { db -> String? in
                try db.execute(sql: "DROP TABLE IF EXISTS t")
                try db.execute(sql: "CREATE TABLE t (id INTEGER PRIMARY KEY, \(names.joined(separator: ", ")))\(withoutRowID ? " WITHOUT ROWID" : "")")
                for (id, row) in rows.enumerated() {
                    try db.execute(sql: "INSERT INTO t VALUES (?\(String(repeating: ", ?", count: row.count)))",
                                   arguments: StatementArguments([Int64(id + 1).databaseValue] + row.map(\.databaseValue)))
                }
                return try String.fetchOne(db, sql: statement.sql)
            }
            let newest = rows.suffix(SQLiteDialect.declaredRowsChecked)
            let expected = formats.indices.map { column in newest.filter { $0[column].holds(formats[column]) == false }.count }
            #expect(DeclaredSample.notInForm(sample ?? "", formats: formats) == expected,
                    "seed \(seed) (DQMON_TEST_SEED), round \(round), \(formats.map(\.rawValue)), rows \(rows): \(sample.debugDescription)")
        }
    }

    @Test func readsQuotedItems() {
        #expect(DeclaredSample.notInForm("'2026-11-25 10:00:00','2026-11-25 09:59:59.5'", formats: [.utcText]) == [0])
        #expect(DeclaredSample.notInForm("1795600800,1795600800.5,NULL", formats: [.epochSeconds]) == [0])
        #expect(DeclaredSample.notInForm("1795600800123", formats: [.epochMillis]) == [0])
        #expect(DeclaredSample.notInForm("", formats: [.utcText, .epochMillis]) == [0, 0])
        // A NULL in one column keeps its place: the other column's values are still read, each as its own.
        #expect(DeclaredSample.notInForm("NULL,'2026-11-25T10:00:00','2026-11-25 10:00:00',NULL", formats: [.utcText, .utcText]) == [0, 1])
        // A separator or a quote inside a text is part of that one value.
        #expect(DeclaredSample.notInForm("'2026-11-25 10:00:00'',''2026-11-25 10:00:00',1795600800", formats: [.utcText, .epochSeconds]) == [1, 0])
        #expect(DeclaredSample.notInForm("'1795600800',X'31',1795600800", formats: [.epochSeconds]) == [2])
    }
}
