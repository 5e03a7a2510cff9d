import Foundation

/// The overview's incident and documentation KPIs: incidents per week by severity, schema drift incidents, and
/// documentation completeness per tier.
extension HTMLReport {
    /// Weeks ending at `now` (the last one is the current 7 days), oldest first, counting incidents by detection.
    func weeklyIncidents() -> String {
        let weeks = max(1, min(60, Int((window.seconds / 604_800).rounded(.up))))
        var bars: [StackedBars.Bar] = []
        var rows = ""
        for week in 0..<weeks {
            let to = end - Double(weeks - 1 - week) * 604_800, from = to - 604_800
            let inWeek = incidents.all.filter { $0.detectedAt.timeIntervalSince1970 > from && $0.detectedAt.timeIntervalSince1970 <= to }
            let counts = AlertSeverity.reportOrder.map { severity in (severity, inWeek.filter { $0.severity == severity }.count) }
            let label = "w/e " + HTMLFormat.shortDay(to)
            bars.append(StackedBars.Bar(label: label, counts: counts))
            rows += "<tr><td>\(HTMLFormat.day(from + 1)) → \(HTMLFormat.day(to))</td>" + counts.map { "<td class=\"num\">\($0.1)</td>" }.joined() + "<td class=\"num\">\(inWeek.count)</td></tr>"
        }
        let chart = StackedBars(label: "incidents detected per week, by severity", bars: bars).render() ?? ""
        let legend = AlertSeverity.reportOrder.map { "<span><i class=\"sw \($0.rawValue)\"></i>\($0.rawValue)</span>" }.joined()
        let cut = incidents.total > incidents.all.count ? "<p class=\"muted\">Counted over the \(incidents.all.count) incidents listed (of \(incidents.total)).</p>" : ""
        return "<div class=\"card\"><h3>Incidents per week, by severity</h3><p class=\"legend\">\(legend)</p>\(chart)<table><tr><th>Week</th><th class=\"num\">critical</th><th class=\"num\">warning</th><th class=\"num\">info</th><th class=\"num\">all</th></tr>\(rows)</table>\(cut)</div>"
    }

    /// Incidents of schema checks (drift), and the dated changes behind them.
    func schemaDrift() -> String {
        let drift = incidents.all.filter { $0.checkType == SchemaCheck.typeName }
        var items = drift.prefix(20).map { incident in
            "<li>\(HTMLFormat.minute(incident.detectedAt.timeIntervalSince1970)) <a href=\"#\(Self.incidentAnchor(incident.id))\">#\(incident.id)</a> <a href=\"#\(Self.datasetAnchor(incident.dataset))\">\(HTMLText.escape(incident.dataset))</a>: \(HTMLText.escape(HTMLText.clipped(incident.lastMessage, to: 140)))</li>"
        }
        if drift.count > 20 { items.append("<li class=\"muted\">and \(drift.count - 20) more</li>") }
        let list = items.isEmpty ? "<p>✓ No schema drift incident in the window.</p>" : "<ul>" + items.joined() + "</ul>"
        return "<div class=\"card\"><h3>Schema drift incidents: \(drift.count)</h3>\(list)</div>"
    }

    /// Documented datasets (owner, description, explicit tier, runbook) per tier and overall against the tiers'
    /// `documentation:` targets (`DocumentationCoverage`, as `dqmon sla`), and the undocumented datasets with what they lack.
    func documentationCard() -> String {
        let rows = (documentation.tiers + [documentation.overall]).map(documentationRow).joined()
        let missing = datasets.filter { !$0.isDocumented }.sorted { $0.config.tier < $1.config.tier }
        let list = missing.prefix(10).map { dataset in
            "<li><a href=\"#\(dataset.anchor)\">\(HTMLText.escape(dataset.config.name))</a> (tier \(dataset.config.tier)): no \(DocumentationCompleteness.missing(dataset.config).joined(separator: ", "))</li>"
        }.joined()
        let more = missing.count > 10 ? "<li class=\"muted\">and \(missing.count - 10) more</li>" : ""
        return "<div class=\"card\"><h3>Documentation completeness</h3><table><tr><th>Scope</th><th class=\"num\">Documented</th><th class=\"num\">Share</th><th class=\"num\">Target</th></tr>\(rows)</table>\(list.isEmpty ? "" : "<ul>\(list)\(more)</ul>")</div>"
    }

    func documentationRow(_ scope: DocumentationCoverage.Scope) -> String {
        "<tr><td>\(HTMLText.escape(scope.name))</td><td class=\"num\">\(scope.documented) / \(scope.total)</td><td class=\"num\">\(HTMLFormat.percent(scope.value))</td><td class=\"num\">\(Format.percent(scope.target))\(Self.verdict(scope.met))</td></tr>"
    }
}
