import Foundation

extension HistoryRenderer {
    /// For anomaly checks: each result's value drawn against its expected band, oldest first, e.g.
    /// `2026-11-24 10:00  ·······[-----●------]··········  412  (380 – 460)`; `▲`/`▼` mark points outside the band.
    /// Results whose value or band is not finite (NaN, ±inf, from an older dqmon's history) are left out of the chart
    /// (the table above still lists them); the scale is computed on halves so ±1e308 do not overflow.
    static func bandChart(_ results: [CheckResult], width: Int = 40, limit: Int = 48) -> String? {
        let width = max(2, width)
        let rows = results.prefix(limit).reversed().compactMap { result -> (CheckResult, Double, Double, Double)? in
            guard result.checkType == "anomaly", let value = result.observed, let band = parseBand(result.expected),
                  value.isFinite, band.lower.isFinite, band.upper.isFinite else { return nil }
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

    /// Reads `lo – hi (expected x)` as written by the anomaly check.
    static func parseBand(_ text: String) -> (lower: Double, upper: Double)? {
        let head = text.split(separator: "(").first.map(String.init) ?? text
        let parts = head.components(separatedBy: " – ")
        guard parts.count == 2 else { return nil }
        func number(_ part: String) -> Double? { Double(part.replacingOccurrences(of: ",", with: "").trimmingCharacters(in: .whitespaces)) }
        guard let lower = number(parts[0]), let upper = number(parts[1]) else { return nil }
        return (lower, upper)
    }
}
