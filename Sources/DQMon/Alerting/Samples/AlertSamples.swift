import Foundation

/// Failing-row samples as an alert carries them: the failing result's column names and rows (NULL as nil), copied
/// from the stored `FailingRowSamples` for receivers with `include_samples: true` only.
///
/// Each destination shows as many rows, from the first, as fit in what its size limit leaves after the events
/// themselves (samples are the first thing cut), and says how many more rows it did not show (`moreNote`).
public struct AlertSamples: Sendable, Codable, Hashable {
    public var columns: [String]
    public var rows: [[String?]]
    /// The longest value the JSON formats carry, in Unicode scalars (history keeps 200 characters, which combining
    /// marks can make far longer).
    static let valueLimit = 200

    public init(columns: [String], rows: [[String?]]) {
        self.columns = columns
        self.rows = rows
    }

    public init(_ samples: FailingRowSamples) {
        self.init(columns: samples.columns, rows: samples.rows)
    }

    /// The most rows, from the first, that fit in `budget` by the destination's own measure, or nil when not even the
    /// note alone fits. The cost of k rows is estimated as `fixed(k)` (everything but the rows: title, note for the rest)
    /// plus the first k `rowCosts` (each with its separator), so a search costs one pass over the rows; the answer is
    /// then checked with `measure(k)` on the real rendering, and lowered until that fits.
    static func shownCount(rows: Int, budget: Int, fixed: (Int) -> Int, rowCosts: [Int], measure: (Int) -> Int) -> Int? {
        guard budget >= 0, measure(0) <= budget else { return nil }
        var sums = [0]
        sums.reserveCapacity(rowCosts.count + 1)
        for cost in rowCosts { sums.append(sums[sums.count - 1] + cost) }
        var low = 0
        var high = min(rows, rowCosts.count)
        while low < high {
            let middle = low + (high - low + 1) / 2
            if fixed(middle) + sums[middle] <= budget { low = middle } else { high = middle - 1 }
        }
        while low > 0 && measure(low) > budget { low -= 1 }
        return low
    }

    /// `… 3 more rows not shown (size limit)`; nil when every row is shown.
    static func moreNote(hidden: Int) -> String? {
        hidden > 0 ? "… \(hidden) more row\(hidden == 1 ? "" : "s") not shown (size limit)" : nil
    }

    /// `Failing-row samples (5 rows):`
    var title: String { "Failing-row samples (\(rows.count) row\(rows.count == 1 ? "" : "s")):" }

    /// The rows' JSON for PagerDuty's `custom_details` and the webhook body: the first `shown` rows (values as
    /// strings, NULL as null), `row_count`, `omitted_rows`, and `note` when rows were left out.
    func json(shown: Int) -> JSONValue {
        json(rows: rows.prefix(shown).map(Self.rowJSON), hidden: rows.count - shown)
    }

    func json(rows shownRows: [JSONValue], hidden: Int) -> JSONValue {
        var pairs: [(String, JSONValue)] = [
            ("columns", .array(columns.map { .string(SampleText.cut($0, limit: Self.valueLimit)) })),
            ("rows", .array(shownRows)),
            ("row_count", .number(Double(rows.count))), ("omitted_rows", .number(Double(hidden))),
        ]
        if let note = Self.moreNote(hidden: hidden) { pairs.append(("note", .string(note))) }
        return .object(pairs)
    }

    static func rowJSON(_ row: [String?]) -> JSONValue {
        .array(row.map { value in value.map { .string(SampleText.cut($0, limit: valueLimit)) } ?? .null })
    }

    /// The largest `json(shown:)` whose compact size, plus `overhead` bytes (the key and separator that hold it), is at
    /// most `budget` bytes; nil when even no rows do not fit.
    func json(budget: Int, overhead: Int) -> JSONValue? {
        let rendered = rows.map(Self.rowJSON)
        // Each row adds its bytes and a comma (the first row's comma pays for nothing: the estimate errs high by one).
        let costs = rendered.map { $0.serialized().utf8.count + 1 }
        let measure = { (shown: Int) in self.json(rows: Array(rendered.prefix(shown)), hidden: self.rows.count - shown).serialized().utf8.count + overhead }
        let fixed = { (shown: Int) in self.json(rows: [], hidden: self.rows.count - shown).serialized().utf8.count + overhead }
        return Self.shownCount(rows: rows.count, budget: budget, fixed: fixed, rowCosts: costs, measure: measure)
            .map { json(rows: Array(rendered.prefix($0)), hidden: rows.count - $0) }
    }
}

/// How a sample value reads in a text message (Slack, Teams): NULL as `NULL`, control, format and line-separator
/// characters escaped (`\n`, `\u{1b}`) so a value cannot break a row, and cut to `limit` Unicode scalars (what
/// Slack's and Python's lengths count, so combining marks cannot inflate a cut value).
enum SampleText {
    static func display(_ value: String?, limit: Int) -> String {
        guard let value else { return "NULL" }
        return fitted(value.unicodeScalars.lazy.map(escaped), limit: limit)
    }

    /// The value as it is (JSON escapes it), cut to `limit` Unicode scalars: for the JSON formats.
    static func cut(_ value: String, limit: Int) -> String {
        fitted(value.unicodeScalars.lazy.map { String($0) }, limit: limit)
    }

    /// The pieces joined when they total at most `limit` scalars, else as many whole pieces as fit before `…`. Stops
    /// reading at the cut, so a huge value costs only what is shown.
    static func fitted<Pieces: Sequence<String>>(_ pieces: Pieces, limit: Int) -> String {
        let limit = max(limit, 1)
        var shown = ""
        var count = 0
        var fitsBeforeEllipsis = 0
        for piece in pieces {
            count += piece.unicodeScalars.count
            if count > limit {
                var cut = String.UnicodeScalarView()
                cut.append(contentsOf: shown.unicodeScalars.prefix(fitsBeforeEllipsis))
                return String(cut) + "…"
            }
            shown += piece
            if count <= limit - 1 { fitsBeforeEllipsis = count }
        }
        return shown
    }

    static func escaped(_ scalar: Unicode.Scalar) -> String {
        switch scalar {
        case "\n": return "\\n"
        case "\r": return "\\r"
        case "\t": return "\\t"
        default:
            let category = scalar.properties.generalCategory
            if category == .control || category == .format || category == .lineSeparator || category == .paragraphSeparator
                || category == .surrogate || category == .privateUse || category == .unassigned {
                return "\\u{\(String(scalar.value, radix: 16))}"
            }
            return String(scalar)
        }
    }

    /// `1 | NULL | N/A`: one row, each value shown by `display`.
    static func row(_ values: [String?], limit: Int) -> String {
        values.map { display($0, limit: limit) }.joined(separator: " | ")
    }
}
