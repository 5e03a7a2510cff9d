import Foundation

/// `dqmon backtest --csv`: reads a time series from a CSV file and writes the replay as
/// `timestamp,is_anomaly,score` (the columns the NAB scorer reads), plus the expected band.
public enum AnomalyCSV {
    public struct Series: Sendable {
        /// The timestamp cells as written, so the output matches the input row for row (in time order).
        public var labels: [String]
        public var samples: [(time: Double, value: Double)]
        /// One-line notes about input that was read but not as written (rows sorted, repeated timestamps).
        public var warnings: [String] = []

        public init(labels: [String], samples: [(time: Double, value: Double)], warnings: [String] = []) {
            self.labels = labels
            self.samples = samples
            self.warnings = warnings
        }
    }

    /// The largest magnitude a value may have: far beyond any metric, and small enough that squares and sums of a
    /// million of them (the baselines' variance) stay finite.
    public static let maximumMagnitude = 1e100

    public enum ReadError: Error, CustomStringConvertible, Equatable {
        case missingColumn(String, available: [String])
        case badTimestamp(line: Int, text: String, reason: String)
        case badValue(line: Int, text: String, reason: String)
        case shortRow(line: Int, cells: Int, needed: Int)
        case empty

        public var description: String {
            switch self {
            case .missingColumn(let name, let available):
                let columns = available.map { AnomalyCSV.shown($0) }
                return "no column '\(AnomalyCSV.shown(name))' in the CSV header\(Suggestion.hint(for: AnomalyCSV.shown(name), in: columns)) "
                    + "(columns: \(AnomalyCSV.shown(columns.joined(separator: ", "), limit: 200)))"
            case .badTimestamp(let line, let text, let reason):
                return "line \(line): timestamp '\(AnomalyCSV.shown(text))' \(reason); fix or delete the row"
            case .badValue(let line, let text, let reason):
                return "line \(line): value '\(AnomalyCSV.shown(text))' \(reason); fix the row, or leave the cell empty for a missing measurement"
            case .shortRow(let line, let cells, let needed):
                return "line \(line): \(cells) cell\(cells == 1 ? "" : "s"), but the timestamp and value columns need \(needed); fix or delete the row"
            case .empty:
                return "the CSV file has no data rows"
            }
        }
    }

    /// A cell as it goes into a one-line message: at most `limit` characters, control characters (and the
    /// Unicode line separators) as `?`.
    static func shown(_ text: String, limit: Int = 40) -> String {
        let cleaned = String(String.UnicodeScalarView(text.unicodeScalars.map { scalar in
            scalar.value < 0x20 || (0x7f...0x9f).contains(scalar.value) || scalar.value == 0x2028 || scalar.value == 0x2029 ? "?" : scalar
        }))
        return cleaned.count > limit ? String(cleaned.prefix(limit - 1)) + "…" : cleaned
    }

    /// Parses `text`; see `read(bytes:timestampColumn:valueColumn:)`.
    public static func read(_ text: String, timestampColumn: String, valueColumn: String) throws(ReadError) -> Series {
        try read(bytes: Array(text.utf8), timestampColumn: timestampColumn, valueColumn: valueColumn)
    }

