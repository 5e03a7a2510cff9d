import Foundation

/// A section per dataset: who owns it and how to act (owner, tier, tags, description, runbook), freshness lag
/// against its thresholds, each check's chart, recent results and cost, and the dated schema change log.
extension HTMLReport {
    func datasetsSection() -> String {
        let index = datasets.map { "<a href=\"#\($0.anchor)\">\(HTMLText.escape($0.config.name))</a>" }.joined(separator: " · ")
        let legend = "<p class=\"legend\">How to read a section: <b>freshness lag</b> is the age of the newest row at each run against the dashed warn and fail thresholds (▲ over a threshold), with the fresh / unknown / stale strip under it (low, half, full bar). <b>Check charts</b> show the observed value, bucketed, against the expected band where the check stores one (<i class=\"sw band\"></i> band; ▲/▼ outside it, ✕ a failing result). <b>Strips</b> are the last results, oldest left (low bar pass, half bar warn, full bar fail, crossed bar error).</p>"
        return "<section id=\"datasets\"><h2>Datasets (\(datasets.count))</h2>\(legend)<p class=\"legend\">\(index)</p>"
            + (renderedSections.flatMap { $0.count == datasets.count ? $0 : nil } ?? datasets.map(datasetSection)).joined() + "</section>"
    }

    func datasetSection(_ dataset: DatasetReport) -> String {
        var html = "<section class=\"dataset card\" id=\"\(dataset.anchor)\"><h3><a class=\"self\" href=\"#\(dataset.anchor)\">\(HTMLText.escape(dataset.config.name))</a> \(Self.badge(dataset.latestStatus))</h3>"
        html += metadata(dataset)
        html += freshnessBlock(dataset)
        html += "<h4>Checks</h4>" + dataset.checks.map { checkBlock($0, dataset: dataset) }.joined()
        html += schemaLog(dataset)
        return html + "</section>"
    }

    func metadata(_ dataset: DatasetReport) -> String {
        let config = dataset.config
        let missing = "<span class=\"missed\">✗ none</span>"
        var rows = [
            ("Owner", config.owner.map(HTMLText.escape) ?? missing),
            ("Tier", "\(config.tier)"),
            ("Tags", config.tags.isEmpty ? "<span class=\"muted\">–</span>" : config.tags.map { "<span class=\"tag\">\(HTMLText.escape($0))</span>" }.joined()),
            ("Description", config.description.map(HTMLText.escape) ?? missing),
            ("Runbook", config.runbook.map { Self.link(dataset.runbookLink ?? $0, text: $0) } ?? missing),
            ("Table", "<code>\(HTMLText.escape(config.warehouse)).\(HTMLText.escape(config.table.description))</code>" + (config.every.map { " · checked every \(HTMLText.escape($0.description))" } ?? "")),
        ]
        if !dataset.openIncidents.isEmpty {
            rows.append(("Open", dataset.openIncidents.map { incident in
                "\(Self.severityBadge(incident.severity)) <a href=\"#\(Self.incidentAnchor(incident.id))\">incident #\(incident.id)</a>"
                    + (upstreamNote(incident).map { " <span class=\"muted\">(\($0))</span>" } ?? "")
            }.joined(separator: " ")))
        }
        let cost = dataset.cost
        rows.append(("Warehouse", cost.runs == 0 ? "<span class=\"muted\">no runs in the window</span>"
                     : "\(cost.runs) runs · \(HTMLFormat.milliseconds(cost.perRun.mean)) mean per run · \(HTMLFormat.milliseconds(cost.perRun.total)) in the window"))
        return "<dl class=\"meta\">" + rows.map { "<dt>\($0.0)</dt><dd>\($0.1)</dd>" }.joined() + "</dl>"
    }

    /// The freshness check's age over time against its warn/fail thresholds, and the fresh/stale/unknown strip.
    func freshnessBlock(_ dataset: DatasetReport) -> String {
        guard let check = dataset.checks.first(where: { $0.config.spec.freshnessThresholds != nil }) else { return "" }
        let chart = check.chart.flatMap { chartSVG($0, label: "\(dataset.config.name): data age over time") }
        let strip = FreshnessStrip.render(dataset.freshness, start: start, end: end, label: "\(dataset.config.name): fresh, stale or unknown over time")
        guard chart != nil || strip != nil else { return "<h4>Freshness lag</h4><p class=\"muted\">No freshness result in the window.</p>" }
        return "<h4>Freshness lag</h4>" + (chart ?? "") + (strip ?? "")
    }

