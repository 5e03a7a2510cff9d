import Foundation

/// `dqmon incidents review` as text (the meeting's agenda, read top to bottom) or JSON (version 1; add fields,
/// never rename). Durations in JSON are seconds; times are ISO 8601 UTC.
public enum IncidentReviewRenderer {
    public static func text(_ review: IncidentReview) -> String {
        var blocks = [header(review)]
        if review.entries.isEmpty {
            blocks.append("no incidents in this period")
        }
        for group in review.groups { blocks.append(groupBlock(group, now: review.now)) }
        blocks.append(followupBlock(review.openFollowups))
        blocks.append(timesBlock(review.responseTimes))
        return blocks.joined(separator: "\n\n")
    }

    static func header(_ review: IncidentReview) -> String {
        let open = review.entries.filter { $0.incident.status == .open }.count
        let unclassified = review.entries.filter { $0.record.cause == nil }.count
        var line = "Incident review over \(review.window): \(Format.timestamp(review.windowStart)) .. \(Format.timestamp(review.now))\n"
        line += "\(review.entries.count) incident(s): \(open) open, \(unclassified) not classified, \(review.openFollowups.count) open follow-up(s)"
        return line
    }

    static func groupBlock(_ group: IncidentReview.CauseGroup, now: Date) -> String {
        var table = TextTable(headers: ["ID", "SEVERITY", "STATUS", "DATASET", "CHECK", "DETECTED", "OPEN FOR", "RCA", "FOLLOW-UPS"])
        for entry in group.entries {
            let incident = entry.incident
            let followups = entry.record.followups
            table.append([
                "#\(incident.id)", incident.severity.rawValue, incident.status.rawValue, incident.dataset,
                IncidentRenderer.checkLabel(incident), Format.timestamp(incident.detectedAt),
                Format.age(IncidentRenderer.duration(incident, now: now)), entry.record.rcaURL ?? "-",
                followups.isEmpty ? "-" : "\(entry.record.openFollowups.count) open / \(followups.count)",
            ])
        }
        var title = "CAUSE: \(group.title.uppercased()) (\(group.entries.count))"
        if group.cause == nil { title += " — classify with 'dqmon incidents resolve ID --cause CAUSE --rca URL'" }
        return title + "\n" + table.render()
    }

    static func followupBlock(_ items: [IncidentReview.OpenFollowup]) -> String {
        guard !items.isEmpty else { return "OPEN FOLLOW-UPS: none" }
        var table = TextTable(headers: ["INCIDENT", "N", "ACTION", "CHECK", "ADDED", "BY"])
        for item in items {
            table.append(["#\(item.followup.incidentID)", "\(item.followup.number)", item.followup.text,
                          item.incident.map { $0.checkID } ?? "-", Format.timestamp(item.followup.createdAt), item.followup.createdBy])
        }
        return "OPEN FOLLOW-UPS (\(items.count)) — close with 'dqmon incidents followup ID done N'\n" + table.render()
    }

    static func timesBlock(_ rows: [IncidentReview.ResponseTimes]) -> String {
        var table = TextTable(headers: ["SCOPE", "INCIDENTS", "MTTD", "TARGET", "STATUS", "MTTA", "MTTR", "TARGET", "STATUS"])
        for row in rows {
            table.append([row.name, "\(row.incidentCount)", mean(row.mttd), row.mttd.target.map(Format.age) ?? "-", SLARenderer.metText(row.mttd.met),
                          mean(row.mtta), mean(row.mttr), row.mttr.target.map(Format.age) ?? "-", SLARenderer.metText(row.mttr.met)])
        }
        return "RESPONSE TIMES (incidents detected in the period; formulas as in 'dqmon sla')\n" + table.render()
    }

    static func mean(_ stats: DurationStats) -> String {
        stats.mean.map { "\(Format.age($0)) (n=\(stats.count))" } ?? "-"
    }

    public static func json(_ review: IncidentReview) -> String {
        RunReportRenderer.encode(ReviewJSON(review))
    }
}

/// A follow-up in JSON documents (`incidents review`, `incidents show`).
struct FollowupJSON: Encodable {
    let incident_id: Int64
    let number: Int
    let text: String
    let created_at: String
    let created_by: String
    let done_at: String?
    let done_by: String?

    init(_ followup: IncidentFollowup) {
        incident_id = followup.incidentID
        number = followup.number
        text = followup.text
        created_at = Format.timestamp(followup.createdAt)
        created_by = followup.createdBy
        done_at = followup.doneAt.map(Format.timestamp)
        done_by = followup.doneBy
    }
}

/// `dqmon incidents review --format json`, version 1.
struct ReviewJSON: Encodable {
    struct Entry: Encodable {
        let incident: IncidentJSON
        let cause: String?
        let rca_url: String?
        let followups: [FollowupJSON]
    }

    struct Group: Encodable {
        let cause: String?
        let count: Int
        let incident_ids: [Int64]
    }

    /// The same `{ count, mean, p50, p90, target, met }` as `dqmon sla --format json`.
    typealias Durations = SLAJSON.Durations

    struct Times: Encodable {
        let scope: String
        let tier: Int?
        let incidents: Int
        let mttd: Durations
        let mtta: Durations
        let mttr: Durations
    }

    let version = "1"
    let window: String
    let window_start: String
    let now: String
    let incidents: [Entry]
    let groups: [Group]
    let open_followups: [FollowupJSON]
    let response_times: [Times]

    init(_ review: IncidentReview) {
        window = review.window.description
        window_start = Format.timestamp(review.windowStart)
        now = Format.timestamp(review.now)
        incidents = review.entries.map {
            Entry(incident: IncidentJSON($0.incident), cause: $0.record.cause?.rawValue, rca_url: $0.record.rcaURL,
                  followups: $0.record.followups.map(FollowupJSON.init))
        }
        groups = review.groups.map { Group(cause: $0.cause?.rawValue, count: $0.entries.count, incident_ids: $0.entries.map(\.incident.id)) }
        open_followups = review.openFollowups.map { FollowupJSON($0.followup) }
        response_times = review.responseTimes.map {
            Times(scope: $0.name, tier: $0.tier, incidents: $0.incidentCount, mttd: Durations($0.mttd), mtta: Durations($0.mtta), mttr: Durations($0.mttr))
        }
    }
}

extension IncidentReviewRenderer {
    /// The lines `dqmon incidents show` prints under the resolution: cause, RCA link, then each follow-up.
    static func showLines(_ record: IncidentReviewRecord) -> [String] {
        var lines = [
            "cause       " + (record.cause?.rawValue ?? "not classified ('dqmon incidents resolve ID --cause CAUSE')"),
            "rca         " + (record.rcaURL ?? "-"),
        ]
        guard !record.followups.isEmpty else { return lines }
        lines.append("follow-ups  \(record.openFollowups.count) open of \(record.followups.count)")
        for followup in record.followups {
            let state = followup.doneAt.map { "[done \(Format.timestamp($0)) by \(followup.doneBy ?? "?")]" } ?? "[open]"
            lines.append("  \(followup.number). \(followup.text)  \(state)  (added \(Format.timestamp(followup.createdAt)) by \(followup.createdBy))")
        }
        return lines
    }
}