    /// Parses a CSV file's bytes (a UTF-8 byte order mark, `\r\n` and blank lines are accepted; line numbers count
    /// every line). Rows with an empty value are skipped (a missing measurement is a gap, not a zero). A timestamp
    /// must be a time within `ISO8601.supportedRange` (epoch seconds or ISO 8601) and a value a finite number of at
    /// most `maximumMagnitude`: anything else is an error naming the line. Rows out of time order are sorted (stably)
    /// with a warning; rows repeating a timestamp are kept, with a warning (see `notes`).
    public static func read(bytes: [UInt8], timestampColumn: String, valueColumn: String) throws(ReadError) -> Series {
        var lines = LineReader(bytes: bytes)
        guard let (_, headerRange) = lines.next() else { throw .empty }
        let header = cells(bytes, headerRange).map { clean(bytes, $0) }
        guard let timeIndex = header.firstIndex(of: timestampColumn) else { throw .missingColumn(timestampColumn, available: header) }
        guard let valueIndex = header.firstIndex(of: valueColumn) else { throw .missingColumn(valueColumn, available: header) }
        var labels: [String] = []
        var samples: [(time: Double, value: Double)] = []
        var lineNumbers: [Int] = []
        while let (lineNumber, range) = lines.next() {
            let row = cells(bytes, range)
            guard row.count > max(timeIndex, valueIndex) else {
                throw .shortRow(line: lineNumber, cells: row.count, needed: max(timeIndex, valueIndex) + 1)
            }
            let valueRange = trimmed(bytes, row[valueIndex])
            if valueRange.isEmpty { continue }
            let labelRange = trimmed(bytes, row[timeIndex])
            let time = try timestamp(bytes[labelRange], line: lineNumber)
            let value = try measurement(bytes[valueRange], line: lineNumber)
            labels.append(String(decoding: bytes[labelRange], as: UTF8.self))
            samples.append((time, value))
            lineNumbers.append(lineNumber)
        }
        guard !samples.isEmpty else { throw .empty }
        var series = Series(labels: labels, samples: samples)
        series.warnings = inTimeOrder(&series, lineNumbers: &lineNumbers)
        return series
    }

    /// Sorts rows by time (stably: rows of one timestamp keep the file's order) and says what was done:
    /// - rows out of order: replayed in time order, as `dqmon check` would have seen the points;
    /// - rows repeating a timestamp: each is judged, and in training the later one replaces the earlier
    ///   (the detector keeps one point per slot, the last measured, as for stored history).
    static func inTimeOrder(_ series: inout Series, lineNumbers: inout [Int]) -> [String] {
        var warnings: [String] = []
        let samples = series.samples
        if let firstOutOfOrder = samples.indices.dropFirst().first(where: { samples[$0].time < samples[$0 - 1].time }) {
            let order = samples.indices.sorted { samples[$0].time != samples[$1].time ? samples[$0].time < samples[$1].time : $0 < $1 }
            warnings.append("rows are not in time order (line \(lineNumbers[firstOutOfOrder]) is earlier than line \(lineNumbers[firstOutOfOrder - 1])); "
                + "replayed and written in time order")
            series.samples = order.map { samples[$0] }
            series.labels = order.map { series.labels[$0] }
            lineNumbers = order.map { lineNumbers[$0] }
        }
        let repeated = series.samples.indices.dropFirst().filter { series.samples[$0].time == series.samples[$0 - 1].time }
        if let first = repeated.first {
            warnings.append("\(repeated.count) row\(repeated.count == 1 ? "" : "s") repeat\(repeated.count == 1 ? "s" : "") an earlier row's timestamp "
                + "(first: line \(lineNumbers[first])); each is judged, and in training the later value replaces the earlier")
        }
        return warnings
    }

    /// A timestamp cell as UTC epoch seconds, or the error naming the line.
    static func timestamp(_ cell: ArraySlice<UInt8>, line: Int) throws(ReadError) -> Double {
        let text = String(decoding: cell, as: UTF8.self)
        do {
            return try timestamp(text)
        } catch {
            switch error {
            case .notATime:
                throw .badTimestamp(line: line, text: text, reason: "is not a time (write epoch seconds, 2026-11-25 18:00:00 or 2026-11-25T18:00:00Z)")
            case .outOfRange:
                throw .badTimestamp(line: line, text: text, reason: "is \(error.description) (epoch seconds -62135596800...253402300799)")
            case .fieldOutOfRange, .offsetOutOfRange:
                throw .badTimestamp(line: line, text: text, reason: "is not a time: \(error.description)")
            }
        }
    }

    /// A value cell as a finite number of at most `maximumMagnitude`, or the error naming the line.
    static func measurement(_ cell: ArraySlice<UInt8>, line: Int) throws(ReadError) -> Double {
        let text = String(decoding: cell, as: UTF8.self)
        guard let value = Double(text) else { throw .badValue(line: line, text: text, reason: "is not a number") }
        guard isPlainNumber(cell) else {
            throw .badValue(line: line, text: text, reason: "is not a finite decimal number (NaN, infinity and hexadecimal are not measurements)")
        }
        guard value.isFinite, abs(value) <= maximumMagnitude else {
            throw .badValue(line: line, text: text, reason: "is outside ±\(Format.scientific(maximumMagnitude))")
        }
        return value
    }

