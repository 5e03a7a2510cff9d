import Foundation

/// Renders one check's results over time for `dqmon history CHECK_ID`.
public enum HistoryRenderer {
    public static func table(checkID: String, results: [CheckResult]) -> String {
        guard !results.isEmpty else { return "no results recorded for '\(checkID)' yet (run 'dqmon check' first)" }
        var table = TextTable(headers: ["EVALUATED AT", "STATUS", "OBSERVED", "EXPECTED", "MESSAGE"])
        for result in results {
            table.append([Format.timestamp(result.evaluatedAt), result.status.rawValue, result.observedText, result.expected, result.message])
        }
        let values = results.reversed().compactMap(\.observed)
        var output = "\(checkID): \(results.count) result\(results.count == 1 ? "" : "s"), newest first\n"
        if values.count >= 2 { output += "trend (oldest → newest): \(Sparkline.render(values))\n" }
        if let band = bandChart(results) { output += band + "\n" }
        return output + "\n" + table.render()
    }

    public static func json(checkID: String, results: [CheckResult]) -> String {
        struct Entry: Encodable {
            let evaluated_at: String
            let status: String
            let observed: Double?
            let observed_text: String
            let expected: String
            let message: String
            let data_timestamp: String?
        }
        struct Document: Encodable {
            let version = "1"
            let check_id: String
            let results: [Entry]
        }
        let entries = results.map {
            Entry(evaluated_at: Format.timestamp($0.evaluatedAt), status: $0.status.rawValue, observed: $0.observed,
                  observed_text: $0.observedText, expected: $0.expected, message: $0.message,
                  data_timestamp: $0.dataTimestamp.map { Format.timestamp(Date(timeIntervalSince1970: $0)) })
        }
        return RunReportRenderer.encode(Document(check_id: checkID, results: entries))
    }
}

/// A one-line text chart of a series: `▁▂▃▅▇`.
public enum Sparkline {
    static let bars = Array("▁▂▃▄▅▆▇█")

    /// At most `width` bars; longer series are averaged into buckets.
    public static func render(_ values: [Double], width: Int = 60) -> String {
        guard let low = values.min(), let high = values.max() else { return "" }
        let buckets = stride(from: 0, to: values.count, by: max(1, Int((Double(values.count) / Double(width)).rounded(.up)))).map { start in
            let slice = values[start..<min(start + max(1, Int((Double(values.count) / Double(width)).rounded(.up))), values.count)]
            return slice.reduce(0, +) / Double(slice.count)
        }
        let span = high - low
        return String(buckets.map { value in
            span == 0 ? bars[3] : bars[min(bars.count - 1, Int((value - low) / span * Double(bars.count - 1)))]
        })
    }
}
