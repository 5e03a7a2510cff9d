import Foundation

/// Incidents: the list (open first, then newest), and a timeline per incident: onset, detected, acknowledged,
/// resolved on one axis, then every event and note, and the review's cause, RCA and follow-ups where recorded.
extension HTMLReport {
    func incidentsSection() -> String {
        let shown = incidents.all
        guard !shown.isEmpty else { return "<section id=\"incidents\"><h2>Incidents</h2><p>✓ No incident detected in the window, none open.</p></section>" }
        var html = "<section id=\"incidents\"><h2>Incidents (\(incidents.total))</h2>"
        html += "<table><tr><th class=\"num\">ID</th><th>Severity</th><th>Status</th><th>Dataset</th><th>Check</th><th class=\"num\">Detected</th><th class=\"num\">Open for</th><th>Ack</th><th>Cause</th></tr>"
        html += shown.map(incidentRow).joined() + "</table>"
        html += reviewSummary()
        if incidents.total > shown.count { html += "<p class=\"muted\">\(incidents.total - shown.count) older incidents not listed (use <code>dqmon incidents --since</code>).</p>" }
        let timelines = shown.filter { incidents.events[$0.id] != nil }
        html += "<h3>Timelines</h3>"
        if timelines.count < shown.count { html += "<p class=\"muted\">Timelines of the first \(timelines.count) incidents; the others: <code>dqmon incidents show ID</code>.</p>" }
        html += timelines.map(incidentTimeline).joined()
        return html + "</section>"
    }

    /// `blocked by upstream #3 (dataset raw_orders)` for an incident linked to an upstream root (lineage
    /// inhibition: its alerts were folded into the root's), linked to the root and its dataset where the page has them.
    func upstreamNote(_ incident: Incident) -> String? {
        guard let root = incidents.upstreamRoots[incident.id] else { return nil }
        let listed = incidents.all.contains { $0.id == root.id }
        let rootText = listed ? "<a href=\"#\(Self.incidentAnchor(root.id))\">#\(root.id)</a>" : "#\(root.id)"
        let configured = datasetNames?.contains(root.dataset) ?? datasets.contains { $0.config.name == root.dataset }
        let dataset = configured ? "<a href=\"#\(Self.datasetAnchor(root.dataset))\">\(HTMLText.escape(root.dataset))</a>" : HTMLText.escape(root.dataset)
        return "blocked by upstream \(rootText) (dataset \(dataset))"
    }

