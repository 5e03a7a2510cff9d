import Foundation

/// The overview: headline figures, what needs attention (the story of the window in words), a health strip per
/// dataset, SLA and MTTx per tier against targets, incidents per week by severity, schema drift, documentation.
extension HTMLReport {
    func overviewSection() -> String {
        var html = "<section id=\"overview\"><h2>Overview</h2>"
        html += kpiCards()
        html += attentionList()
        html += healthTable()
        html += slaTable()
        html += "<div class=\"grid2\"><div>" + weeklyIncidents() + "</div><div>" + schemaDrift() + "</div></div>"
        html += "<div class=\"grid2\"><div>" + responseTable() + "</div><div>" + documentationCard() + "</div></div>"
        return html + "</section>"
    }

    var openIncidentList: [Incident] { incidents.all.filter { $0.status == .open } }

    func kpiCards() -> String {
        let open = openIncidentList
        let blocked = open.filter { incidents.upstreamRoots[$0.id] != nil }
        let independent = open.filter { incidents.upstreamRoots[$0.id] == nil }
        var bySeverity = AlertSeverity.reportOrder.compactMap { severity -> String? in
            let count = independent.filter { $0.severity == severity }.count
            return count > 0 ? "\(count) \(severity.rawValue)" : nil
        }
        if !blocked.isEmpty { bySeverity.append("\(blocked.count) blocked by upstream") }
        let failing = datasets.flatMap(\.checks).filter { [.fail, .error].contains($0.strip.last?.status) }
        let changes = datasets.reduce(0) { $0 + $1.schemaChanges(after: start).count }
        let documented = datasets.filter(\.isDocumented).count
        let passRate = sla.overall.passRate.value
        var cards = [
            kpi("Open incidents", "\(open.count)", bySeverity.isEmpty ? "none open" : bySeverity.joined(separator: " · "),
                tone: independent.contains { $0.severity == .critical } ? "bad" : open.isEmpty ? "good" : "meh"),
            kpi("Checks failing now", "\(failing.count)", failing.prefix(3).map(\.config.id).joined(separator: ", "), tone: failing.isEmpty ? "good" : "bad"),
            kpi("DQ pass rate", HTMLFormat.percent(passRate), "\(Int(sla.overall.passRate.good)) of \(Int(sla.overall.passRate.total)) results passed",
                tone: (passRate ?? 1) >= 0.99 ? "good" : "meh"),
        ]
        if let freshness = sla.overall.freshness?.ratio.value {
            cards.append(kpi("Fresh time", HTMLFormat.percent(freshness), "of monitored time, all datasets", tone: freshness >= 0.99 ? "good" : "meh"))
        }
        cards.append(kpi("Schema changes", "\(changes)", "in the window", tone: changes == 0 ? "good" : "meh"))
        cards.append(kpi("Documented", "\(documented) / \(datasets.count)", "owner, description, tier, runbook",
                         tone: documented == datasets.count ? "good" : "meh"))
        return "<div class=\"kpis\">" + cards.joined() + "</div>"
    }

    func kpi(_ label: String, _ value: String, _ note: String, tone: String) -> String {
        "<div class=\"kpi \(tone)\"><div class=\"label\">\(HTMLText.escape(label))</div><div class=\"value\">\(HTMLText.escape(value))</div><div class=\"note\">\(HTMLText.escape(note))</div></div>"
    }

    /// Datasets ordered by trouble: failing now, then open incidents, then problems in the window, then the rest.
    var datasetsByTrouble: [DatasetReport] {
        func score(_ dataset: DatasetReport) -> Int {
            var score = StatusStrip.severity(dataset.latestStatus ?? .pass) * 1_000
            score += dataset.openIncidents.count * 100 + dataset.incidentCount * 10
            score += dataset.schemaChanges(after: start).count * 10
            score += dataset.daily.filter { $0 == .fail || $0 == .error }.count
            return score
        }
        let scores = datasets.map(score)  // once per dataset, not per comparison
        return datasets.indices.sorted { (scores[$0], -$0) > (scores[$1], -$1) }.map { datasets[$0] }
    }

