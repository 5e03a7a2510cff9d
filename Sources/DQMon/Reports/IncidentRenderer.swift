import Foundation

/// Renders `dqmon incidents` (a list) and `dqmon incidents show ID` (one incident's timeline), as text or JSON.
public enum IncidentRenderer {
    /// The list: ID, SEVERITY, STATUS, DATASET, CHECK, SINCE (detected), AGE (open for), OWNER, ACK.
    public static func table(_ incidents: [Incident], now: Date) -> String {
        guard !incidents.isEmpty else { return "no incidents match (run 'dqmon check' to record results)" }
        var table = TextTable(headers: ["ID", "SEVERITY", "STATUS", "DATASET", "CHECK", "SINCE", "AGE", "OWNER", "ACK"])
        for incident in incidents {
            table.append([
                "#\(incident.id)", incident.severity.rawValue, statusText(incident), incident.dataset, checkLabel(incident),
                Format.timestamp(incident.detectedAt), Format.age(duration(incident, now: now)), incident.owner ?? "-",
                incident.acknowledgedBy ?? "-",
            ])
        }
        let open = incidents.filter { $0.status == .open }.count
        return table.render() + "\n\n\(open) open, \(incidents.count - open) resolved shown; 'dqmon incidents show ID' for the timeline"
    }

    static func statusText(_ incident: Incident) -> String {
        incident.flapCount > 0 ? "\(incident.status.rawValue) (\(incident.flapCount) flap\(incident.flapCount == 1 ? "" : "s"))" : incident.status.rawValue
    }

    /// `volume/daily_orders` from `orders/volume/daily_orders`.
    static func checkLabel(_ incident: Incident) -> String {
        let prefix = incident.dataset + "/"
        return incident.checkID.hasPrefix(prefix) ? String(incident.checkID.dropFirst(prefix.count)) : incident.checkID
    }

    /// How long the incident has been (or was) open: from detection to resolution or now.
    static func duration(_ incident: Incident, now: Date) -> TimeInterval {
        (incident.resolvedAt ?? now).timeIntervalSince(incident.detectedAt)
    }

    public static func json(_ incidents: [Incident], now: Date) -> String {
        struct Document: Encodable {
            let version = "1"
            let generated_at: String
            let incidents: [IncidentJSON]
        }
        return RunReportRenderer.encode(Document(generated_at: Format.timestamp(now), incidents: incidents.map(IncidentJSON.init)))
    }

    /// Everything on-call needs for one incident.
    public struct Detail: Sendable {
        public var incident: Incident
        public var events: [IncidentEvent]
        public var results: [CheckResult]
        /// The runbook as configured (path or URL), its link (URL, or runbook_base_url + path), and its text.
        public var runbook: String?
        public var runbookLink: String?
        public var runbookText: String?
        public var owner: String?
        /// The failing-row samples of the newest result of the incident that has some, and that result's time.
        public var samples: (evaluatedAt: Date, rows: FailingRowSamples)? = nil
        /// Cause, RCA link and follow-ups recorded by the incident review (`IncidentReviewRecord`).
        public var review = IncidentReviewRecord()
        /// Upstream cause, linked downstream incidents and impact (`IncidentLineage`); nil when not loaded.
        public var lineage: IncidentLineage? = nil

        public init(incident: Incident, events: [IncidentEvent], results: [CheckResult], runbook: String?,
                    runbookLink: String?, runbookText: String?, owner: String?) {
            self.incident = incident
            self.events = events
            self.results = results
            self.runbook = runbook
            self.runbookLink = runbookLink
            self.runbookText = runbookText
            self.owner = owner
        }
    }

    public static func show(_ detail: Detail, now: Date) -> String {
        let incident = detail.incident
        var lines = [
            "Incident #\(incident.id): \(incident.checkID) — \(incident.severity.rawValue), \(statusText(incident))",
            "",
            "dataset     \(incident.dataset) (tier \(incident.tier))",
            "owner       \(detail.owner ?? "-")",
            "observed    \(incident.lastObservedText.isEmpty ? "-" : incident.lastObservedText)  (last \(incident.lastStatus.rawValue) at \(Format.timestamp(incident.lastSeenAt)))",
            "expected    \(incident.lastExpected.isEmpty ? "-" : incident.lastExpected)",
            "message     \(incident.lastMessage)",
            "onset       \(Format.timestamp(incident.onsetAt)) (\(incident.onsetBasis.rawValue))",
            "detected    \(Format.timestamp(incident.detectedAt)) (\(Format.age(incident.detectedAt.timeIntervalSince(incident.onsetAt))) after onset)",
            "ack         " + (incident.acknowledgedAt.map { "\(Format.timestamp($0)) by \(incident.acknowledgedBy ?? "?")" } ?? "not acknowledged"),
            "resolved    " + (incident.resolvedAt.map { "\(Format.timestamp($0)) by \(incident.resolvedBy ?? "?") (\(incident.resolveReason?.rawValue ?? "?"))" }
                ?? "open for \(Format.age(duration(incident, now: now)))"),
        ]
        if incident.flapCount > 0 { lines.append("flaps       \(incident.flapCount) (reopened within reopen_within)") }
        lines += IncidentReviewRenderer.showLines(detail.review)
        lines += detail.lineage?.showLines ?? []
        lines += ["", "Timeline (oldest first):"]
        lines += timeline(detail).map { "  " + $0 }
        if let samples = detail.samples { lines += [""] + SamplesRenderer.lines(samples.rows, evaluatedAt: samples.evaluatedAt) }
        let notes = detail.events.filter { $0.kind == .note || ($0.kind == .acknowledged && $0.detail != "acknowledged") }
        if !notes.isEmpty {
            lines += ["", "Notes:"]
            lines += notes.map { "  \(Format.timestamp($0.at))  \($0.by): \($0.detail)" }
        }
        lines += ["", "Runbook: " + (detail.runbookLink ?? detail.runbook ?? "none configured (add 'runbook:' to the dataset or check)")]
        if let text = detail.runbookText { lines += ["", text.trimmingCharacters(in: .whitespacesAndNewlines)] }
        return lines.joined(separator: "\n")
    }

