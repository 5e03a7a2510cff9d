/// A plain, aligned text table for terminals and pipes. Columns are padded; the last column is never padded.
public struct TextTable {
    public var headers: [String]
    public var rows: [[String]] = []
    /// Longest a cell may be before it is cut with "…" (the last column is never cut).
    public var maxCellWidth = 48

    public init(headers: [String]) { self.headers = headers }

    public mutating func append(_ row: [String]) { rows.append(row) }

    /// Each cell's length (in Characters, as the terminal shows them) is counted once, and the text is built in one
    /// buffer: counting every cell three times and joining mapped arrays was most of printing a 5,000-result run.
    public func render() -> String {
        var widths = headers.map(\.count)
        var cut: [[(text: String, count: Int)]] = []
        cut.reserveCapacity(rows.count)
        for row in rows {
            var cells: [(text: String, count: Int)] = []
            cells.reserveCapacity(row.count)
            for (index, cell) in row.enumerated() {
                let count = cell.count
                if index == row.count - 1 || count <= maxCellWidth {
                    cells.append((cell, count))
                } else {
                    let shortened = String(cell.prefix(max(1, maxCellWidth) - 1)) + "…"
                    cells.append((shortened, shortened.count))
                }
                if index < widths.count { widths[index] = max(widths[index], cells[index].count) }
            }
            cut.append(cells)
        }
        var text = ""
        func append(_ cells: some Collection<(text: String, count: Int)>) {
            for (index, cell) in cells.enumerated() {
                if index > 0 { text += "  " }
                text += cell.text
                if index < cells.count - 1, index < widths.count, widths[index] > cell.count {
                    text += String(repeating: " ", count: widths[index] - cell.count)
                }
            }
        }
        append(headers.map { ($0, $0.count) })
        for row in cut {
            text += "\n"
            append(row)
        }
        return text
    }
}