    /// One line per dataset with something to say: what fails now, the longest problem runs, schema changes.
    func attentionList() -> String {
        var items: [String] = []
        for dataset in datasetsByTrouble.prefix(Self.attentionLimit) {
            let facts = attentionFacts(dataset)
            guard !facts.isEmpty else { continue }
            items.append("<li><a href=\"#\(dataset.anchor)\"><strong>\(HTMLText.escape(dataset.config.name))</strong></a> \(Self.badge(dataset.latestStatus)) — \(facts.joined(separator: "; "))</li>")
        }
        guard !items.isEmpty else { return "<div class=\"card\"><h3>Needs attention</h3><p>✓ Nothing failed in the window.</p></div>" }
        return "<div class=\"card\"><h3>Needs attention</h3><ul class=\"story\">" + items.joined() + "</ul></div>"
    }

    func attentionFacts(_ dataset: DatasetReport) -> [String] {
        var facts: [String] = []
        for incident in dataset.openIncidents.prefix(2) {
            if let blocked = upstreamNote(incident) {
                facts.append("open <a href=\"#\(Self.incidentAnchor(incident.id))\">incident #\(incident.id)</a> on \(HTMLText.escape(incident.checkID)) is \(blocked), not a fire of its own")
                continue
            }
            facts.append("\(Self.severityBadge(incident.severity)) open <a href=\"#\(Self.incidentAnchor(incident.id))\">incident #\(incident.id)</a> on \(HTMLText.escape(incident.checkID)): \(HTMLText.escape(HTMLText.clipped(incident.lastMessage, to: 120)))")
        }
        for check in dataset.checks {
            guard let span = check.problemSpans.first, span.worst != .warn || span.results > 1 else { continue }
            guard !dataset.openIncidents.contains(where: { $0.checkID == check.config.id }) || span.to < end - 86_400 else { continue }
            let length = span.results > 1 ? "for \(HTMLFormat.duration(span.duration)) (\(HTMLFormat.minute(span.from)) → \(HTMLFormat.minute(span.to)))" : "once, \(HTMLFormat.minute(span.from))"
            facts.append("\(HTMLText.escape(check.config.id)) \(span.worst.rawValue.uppercased()) \(length)")
        }
        for entry in dataset.schemaChanges(after: start).prefix(2) {
            let when = entry.stored.snapshot.takenAt.map { HTMLFormat.day($0.timeIntervalSince1970) } ?? ""
            facts.append("schema changed \(when): \(HTMLText.escape(HTMLText.clipped((entry.changes ?? []).map(\.message).joined(separator: ", "), to: 120)))")
        }
        return Array(facts.prefix(4))
    }

    /// A row per dataset (the 30 most troubled): latest status, a day-by-day strip with schema changes as ◆.
    func healthTable() -> String {
        let days = datasets.first?.daily.count ?? 0
        var rows = ""
        let shown = datasetsByTrouble.prefix(30)
        for dataset in shown {
            let cells = dataset.daily.map { StatusStrip.Cell(status: $0) }
            let markers = dataset.schemaChanges(after: start).compactMap { entry -> (Double, String)? in
                guard let taken = entry.stored.snapshot.takenAt?.timeIntervalSince1970 else { return nil }
                let position = (taken - (end - Double(days) * 86_400)) / (Double(days) * 86_400)
                return (position, "schema change \(HTMLFormat.minute(taken))")
            }
            let strip = StatusStrip(label: "\(dataset.config.name): worst status per day", cells: cells, markers: markers, cellWidth: 14, height: 26).render()
                ?? "<span class=\"muted\">no runs in the window</span>"
            let changes = dataset.schemaChanges(after: start).count
            rows += "<tr><td><a href=\"#\(dataset.anchor)\">\(HTMLText.escape(dataset.config.name))</a></td><td class=\"num\">\(dataset.config.tier)</td><td>\(Self.badge(dataset.latestStatus))</td><td class=\"strip\">\(strip)</td><td class=\"num\">\(dataset.incidentCount)</td><td class=\"num\">\(changes == 0 ? "–" : "◆ \(changes)")</td></tr>"
        }
        let more = datasets.count > shown.count ? "<p class=\"muted\">\(datasets.count - shown.count) more datasets, fewer problems: see <a href=\"#datasets\">Datasets</a>.</p>" : ""
        return "<div class=\"card\"><h3>Datasets, day by day</h3><p class=\"legend\">One cell per day, oldest left: low bar pass · half bar warn · full bar fail · crossed bar error · ◆ schema change.</p><table class=\"health\"><tr><th>Dataset</th><th class=\"num\">Tier</th><th>Now</th><th class=\"strip\">Last \(days) days, oldest left</th><th class=\"num\">Incidents</th><th class=\"num\">Schema</th></tr>\(rows)</table>\(more)</div>"
    }

