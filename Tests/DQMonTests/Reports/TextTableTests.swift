import DQMon
import DQMonTestSupport
import Foundation
import Testing

/// `TextTable.render` counts each cell once and builds its text in one buffer; what it prints must be exactly what the
/// mapped-and-joined version printed, for any cells (grapheme clusters that change when cut, CR LF, combining marks,
/// emoji sequences, Arabic prepend marks, empty cells, ragged rows) and any `maxCellWidth`.
@Suite struct TextTableTests {
    /// The implementation before (commit 097c139), kept as the oracle.
    static func reference(_ table: TextTable) -> String {
        let cut = table.rows.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 || cell.count <= table.maxCellWidth ? cell : String(cell.prefix(max(1, table.maxCellWidth) - 1)) + "…"
            }
        }
        var widths = table.headers.map(\.count)
        for row in cut {
            for (index, cell) in row.enumerated() where index < widths.count { widths[index] = max(widths[index], cell.count) }
        }
        let line = { (cells: [String]) -> String in
            cells.enumerated().map { index, cell in
                index == cells.count - 1 ? cell : cell + String(repeating: " ", count: max(0, widths[index] - cell.count))
            }.joined(separator: "  ")
        }
        return ([line(table.headers)] + cut.map(line)).joined(separator: "\n")
    }

    static let pieces = ["a", "ok", "1,000 rows", "≥ 10", "é", "e\u{301}", "\r\n", "\r", "\n", "🇫🇷", "👩\u{200D}💻", "\u{200D}",
                         "\u{0600}", "\u{0600}\u{0600}", "…", " ", "", "\t", "中文", "data is 2m old; latest updated_at = 2026-11-25T11:57:44Z"]

    @Test func printsExactlyWhatTheJoinedVersionPrinted() {
        let seed: UInt64 = 4_2026
        var generator = SeededRandom(seed: seed)
        func cell() -> String {
            (0..<Int.random(in: 0...6, using: &generator)).map { _ in Self.pieces.randomElement(using: &generator)! }.joined()
        }
        for round in 0..<400 {
            let columns = Int.random(in: 1...5, using: &generator)
            var table = TextTable(headers: (0..<columns).map { _ in cell() })
            table.maxCellWidth = [48, 10, 3, 2, 1, 0, -4].randomElement(using: &generator)!
            for _ in 0..<Int.random(in: 0...6, using: &generator) {
                // Rows as long as the header (what every caller builds), now and then shorter.
                let count = Int.random(in: 0...9, using: &generator) == 0 ? Int.random(in: 0...columns, using: &generator) : columns
                table.append((0..<count).map { _ in cell() })
            }
            #expect(table.render() == Self.reference(table), "round \(round), seed \(seed)")
        }
    }

    @Test func aRunTableKeepsItsLayout() {
        var table = TextTable(headers: ["STATUS", "CHECK", "OBSERVED", "EXPECTED", "MESSAGE"])
        table.append(["pass", "t0000/freshness", "2m", "warn > 2h, fail > 6h", "data is 2m old"])
        table.append(["fail", "t0001/volume/hourly", "0 rows in 1h", "≥ 1", "no rows in the last 1h (by created_at)"])
        #expect(table.render() == """
            STATUS  CHECK                OBSERVED      EXPECTED              MESSAGE
            pass    t0000/freshness      2m            warn > 2h, fail > 6h  data is 2m old
            fail    t0001/volume/hourly  0 rows in 1h  ≥ 1                   no rows in the last 1h (by created_at)
            """)
    }
}
