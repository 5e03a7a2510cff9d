import Foundation

/// Failing-row samples as `dqmon history` and `dqmon incidents show` print them: a small table (NULL shown as
/// `NULL`), and in JSON `{"evaluated_at", "columns", "rows"}` with NULL as `null`.
public enum SamplesRenderer {
    /// `Failing-row samples (result at …): 3 rows` and the table, indented.
    public static func lines(_ samples: FailingRowSamples, evaluatedAt: Date) -> [String] {
        var table = TextTable(headers: samples.columns)
        for row in samples.rows { table.append(row.map { $0 ?? "NULL" }) }
        let count = samples.rows.count
        return ["Failing-row samples (result at \(Format.timestamp(evaluatedAt))): \(count) row\(count == 1 ? "" : "s")"]
            + table.render().split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }
    }

    /// The JSON form.
    public struct Entry: Encodable, Sendable {
        public let evaluated_at: String
        public let columns: [String]
        public let rows: [[String?]]

        public init(_ samples: FailingRowSamples, evaluatedAt: Date) {
            evaluated_at = Format.timestamp(evaluatedAt)
            columns = samples.columns
            rows = samples.rows
        }

        public func encode(to encoder: any Encoder) throws {
            enum Key: String, CodingKey { case evaluated_at, columns, rows }
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(evaluated_at, forKey: .evaluated_at)
            try container.encode(columns, forKey: .columns)
            var rowsContainer = container.nestedUnkeyedContainer(forKey: .rows)
            for row in rows {
                var values = rowsContainer.nestedUnkeyedContainer()
                for value in row {
                    if let value { try values.encode(value) } else { try values.encodeNil() }
                }
            }
        }
    }
}