    /// Events and results merged by time; results show status, observed vs expected and the message.
    static func timeline(_ detail: Detail) -> [String] {
        var entries: [(Date, Int, String)] = []
        for event in detail.events where event.kind != .note {
            entries.append((event.at, 0, "\(Format.timestamp(event.at))  \(event.kind.rawValue.uppercased())  \(event.detail)  [\(event.by)]"))
        }
        for result in detail.results {
            let observed = result.observedText.isEmpty ? "" : "  observed \(result.observedText)"
            let expected = result.expected.isEmpty ? "" : ", expected \(result.expected)"
            entries.append((result.evaluatedAt, 1, "\(Format.timestamp(result.evaluatedAt))  result \(result.status.rawValue)\(observed)\(expected): \(result.message)"))
        }
        return entries.sorted { ($0.0, $0.1) < ($1.0, $1.1) }.map(\.2)
    }

    public static func showJSON(_ detail: Detail) -> String {
        struct Event: Encodable { let at: String; let kind: String; let detail: String; let by: String }
        struct Result: Encodable {
            let evaluated_at: String; let status: String; let observed: Double?; let observed_text: String
            let expected: String; let message: String
        }
        struct Document: Encodable {
            let version = "1"
            let incident: IncidentJSON
            let owner: String?
            let runbook: String?
            let runbook_link: String?
            let runbook_text: String?
            let events: [Event]
            let results: [Result]
            let samples: SamplesRenderer.Entry?
            let cause: String?
            let rca_url: String?
            let followups: [FollowupJSON]
            let lineage: IncidentLineage.JSON?
        }
        let document = Document(
            incident: IncidentJSON(detail.incident), owner: detail.owner, runbook: detail.runbook, runbook_link: detail.runbookLink,
            runbook_text: detail.runbookText,
            events: detail.events.map { Event(at: Format.timestamp($0.at), kind: $0.kind.rawValue, detail: $0.detail, by: $0.by) },
            results: detail.results.map {
                Result(evaluated_at: Format.timestamp($0.evaluatedAt), status: $0.status.rawValue, observed: jsonNumber($0.observed),
                       observed_text: $0.observedText, expected: $0.expected, message: $0.message)
            },
            samples: detail.samples.map { SamplesRenderer.Entry($0.rows, evaluatedAt: $0.evaluatedAt) },
            cause: detail.review.cause?.rawValue, rca_url: detail.review.rcaURL, followups: detail.review.followups.map(FollowupJSON.init),
            lineage: detail.lineage.map(IncidentLineage.JSON.init))
        return RunReportRenderer.encode(document)
    }

    /// One line per incident change for the end of `dqmon check`'s table, e.g.
    /// `incident #12 reopened: orders/volume (critical) — resolved by hand …`.
    public static func changeLines(_ changes: [IncidentChange]) -> [String] {
        changes.filter { $0.kind != .updated }.map { change in
            var line = "incident #\(change.incidentID) \(change.kind.rawValue): \(change.checkID) (\(change.severity.rawValue))"
            if let previous = change.previousSeverity, change.kind == .escalated { line += " from \(previous.rawValue)" }
            return line + " — \(change.result.status.rawValue): \(change.result.message)"
        }
    }
}

/// An incident in `--format json` documents (version 1; add fields, never rename).
struct IncidentJSON: Encodable {
    let id: Int64
    let check_id: String
    let dataset: String
    let check_type: String
    let tier: Int
    let owner: String?
    let runbook: String?
    let status: String
    let severity: String
    let onset_at: String
    let onset_basis: String
    let detected_at: String
    let acknowledged_at: String?
    let acknowledged_by: String?
    let resolved_at: String?
    let resolved_by: String?
    let resolve_reason: String?
    let flap_count: Int
    let last_status: String
    let last_seen_at: String
    let last_observed: String
    let last_expected: String
    let last_message: String

    init(_ incident: Incident) {
        id = incident.id
        check_id = incident.checkID
        dataset = incident.dataset
        check_type = incident.checkType
        tier = incident.tier
        owner = incident.owner
        runbook = incident.runbook
        status = incident.status.rawValue
        severity = incident.severity.rawValue
        onset_at = Format.timestamp(incident.onsetAt)
        onset_basis = incident.onsetBasis.rawValue
        detected_at = Format.timestamp(incident.detectedAt)
        acknowledged_at = incident.acknowledgedAt.map(Format.timestamp)
        acknowledged_by = incident.acknowledgedBy
        resolved_at = incident.resolvedAt.map(Format.timestamp)
        resolved_by = incident.resolvedBy
        resolve_reason = incident.resolveReason?.rawValue
        flap_count = incident.flapCount
        last_status = incident.lastStatus.rawValue
        last_seen_at = Format.timestamp(incident.lastSeenAt)
        last_observed = incident.lastObservedText
        last_expected = incident.lastExpected
        last_message = incident.lastMessage
    }
}
