import Foundation

/// Failing-row samples on the page: the rows a check with `samples:` stored with a result, as a folded table under
/// that result (dataset section) and under the incident they explain (timeline), every value escaped. Only stored
/// samples are shown: checks without `samples:` store none, so nothing appears for them.
extension HTMLReport {
    /// Rows shown per sample (a check stores at most its `samples:` rows; this bounds the page whatever it is).
    static let sampleRowLimit = 50

    /// `<details>` with `Failing-row samples (result at …): N rows` and the rows as a table; NULL written as `NULL`.
    func samplesBlock(_ samples: FailingRowSamples, evaluatedAt: Double) -> String {
        let count = samples.rows.count
        let header = samples.columns.map { "<th>\(HTMLText.escape(HTMLText.clipped($0, to: 60)))</th>" }.joined()
        let rows = samples.rows.prefix(Self.sampleRowLimit).map { row in
            "<tr>" + row.map { value in
                value.map { "<td>\(HTMLText.escape(HTMLText.clipped($0, to: 120)))</td>" } ?? "<td class=\"muted\">NULL</td>"
            }.joined() + "</tr>"
        }.joined()
        let more = count > Self.sampleRowLimit ? "<p class=\"muted\">\(count - Self.sampleRowLimit) more rows: <code>dqmon history CHECK --format json</code>.</p>" : ""
        return "<details class=\"samples\"><summary>Failing-row samples (result at \(HTMLFormat.minute(evaluatedAt))): \(count) row\(count == 1 ? "" : "s")</summary><table class=\"recent\"><tr>\(header)</tr>\(rows)</table>\(more)</details>"
    }
}
