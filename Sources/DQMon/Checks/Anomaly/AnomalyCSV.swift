import Foundation

/// `dqmon backtest --csv`: reads a time series from a CSV file and writes the replay as
/// `timestamp,is_anomaly,score` (the columns the NAB scorer reads), plus the expected band.
public enum AnomalyCSV {
    public struct Series: Sendable {
        /// The timestamp cells as written, so the output matches the input row for row.
        public var labels: [String]
        public var samples: [(time: Double, value: Double)]
    }

    public enum ReadError: Error, CustomStringConvertible {
        case missingColumn(String, available: [String])
        case badTimestamp(line: Int, text: String)
        case badValue(line: Int, text: String)
        case empty

        public var description: String {
            switch self {
            case .missingColumn(let name, let available):
                return "no column '\(name)' in the CSV header\(Suggestion.hint(for: name, in: available)) (columns: \(available.joined(separator: ", ")))"
            case .badTimestamp(let line, let text):
                return "line \(line): '\(text)' is not a timestamp (write e.g. 2026-11-25 18:00:00, 2026-11-25T18:00:00Z or epoch seconds)"
            case .badValue(let line, let text):
                return "line \(line): '\(text)' is not a number"
            case .empty:
                return "the CSV file has no data rows"
            }
        }
    }

    /// Parses `text`; rows with an empty value are skipped (a missing measurement is a gap, not a zero).
    public static func read(_ text: String, timestampColumn: String, valueColumn: String) throws(ReadError) -> Series {
        var lines = text.split(omittingEmptySubsequences: true, whereSeparator: \.isNewline).makeIterator()
        guard let headerLine = lines.next() else { throw .empty }
        let header = headerLine.split(separator: ",", omittingEmptySubsequences: false).map(clean)
        guard let timeIndex = header.firstIndex(of: timestampColumn) else { throw .missingColumn(timestampColumn, available: header) }
        guard let valueIndex = header.firstIndex(of: valueColumn) else { throw .missingColumn(valueColumn, available: header) }
        var series = Series(labels: [], samples: [])
        var lineNumber = 1
        while let line = lines.next() {
            lineNumber += 1
            let cells = line.split(separator: ",", omittingEmptySubsequences: false)
            guard cells.count > max(timeIndex, valueIndex) else { continue }
            let label = clean(cells[timeIndex])
            let valueText = clean(cells[valueIndex])
            if valueText.isEmpty { continue }
            guard let time = parseTimestamp(label) else { throw .badTimestamp(line: lineNumber, text: label) }
            guard let value = Double(valueText), value.isFinite else { throw .badValue(line: lineNumber, text: valueText) }
            series.labels.append(label)
            series.samples.append((time, value))
        }
        guard !series.samples.isEmpty else { throw .empty }
        return series
    }

    /// The replay as CSV: `timestamp,is_anomaly,score,expected,lower,upper` (score = |robust z|; empty while skipped).
    public static func write(_ series: Series, steps: [AnomalyReplay.Step]) -> String {
        var output = "timestamp,is_anomaly,score,expected,lower,upper\n"
        output.reserveCapacity(steps.count * 48)
        for (label, step) in zip(series.labels, steps) {
            let verdict = step.verdict
            if verdict.isSkipped {
                output += "\(label),0,,,,\n"
            } else {
                output += "\(label),\(verdict.isAnomaly ? 1 : 0),\(number(abs(verdict.score))),\(number(verdict.expected)),\(number(verdict.lower)),\(number(verdict.upper))\n"
            }
        }
        return output
    }

    static func number(_ value: Double) -> String {
        value.isFinite ? String(format: "%.6g", value) : ""
    }

    static func clean(_ cell: Substring) -> String {
        cell.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
    }

    /// UTC epoch seconds from `YYYY-MM-DD[( |T)HH:MM[:SS[.fff]]][Z|±HH:MM]` or a plain number of epoch seconds.
    public static func parseTimestamp(_ text: String) -> Double? {
        if let epoch = Double(text), !text.contains("-") { return epoch }
        let scalars = Array(text.utf8)
        func digits(_ start: Int, _ count: Int) -> Int? {
            guard start + count <= scalars.count else { return nil }
            var value = 0
            for byte in scalars[start..<start + count] {
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        guard let year = digits(0, 4), scalars.count >= 10, scalars[4] == 45, let month = digits(5, 2), scalars[7] == 45,
              let day = digits(8, 2), (1...12).contains(month), (1...31).contains(day) else { return nil }
        var seconds = Double(daysFromCivil(year: year, month: month, day: day)) * 86_400
        var index = 10
        if index < scalars.count, scalars[index] == 32 || scalars[index] == 84 {
            guard let hour = digits(index + 1, 2), scalars.count > index + 3, scalars[index + 3] == 58,
                  let minute = digits(index + 4, 2) else { return nil }
            seconds += Double(hour * 3_600 + minute * 60)
            index += 6
            if index < scalars.count, scalars[index] == 58, let second = digits(index + 1, 2) {
                seconds += Double(second)
                index += 3
                if index < scalars.count, scalars[index] == 46 {
                    var end = index + 1
                    while end < scalars.count, scalars[end] >= 48, scalars[end] <= 57 { end += 1 }
                    seconds += Double("0" + String(decoding: scalars[index..<end], as: UTF8.self)) ?? 0
                    index = end
                }
            }
        }
        if index == scalars.count { return seconds }
        if scalars[index] == 90, index + 1 == scalars.count { return seconds }
        guard scalars[index] == 43 || scalars[index] == 45, let hours = digits(index + 1, 2) else { return nil }
        let minutes = digits(index + 4, 2) ?? digits(index + 3, 2) ?? 0
        let offset = Double(hours * 3_600 + minutes * 60)
        return scalars[index] == 43 ? seconds - offset : seconds + offset
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
