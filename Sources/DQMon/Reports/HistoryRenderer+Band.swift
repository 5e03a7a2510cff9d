import Foundation

extension HistoryRenderer {
    /// For results stored with a numeric expected range (anomaly checks'): each value drawn against it, oldest first, e.g.
    /// `2026-11-24 10:00  ·······[-----●------]··········  412  (380 – 460)`; `▲`/`▼` mark points outside the band.
    /// Results without a range (other check types, or recorded before ranges were stored) or with a non-finite value are
    /// left out of the chart (the table above still lists them); the scale is computed on halves so ±1e308 do not overflow.
    static func bandChart(_ results: [CheckResult], width: Int = 40, limit: Int = 48) -> String? {
        let width = max(2, width)
        let rows = results.prefix(limit).reversed().compactMap { result -> (CheckResult, Double, Double, Double)? in
            guard let value = result.observed, let band = result.expectedRange, value.isFinite else { return nil }
            return (result, value, band.lower, band.upper)
        }
        guard let low = rows.map({ min($0.1, $0.2) }).min(), let high = rows.map({ max($0.1, $0.3) }).max() else { return nil }
        let span = high > low ? high / 2 - low / 2 : 1
        func column(_ x: Double) -> Int {
            let position = ((x / 2 - low / 2) / span * Double(width - 1)).rounded()
            return position.isFinite ? Int(min(Double(width - 1), max(0, position))) : 0
        }
        var lines = ["expected band (oldest → newest; [---] expected range, ● value, ▲/▼ outside):"]
        for (result, value, lower, upper) in rows {
            var cells = Array(repeating: Character("·"), count: width)
            let (from, to) = (column(lower), column(upper))
            for index in from...max(from, to) { cells[index] = "-" }
            cells[from] = "["
            cells[max(from, to)] = "]"
            cells[column(value)] = value > upper ? "▲" : value < lower ? "▼" : "●"
            lines.append("\(Format.timestamp(result.evaluatedAt))  \(String(cells))  \(result.observedText)  (\(result.expected))")
        }
        return lines.joined(separator: "\n")
    }
}
