/// A plain, aligned text table for terminals and pipes. Columns are padded; the last column is never padded.
public struct TextTable {
    public var headers: [String]
    public var rows: [[String]] = []
    /// Longest a cell may be before it is cut with "…" (the last column is never cut).
    public var maxCellWidth = 48

    public init(headers: [String]) { self.headers = headers }

    public mutating func append(_ row: [String]) { rows.append(row) }

    /// Each cell's length (in Characters, as the terminal shows them) is counted once, and the text is built as UTF-8
    /// in one byte buffer: counting every cell three times, joining mapped arrays and a padding string per cell were
    /// most of printing a 5,000-result run.
    public func render() -> String {
        var widths = headers.map(Self.characterCount)
        var cut: [[(text: String, count: Int)]] = []
        cut.reserveCapacity(rows.count)
        var bytes = 0
        for row in rows {
            var cells: [(text: String, count: Int)] = []
            cells.reserveCapacity(row.count)
            for (index, cell) in row.enumerated() {
                let count = Self.characterCount(cell)
                if index == row.count - 1 || count <= maxCellWidth {
                    cells.append((cell, count))
                } else {
                    let shortened = String(cell.prefix(max(1, maxCellWidth) - 1)) + "…"
                    cells.append((shortened, Self.characterCount(shortened)))
                }
                if index < widths.count { widths[index] = max(widths[index], cells[index].count) }
                bytes += cells[index].text.utf8.count + 2
            }
            cut.append(cells)
        }
        var text: [UInt8] = []
        text.reserveCapacity(bytes + rows.count * (widths.reduce(0, +) + 1) + 256)
        func append(_ cells: some Collection<(text: String, count: Int)>) {
            for (index, cell) in cells.enumerated() {
                if index > 0 { text.append(0x20); text.append(0x20) }
                text.append(contentsOf: cell.text.utf8)
                if index < cells.count - 1, index < widths.count, widths[index] > cell.count {
                    text.append(contentsOf: repeatElement(0x20, count: widths[index] - cell.count))
                }
            }
        }
        append(headers.map { ($0, Self.characterCount($0)) })
        for row in cut {
            text.append(0x0A)
            append(row)
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// `text.count`, without Unicode's grapheme rules for plain ASCII text: there every byte is one Character, except
    /// CR LF, which is one (text holding a CR is counted the long way).
    static func characterCount(_ text: String) -> Int {
        let ascii = text.utf8.withContiguousStorageIfAvailable { bytes in
            bytes.allSatisfy { $0 < 0x80 && $0 != 0x0D }
        }
        return ascii == true ? text.utf8.count : text.count
    }
}
