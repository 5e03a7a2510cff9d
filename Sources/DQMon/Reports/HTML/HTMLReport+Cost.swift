import Foundation

/// Cost: warehouse time per run over the window, per dataset, and the slowest checks, from the recorded `query_ms`.
/// The checks of one dataset share one statement per run, so each dataset's run is counted once.
extension HTMLReport {
    func costSection() -> String {
        var html = "<section id=\"cost\"><h2>Cost</h2><p class=\"legend\">Warehouse time from the recorded <code>query_ms</code>. The checks of a dataset are answered by one statement per run, so a check's time is its dataset's statement time, and run and dataset totals count each statement once.</p>"
        html += runChart()
        html += "<div class=\"grid2\"><div>" + datasetCostTable() + "</div><div>" + slowestChecks() + "</div></div>"
        return html + "</section>"
    }

    func runChart() -> String {
        let values = cost.runs.map { (at: $0.at, value: $0.seconds) }
        let total = cost.runs.reduce(0) { $0 + $1.seconds }
        guard let chart = TimeSeriesChart(label: "warehouse seconds per run", start: start, end: end, values: values,
                                          format: { HTMLFormat.milliseconds($0 * 1_000) }, resolution: resolution).render() else {
            return "<p class=\"muted\">No query time recorded in the window.</p>"
        }
        return "<div class=\"card\"><h3>Warehouse seconds per run</h3><p class=\"legend\">\(cost.runs.count) runs, \(Format.fixed(total, places: 1)) s in all (bucketed mean per run).</p>\(chart)</div>"
    }

    func datasetCostTable() -> String {
        let ranked = datasets.filter { $0.cost.runs > 0 }.sorted { $0.cost.perRun.total > $1.cost.perRun.total }
        let rows = ranked.prefix(25).map { dataset in
            "<tr><td><a href=\"#\(dataset.anchor)\">\(HTMLText.escape(dataset.config.name))</a></td><td class=\"num\">\(dataset.cost.runs)</td><td class=\"num\">\(HTMLFormat.milliseconds(dataset.cost.perRun.mean))</td><td class=\"num\">\(HTMLFormat.milliseconds(dataset.cost.perRun.maximum))</td><td class=\"num\">\(HTMLFormat.milliseconds(dataset.cost.perRun.total))</td></tr>"
        }.joined()
        let more = ranked.count > 25 ? "<p class=\"muted\">The 25 most expensive of \(ranked.count) datasets.</p>" : ""
        return "<div class=\"card\"><h3>Per dataset</h3><table><tr><th>Dataset</th><th class=\"num\">Runs</th><th class=\"num\">Mean</th><th class=\"num\">Max</th><th class=\"num\">Total</th></tr>\(rows)</table>\(more)</div>"
    }

    func slowestChecks() -> String {
        let checks = datasets.flatMap { dataset in
            dataset.checks.compactMap { check in check.queryMilliseconds.mean.map { (dataset, check, $0) } }
        }
        let ranked = checks.sorted { $0.2 > $1.2 }.map { ($0.0, $0.1) }
        let rows = ranked.prefix(20).map { dataset, check in
            "<tr><td><a href=\"#\(dataset.anchor)\">\(HTMLText.escape(check.config.id))</a></td><td>\(HTMLText.escape(check.config.typeName))</td><td class=\"num\">\(HTMLFormat.milliseconds(check.queryMilliseconds.mean))</td><td class=\"num\">\(HTMLFormat.milliseconds(check.queryMilliseconds.maximum))</td></tr>"
        }.joined()
        return "<div class=\"card\"><h3>Slowest checks</h3><table><tr><th>Check</th><th>Type</th><th class=\"num\">Mean</th><th class=\"num\">Max</th></tr>\(rows)</table></div>"
    }
}