    /// Freshness, availability and pass rate per tier: value, target, met or MISSED, error budget left, burn rates.
    func slaTable() -> String {
        var rows = ""
        for tier in sla.tiers {
            let figures: [(String, RatioFigure?)] = [("freshness", tier.freshness?.ratio), ("availability", tier.availability), ("pass rate", tier.passRate)]
            let present = figures.compactMap { name, figure in figure.map { (name, $0) } }
            for (index, (name, figure)) in present.enumerated() {
                let scope = index == 0 ? "<td rowspan=\"\(present.count)\" class=\"scope\">\(HTMLText.escape(tier.name))</td>" : ""
                rows += "<tr>\(scope)<td>\(name)</td><td class=\"num\">\(HTMLFormat.percent(figure.value))</td><td class=\"num\">\(HTMLFormat.percent(figure.target))\(Self.verdict(figure.met))</td><td class=\"num\">\(budget(figure.budgetLeft))</td><td class=\"num\">\(burn(figure.burnLastHour)) / \(burn(figure.burnLastSixHours))</td></tr>"
            }
        }
        return "<div class=\"card\"><h3>SLA per tier</h3><table><tr><th>Tier</th><th>SLI</th><th class=\"num\">Value</th><th class=\"num\">Target</th><th class=\"num\">Budget left</th><th class=\"num\">Burn 1h / 6h</th></tr>\(rows)</table><p class=\"legend\">Burn 1.0× spends the error budget exactly over the window; a negative budget is overspent.</p></div>"
    }

    func budget(_ value: Double?) -> String {
        guard let value else { return "–" }
        return value < 0 ? "<span class=\"missed\">\(HTMLFormat.percent(value)) overspent</span>" : HTMLFormat.percent(value)
    }

    func burn(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "–" }
        return Format.fixed(value, places: 1) + "×"
    }

    /// MTTD, MTTA and MTTR per tier against the tier's targets (MTTA has none).
    func responseTable() -> String {
        var rows = ""
        for scope in sla.tiers + [sla.overall] {
            rows += "<tr><td>\(HTMLText.escape(scope.name))</td><td class=\"num\">\(scope.incidentCount)</td>"
            for stats in [scope.mttd, scope.mtta, scope.mttr] {
                let target = stats.target.map { " <span class=\"muted\">/ \(HTMLFormat.duration($0))</span>" } ?? ""
                rows += "<td class=\"num\">\(HTMLFormat.duration(stats.mean))\(target)\(Self.verdict(stats.met))</td>"
            }
            rows += "</tr>"
        }
        return "<div class=\"card\"><h3>Detection and response</h3><table><tr><th>Scope</th><th class=\"num\">Incidents</th><th class=\"num\">MTTD / target</th><th class=\"num\">MTTA</th><th class=\"num\">MTTR / target</th></tr>\(rows)</table><p class=\"legend\">Means over incidents detected in the window; MTTR over resolved ones.</p></div>"
    }
}

extension AlertSeverity {
    /// Most severe first, `none` left out (record-only incidents are not shown by severity).
    static let reportOrder: [AlertSeverity] = [.critical, .warning, .info]
}