    func incidentRow(_ incident: Incident) -> String {
        let id = incidents.events[incident.id] != nil ? "<a href=\"#\(Self.incidentAnchor(incident.id))\">#\(incident.id)</a>" : "#\(incident.id)"
        let status = incident.status == .open ? "<span class=\"missed\">● open</span>" : "<span class=\"met\">✓ resolved</span>"
        let blocked = upstreamNote(incident).map { "<br><span class=\"muted\">\($0)</span>" } ?? ""
        let flaps = incident.flapCount > 0 ? " (\(incident.flapCount) flap\(incident.flapCount == 1 ? "" : "s"))" : ""
        let detected = incident.detectedAt.timeIntervalSince1970
        let openFor = (incident.resolvedAt?.timeIntervalSince1970 ?? end) - detected
        // Without a timeline the row itself carries the anchor, so an alert's link still lands on the incident.
        let anchor = incidents.events[incident.id] == nil ? " id=\"\(Self.incidentAnchor(incident.id))\"" : ""
        return "<tr\(anchor)><td class=\"num\">\(id)</td><td>\(Self.severityBadge(incident.severity))</td><td>\(status)\(flaps)\(blocked)</td><td><a href=\"#\(Self.datasetAnchor(incident.dataset))\">\(HTMLText.escape(incident.dataset))</a></td><td>\(HTMLText.escape(incident.checkID))</td><td class=\"num\">\(HTMLFormat.minute(detected))</td><td class=\"num\">\(HTMLFormat.duration(openFor))</td><td>\(incident.acknowledgedBy.map(HTMLText.escape) ?? "<span class=\"muted\">–</span>")</td><td>\(incidents.reviews[incident.id]?.cause.map { HTMLText.escape($0.rawValue) } ?? "<span class=\"muted\">–</span>")</td></tr>"
    }

    func incidentTimeline(_ incident: Incident) -> String {
        var html = "<section class=\"card\" id=\"\(Self.incidentAnchor(incident.id))\"><h3>#\(incident.id) \(Self.severityBadge(incident.severity)) \(HTMLText.escape(incident.checkID)) <span class=\"muted\">· \(incident.status.rawValue)</span></h3>"
        html += "<p>\(HTMLText.escape(HTMLText.clipped(incident.lastMessage, to: 300))) <span class=\"muted\">(observed \(HTMLText.escape(HTMLText.clipped(incident.lastObservedText, to: 60))), expected \(HTMLText.escape(HTMLText.clipped(incident.lastExpected, to: 100))))</span></p>"
        if let blocked = upstreamNote(incident) {
            html += "<p><strong>⛓ \(blocked)</strong>: its alerts were folded into the upstream incident's; it is not an independent fire.</p>"
        }
        html += milestones(incident)
        html += reviewBlock(incident)
        if let samples = incidents.samples[incident.id] {
            html += samplesBlock(samples.rows, evaluatedAt: samples.evaluatedAt.timeIntervalSince1970)
        }
        let items = timelineItems(incident)
        if !items.isEmpty {
            html += "<ol class=\"timeline\">" + items.map { "<li><span class=\"when\">\(HTMLFormat.minute($0.at))</span>\($0.html)</li>" }.joined() + "</ol>"
        }
        return html + "</section>"
    }

    /// Every event and note of the incident, and each follow-up as it was added and done (from the review's
    /// follow-ups, with their times), oldest first; an event before a follow-up of the same second.
    func timelineItems(_ incident: Incident) -> [(at: Double, html: String)] {
        var items = (incidents.events[incident.id] ?? []).map { event in
            (at: event.at.timeIntervalSince1970,
             html: "<strong>\(event.kind == .note ? "✎ note" : event.kind.rawValue)</strong> by \(HTMLText.escape(event.by))\(event.detail.isEmpty ? "" : ": " + HTMLText.escape(HTMLText.clipped(event.detail, to: 300)))")
        }
        for followup in incidents.reviews[incident.id]?.followups ?? [] {
            let text = HTMLText.escape(HTMLText.clipped(followup.text, to: 300))
            items.append((followup.createdAt.timeIntervalSince1970,
                          "<strong>☐ follow-up \(followup.number) added</strong> by \(HTMLText.escape(followup.createdBy)): \(text)"))
            if let done = followup.doneAt {
                items.append((done.timeIntervalSince1970,
                              "<strong>☑ follow-up \(followup.number) done</strong>\(followup.doneBy.map { " by \(HTMLText.escape($0))" } ?? ""): \(text)"))
            }
        }
        return items.enumerated().sorted { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }.map(\.element)
    }

    /// Onset, detected, acknowledged and resolved as a table: each with its time and the time since the one before.
    func milestones(_ incident: Incident) -> String {
        let steps: [(String, Date?, String)] = [
            ("onset", incident.onsetAt, "estimated from \(incident.onsetBasis.rawValue.replacingOccurrences(of: "_", with: " "))"),
            ("detected", incident.detectedAt, "TTD \(HTMLFormat.duration(incident.detectedAt.timeIntervalSince(incident.onsetAt)))"),
            ("acknowledged", incident.acknowledgedAt, incident.acknowledgedAt.map { "TTA \(HTMLFormat.duration($0.timeIntervalSince(incident.detectedAt)))" + (incident.acknowledgedBy.map { " by \($0)" } ?? "") } ?? "not acknowledged"),
            ("resolved", incident.resolvedAt, incident.resolvedAt.map { "TTR \(HTMLFormat.duration($0.timeIntervalSince(incident.detectedAt)))" + (incident.resolvedBy.map { " by \($0)" } ?? "") + (incident.resolveReason.map { " (\($0.rawValue))" } ?? "") } ?? "still open"),
        ]
        let cells = steps.map { name, time, note in
            "<td><strong>\(time == nil ? "○" : "●") \(name)</strong><br>\(time.map { HTMLFormat.minute($0.timeIntervalSince1970) } ?? "–")<br><span class=\"muted\">\(HTMLText.escape(note))</span></td>"
        }.joined()
        return "<table><tr>\(cells)</tr></table>"
    }

    /// Cause, RCA link and follow-ups from the incident review (`dqmon incidents resolve --cause --rca`,
    /// `dqmon incidents followup`).
    func reviewBlock(_ incident: Incident) -> String {
        let review = incidents.reviews[incident.id] ?? IncidentReviewRecord()
        var parts: [String] = []
        parts.append("<strong>Cause:</strong> " + (review.cause.map { HTMLText.escape($0.rawValue) } ?? "<span class=\"muted\">not classified yet</span>"))
        parts.append("<strong>RCA:</strong> " + (review.rcaURL.map { Self.link($0, text: $0) } ?? "<span class=\"muted\">none linked</span>"))
        var html = "<p>" + parts.joined(separator: " · ") + "</p>"
        if !review.followups.isEmpty {
            html += "<ul class=\"followups\">" + review.followups.map { followup -> String in
                let state = followup.isOpen ? "☐ open" : "☑ done" + (followup.doneBy.map { " by \(HTMLText.escape($0))" } ?? "")
                return "<li>\(followup.number). \(state): \(HTMLText.escape(followup.text))</li>"
            }.joined() + "</ul>"
        }
        return html
    }

    /// The review's agenda in brief: incidents by cause, and every follow-up still open.
    func reviewSummary() -> String {
        let causes = incidents.causes.map { "<tr><td>\(HTMLText.escape($0.title))</td><td class=\"num\">\($0.count)</td></tr>" }.joined()
        let followups = incidents.openFollowups.prefix(30).map { open -> String in
            let id = open.followup.incidentID
            let target = incidents.events[id] != nil ? "<a href=\"#\(Self.incidentAnchor(id))\">#\(id)</a>" : "#\(id)"
            return "<li>\(target) \(open.followup.number). \(HTMLText.escape(open.followup.text)) <span class=\"muted\">(since \(HTMLFormat.day(open.followup.createdAt.timeIntervalSince1970)), \(HTMLText.escape(open.followup.createdBy)))</span></li>"
        }.joined()
        let list = followups.isEmpty ? "<p class=\"muted\">No open follow-up.</p>" : "<ul>\(followups)</ul>"
        return "<div class=\"grid2\"><div class=\"card\"><h3>By cause</h3><table><tr><th>Cause</th><th class=\"num\">Incidents</th></tr>\(causes)</table></div><div class=\"card\"><h3>Open follow-ups (\(incidents.openFollowups.count))</h3>\(list)</div></div>"
    }
}
