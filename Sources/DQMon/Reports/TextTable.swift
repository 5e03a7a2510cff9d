/// A plain, aligned text table for terminals and pipes. Columns are padded; the last column is never padded.
public struct TextTable {
    public var headers: [String]
    public var rows: [[String]] = []
    /// Longest a cell may be before it is cut with "…" (the last column is never cut).
    public var maxCellWidth = 48

    public init(headers: [String]) { self.headers = headers }

    public mutating func append(_ row: [String]) { rows.append(row) }

    public func render() -> String {
        let cut = rows.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 || cell.count <= maxCellWidth ? cell : String(cell.prefix(max(1, maxCellWidth) - 1)) + "…"
            }
        }
        var widths = headers.map(\.count)
        for row in cut {
            for (index, cell) in row.enumerated() where index < widths.count { widths[index] = max(widths[index], cell.count) }
        }
        let line = { (cells: [String]) -> String in
            cells.enumerated().map { index, cell in
                index == cells.count - 1 ? cell : cell + String(repeating: " ", count: max(0, widths[index] - cell.count))
            }.joined(separator: "  ")
        }
        return ([line(headers)] + cut.map(line)).joined(separator: "\n")
    }
}
