import Foundation

/// Why an incident happened, as the weekly review classifies it (`dqmon incidents resolve ID --cause ...`).
///
/// A fixed list so that the review can group and count incidents by cause week after week; `unknown` says "we
/// looked and could not tell", which differs from not classified yet (no cause recorded).
public enum IncidentCause: String, CaseIterable, Sendable, Codable {
    /// A source system or an upstream team's pipeline delivered late, little or wrong data.
    case upstream
    /// A bug in our own transformation code or a deploy.
    case code
    /// Warehouse, scheduler, network or credentials.
    case infrastructure
    /// The data itself was unusual but real (a holiday, a migration, a backfill).
    case data
    /// A monitoring or pipeline configuration mistake (thresholds, schedules, dqmon.yml).
    case config
    /// Investigated, cause not found.
    case unknown

    /// Every cause as written on the command line, for usage errors and did-you-mean.
    public static var names: [String] { allCases.map(\.rawValue) }

    /// The cause `text` names, or a one-line usage error listing the valid causes (with a did-you-mean).
    public static func parse(_ text: String) -> Result<IncidentCause, IncidentError> {
        if let cause = IncidentCause(rawValue: text.lowercased()) { return .success(cause) }
        let shown = ConfigText.quoted(text)
        return .failure(IncidentError("--cause must be one of \(names.joined(separator: ", ")), got \(shown)\(Suggestion.hint(for: text, in: names))"))
    }
}

/// The link to an incident's root-cause analysis: an absolute http(s) URL with a host.
public enum RCALink {
    /// `text` when it is an http(s) URL with a host, else a one-line usage error naming `--rca`.
    public static func validate(_ text: String) -> Result<String, IncidentError> {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
              ["http", "https"].contains(scheme), components.host?.isEmpty == false,
              !text.contains(where: { $0.isWhitespace || $0.isNewline }) else {
            return .failure(IncidentError("--rca must be an http(s) URL such as https://wiki.example.com/rca/42, got \(ConfigText.quoted(text))"))
        }
        return .success(text)
    }
}

/// One follow-up action agreed for an incident (`dqmon incidents followup ID add TEXT`), numbered 1, 2, … within
/// its incident; open until `dqmon incidents followup ID done N`.
public struct IncidentFollowup: Sendable, Equatable {
    public var incidentID: Int64
    /// 1, 2, … within the incident, in the order they were added.
    public var number: Int
    public var text: String
    public var createdAt: Date
    public var createdBy: String
    public var doneAt: Date?
    public var doneBy: String?

    public init(incidentID: Int64, number: Int, text: String, createdAt: Date, createdBy: String, doneAt: Date? = nil, doneBy: String? = nil) {
        self.incidentID = incidentID
        self.number = number
        self.text = text
        self.createdAt = createdAt
        self.createdBy = createdBy
        self.doneAt = doneAt
        self.doneBy = doneBy
    }

    public var isOpen: Bool { doneAt == nil }
}

/// What the review recorded about one incident: its cause, RCA link and follow-ups (oldest first).
public struct IncidentReviewRecord: Sendable, Equatable {
    /// nil: not classified yet.
    public var cause: IncidentCause?
    public var rcaURL: String?
    public var followups: [IncidentFollowup]

    public init(cause: IncidentCause? = nil, rcaURL: String? = nil, followups: [IncidentFollowup] = []) {
        self.cause = cause
        self.rcaURL = rcaURL
        self.followups = followups
    }

    public var openFollowups: [IncidentFollowup] { followups.filter(\.isOpen) }
}

/// What `dqmon incidents resolve` did: resolved an open incident, or (the incident was already resolved, e.g. by
/// a passing check) only recorded its cause and RCA link.
public enum IncidentResolution: Sendable, Equatable {
    case resolved
    case recorded
}