    func chartSVG(_ data: TimeSeriesChartData, label: String) -> String? {
        var thresholds: [TimeSeriesChart.Threshold] = []
        if let warn = data.thresholds?.warn { thresholds.append(.init(label: "warn \(warn.description)", value: warn.seconds, level: "warn")) }
        if let fail = data.thresholds?.fail { thresholds.append(.init(label: "fail \(fail.description)", value: fail.seconds, level: "fail")) }
        var chart = TimeSeriesChart(label: label, start: start, end: end, values: data.values)
        chart.band = data.band
        chart.thresholds = thresholds
        chart.flags = data.flags
        chart.resolution = resolution
        if data.thresholds != nil { chart.format = { Format.age($0) } }
        return chart.render()
    }

    /// One check: its latest result in words, its last results as a strip, its chart (not repeated for the
    /// freshness check drawn above), and the recent results in a folded table.
    func checkBlock(_ check: CheckReport, dataset: DatasetReport) -> String {
        let latest = check.recent.first
        var html = "<div class=\"checkrow\"><div><strong>\(HTMLText.escape(check.config.id))</strong> \(Self.badge(latest?.status)) "
        if let latest {
            html += "<span>\(HTMLFormat.minute(latest.evaluatedAt.timeIntervalSince1970)): \(HTMLText.escape(HTMLText.clipped(latest.message.isEmpty ? latest.observedText : latest.message, to: 160)))</span> <span class=\"muted\">(expected \(HTMLText.escape(HTMLText.clipped(latest.expected, to: 100))))</span>"
        }
        if let latest, let samples = check.recentSamples.first ?? nil {
            html += samplesBlock(samples, evaluatedAt: latest.evaluatedAt.timeIntervalSince1970)
        }
        html += "</div>"
        let strip = StatusStrip(label: "\(check.config.id): last \(check.strip.count) results",
                                cells: check.strip.map { .init(status: $0.status) }).render()
        html += "<div class=\"legend\">\(strip ?? "")\(countsLine(check))</div>"
        if check.config.spec.freshnessThresholds == nil, let chart = check.chart {
            html += chartSVG(chart, label: "\(check.config.id) over time") ?? ""
        }
        html += recentTable(check)
        return html + "</div>"
    }

    func countsLine(_ check: CheckReport) -> String {
        let parts = [CheckStatus.pass, .warn, .fail, .error].compactMap { status -> String? in
            guard let count = check.counts[status], count > 0 else { return nil }
            return "\(count) \(status.rawValue)"
        }
        let cost = check.queryMilliseconds.mean.map { " · query \(HTMLFormat.milliseconds($0)) mean, \(HTMLFormat.milliseconds(check.queryMilliseconds.maximum)) max" } ?? ""
        return parts.isEmpty ? "<span>no results in the window</span>" : "<span>\(parts.joined(separator: " · ")) in the window\(cost)</span>"
    }

    func recentTable(_ check: CheckReport) -> String {
        let earlier = check.recent.indices.dropFirst()  // the latest is written out above
        guard !earlier.isEmpty else { return "" }
        let rows = earlier.map { index -> String in
            let result = check.recent[index]
            var row = "<tr><td>\(HTMLFormat.minute(result.evaluatedAt.timeIntervalSince1970))</td><td class=\"s-\(result.status.rawValue)\">\(Self.statusWord(result.status))</td><td>\(HTMLText.escape(HTMLText.clipped(result.observedText, to: 40)))</td><td>\(HTMLText.escape(HTMLText.clipped(result.message, to: 110)))</td></tr>"
            if index < check.recentSamples.count, let samples = check.recentSamples[index] {
                row += "<tr><td colspan=\"4\">\(samplesBlock(samples, evaluatedAt: result.evaluatedAt.timeIntervalSince1970))</td></tr>"
            }
            return row
        }.joined()
        return "<details><summary>\(earlier.count) results before</summary><table class=\"recent\"><tr><th>Evaluated</th><th>Status</th><th>Observed</th><th>Message</th></tr>\(rows)</table></details>"
    }

    /// Schema snapshots as a dated log: each change, and the baseline.
    func schemaLog(_ dataset: DatasetReport) -> String {
        guard !dataset.schemaEntries.isEmpty else { return "" }
        let rows = dataset.schemaEntries.prefix(10).map { entry -> String in
            let when = entry.stored.snapshot.takenAt.map { HTMLFormat.minute($0.timeIntervalSince1970) } ?? "–"
            let changes = entry.changes.map { $0.isEmpty ? "no column changes" : $0.map(\.message).joined(separator: "; ") } ?? "baseline (first snapshot)"
            let mark = (entry.changes?.isEmpty ?? true) ? "" : "◆ "
            return "<tr><td class=\"num\">\(when)</td><td class=\"num\">\(entry.stored.snapshot.columns.count)</td><td>\(mark)\(HTMLText.escape(HTMLText.clipped(changes, to: 300)))</td></tr>"
        }.joined()
        return "<h4>Schema changes</h4><table><tr><th class=\"num\">Taken</th><th class=\"num\">Columns</th><th>Changes</th></tr>\(rows)</table>"
    }
}
