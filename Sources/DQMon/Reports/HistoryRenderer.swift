import Foundation

/// Renders one check's results over time for `dqmon history CHECK_ID`.
public enum HistoryRenderer {
    /// `samples`: failing-row samples stored with some of the results, by their evaluation time (epoch seconds).
    public static func table(checkID: String, results: [CheckResult], samples: [Double: FailingRowSamples] = [:]) -> String {
        guard !results.isEmpty else { return "no results recorded for '\(checkID)' yet (run 'dqmon check' first)" }
        var table = TextTable(headers: ["EVALUATED AT", "STATUS", "OBSERVED", "EXPECTED", "MESSAGE"])
        for result in results {
            table.append([Format.timestamp(result.evaluatedAt), result.status.rawValue, result.observedText, result.expected, result.message])
        }
        let values = results.reversed().compactMap(\.observed)
        var output = "\(checkID): \(results.count) result\(results.count == 1 ? "" : "s"), newest first\n"
        if values.count >= 2 { output += "trend (oldest → newest): \(Sparkline.render(values))\n" }
        if let band = bandChart(results) { output += band + "\n" }
        output += "\n" + table.render()
        for result in results {
            guard let sample = samples[result.evaluatedAt.timeIntervalSince1970] else { continue }
            output += "\n\n" + SamplesRenderer.lines(sample, evaluatedAt: result.evaluatedAt).joined(separator: "\n")
        }
        return output
    }

    public static func json(checkID: String, results: [CheckResult], samples: [Double: FailingRowSamples] = [:]) -> String {
        struct Entry: Encodable {
            let evaluated_at: String
            let status: String
            let observed: Double?
            let observed_text: String
            let expected: String
            let message: String
            let data_timestamp: String?
            let samples: SamplesRenderer.Entry?
        }
        struct Document: Encodable {
            let version = "1"
            let check_id: String
            let results: [Entry]
        }
        let entries = results.map {
            Entry(evaluated_at: Format.timestamp($0.evaluatedAt), status: $0.status.rawValue, observed: jsonNumber($0.observed),
                  observed_text: $0.observedText, expected: $0.expected, message: $0.message,
                  data_timestamp: $0.dataTimestamp.map { Format.timestamp(Date(timeIntervalSince1970: $0)) },
                  samples: samples[$0.evaluatedAt.timeIntervalSince1970].map { [at = $0.evaluatedAt] in SamplesRenderer.Entry($0, evaluatedAt: at) })
        }
        return RunReportRenderer.encode(Document(check_id: checkID, results: entries))
    }
}

/// A one-line text chart of a series: `▁▂▃▅▇`.
///
/// Total over every `Double`: bars are scaled on the finite values (halved before subtracting, so ±1e308 do not
/// overflow), `+inf` draws as the top bar, `-inf` as the bottom one, and a bucket holding only NaN as `·`.
public enum Sparkline {
    static let bars = Array("▁▂▃▄▅▆▇█")
    static let missing: Character = "·"

    /// At most `width` bars; longer series are averaged into buckets.
    public static func render(_ values: [Double], width: Int = 60) -> String {
        guard !values.isEmpty else { return "" }
        let size = max(1, (values.count + max(1, width) - 1) / max(1, width))
        let buckets = stride(from: 0, to: values.count, by: size).map { start in
            bucketValue(values[start..<min(start + size, values.count)])
        }
        let finite = values.filter(\.isFinite)
        let low = finite.min() ?? 0, high = finite.max() ?? 0
        let span = high / 2 - low / 2
        return String(buckets.map { value -> Character in
            if value.isNaN { return missing }
            if value == .infinity { return bars[bars.count - 1] }
            if value == -.infinity { return bars[0] }
            guard span > 0 else { return bars[3] }
            let position = (value / 2 - low / 2) / span * Double(bars.count - 1)
            return bars[position.isFinite ? Int(min(Double(bars.count - 1), max(0, position.rounded(.down)))) : 0]
        })
    }

    /// The mean of a bucket's finite values (each divided by the count before summing, so it cannot overflow);
    /// ±inf when the bucket holds only infinities of one sign (and no finite value), NaN when nothing usable.
    static func bucketValue(_ slice: ArraySlice<Double>) -> Double {
        let finite = slice.filter(\.isFinite)
        if !finite.isEmpty { return finite.reduce(0) { $0 + $1 / Double(finite.count) } }
        let infinities = slice.filter(\.isInfinite)
        if let first = infinities.first, infinities.allSatisfy({ $0 == first }) { return first }
        return .nan
    }
}