    /// Digits, sign, decimal point and exponent only: `Double(_:)` also reads `nan`, `inf` and hexadecimal.
    static func isPlainNumber(_ cell: ArraySlice<UInt8>) -> Bool {
        cell.allSatisfy { ($0 >= 48 && $0 <= 57) || $0 == 43 || $0 == 45 || $0 == 46 || $0 == 101 || $0 == 69 }
    }

    /// UTC epoch seconds from `YYYY-MM-DD[( |T)HH:MM[:SS[.fff]]][Z|±HH:MM]` or a plain number of epoch seconds, within
    /// `ISO8601.supportedRange`; nil otherwise.
    public static func parseTimestamp(_ text: String) -> Double? {
        try? timestamp(text)
    }

    /// Like `parseTimestamp`, with the reason a text is rejected.
    static func timestamp(_ text: String) throws(ISO8601.ParseError) -> Double {
        let bytes = Array(text.utf8)
        guard bytes.count >= 10, bytes[4] == 45 else {  // not YYYY-…: epoch seconds
            guard let epoch = Double(text), isPlainNumber(bytes[...]), !bytes.isEmpty else { throw .notATime }
            guard ISO8601.supportedRange.contains(epoch) else { throw .outOfRange }
            return epoch
        }
        return try ISO8601.seconds(bytes)
    }

    /// Lines of a byte buffer: (1-based line number, byte range without the line break), skipping blank lines and
    /// a leading UTF-8 byte order mark.
    struct LineReader {
        let bytes: [UInt8]
        var start = 0
        var number = 0

        init(bytes: [UInt8]) {
            self.bytes = bytes
            if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { start = 3 }
        }

        mutating func next() -> (Int, Range<Int>)? {
            while start < bytes.count {
                number += 1
                let end = bytes[start...].firstIndex(of: 10) ?? bytes.count
                var range = start..<end
                start = end + 1
                if range.upperBound > range.lowerBound, bytes[range.upperBound - 1] == 13 { range = range.lowerBound..<(range.upperBound - 1) }
                if !AnomalyCSV.trimmed(bytes, range).isEmpty { return (number, range) }
            }
            return nil
        }
    }

    /// The comma-separated cells of a line (quotes are not interpreted, only trimmed: see `clean`).
    static func cells(_ bytes: [UInt8], _ range: Range<Int>) -> [Range<Int>] {
        var result: [Range<Int>] = []
        var cellStart = range.lowerBound
        for index in range where bytes[index] == 44 {
            result.append(cellStart..<index)
            cellStart = index + 1
        }
        result.append(cellStart..<range.upperBound)
        return result
    }

    /// A cell without surrounding spaces, tabs and double quotes.
    static func trimmed(_ bytes: [UInt8], _ range: Range<Int>) -> Range<Int> {
        var low = range.lowerBound, high = range.upperBound
        func isPadding(_ byte: UInt8) -> Bool { byte == 32 || byte == 9 || byte == 34 }
        while low < high, isPadding(bytes[low]) { low += 1 }
        while high > low, isPadding(bytes[high - 1]) { high -= 1 }
        return low..<high
    }

    static func clean(_ bytes: [UInt8], _ range: Range<Int>) -> String {
        String(decoding: bytes[trimmed(bytes, range)], as: UTF8.self)
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

    /// A comparison baseline's flags as CSV: `timestamp,is_anomaly,score`.
    public static func writeBaseline(_ series: Series, flags: [(isAnomaly: Bool, score: Double)]) -> String {
        var output = "timestamp,is_anomaly,score\n"
        output.reserveCapacity(flags.count * 32)
        for (label, flag) in zip(series.labels, flags) {
            output += "\(label),\(flag.isAnomaly ? 1 : 0),\(number(flag.score))\n"
        }
        return output
    }

    /// `%.6g` (through `snprintf`: Foundation's `String(format:)` cost seconds on a million rows); empty when not finite.
    static func number(_ value: Double) -> String {
        value.isFinite ? Format.printf("%.6g", value) : ""
    }
}
