import Foundation

/// The incident state machine, applied to a run's results inside the run's history transaction.
///
/// Per result, in order:
/// - `pass` resolves the check's open incident (`resolve_reason = auto`).
/// - `warn`/`fail`/`error` updates the open incident (a higher severity is an `escalated` event), or
///   reopens the check's last incident when it was resolved within `reopen_within` (a flap, `flap_count + 1`)
///   or was resolved by hand while the check never passed since, or else opens a new one.
/// - A result whose severity is `none` (the matrix's "record only") never opens or reopens an incident;
///   it keeps an already open one open, since the check still does not pass.
/// - `skipped` results change nothing.
///
/// Thread safety: a value type; `apply` must run inside a write transaction (the run's, so a killed run
/// leaves neither results nor incident changes). It reads and writes through `HistoryTransaction` (SQL lives in
/// History/HistoryStore+Incidents.swift).
public struct IncidentTracker: Sendable {
    public var severityMatrix: [Int: [CheckStatus: AlertSeverity]]
    public var reopenWithin: Interval
    /// Each configured check's type, by check id, for the onset its results imply (`CheckSpec.onset`).
    let specs: CheckSpecIndex
    /// Datasets whose effective tier (`LineageImpact.effectiveTier`: what they feed) is above their own tier; the
    /// severity matrix is read at the effective tier.
    public var effectiveTiers: [String: Int] = [:]

    public init(configuration: Configuration) {
        severityMatrix = configuration.project.severity
        reopenWithin = configuration.project.incidents.reopenWithin
        specs = CheckSpecIndex(configuration.datasets)
        effectiveTiers = LineageImpact.effectiveTiers(configuration)
    }

    /// The configured checks' types by check id, indexed on first use: only opening an incident reads one, and most
    /// runs open none (indexing 5,000 checks up front was ~3 ms of a 1,000-table run, on its serial tail).
    final class CheckSpecIndex: @unchecked Sendable {
        private let datasets: [DatasetConfig]
        private let lock = NSLock()
        private var index: [String: any CheckSpec]?

        init(_ datasets: [DatasetConfig]) {
            self.datasets = datasets
        }

        subscript(checkID: String) -> (any CheckSpec)? {
            lock.withLock {
                if let index { return index[checkID] }
                var index: [String: any CheckSpec] = [:]
                for dataset in datasets.indices {
                    for check in datasets[dataset].checks.indices { index[datasets[dataset].checks[check].id] = datasets[dataset].checks[check].spec }
                }
                self.index = index
                return index[checkID]
            }
        }
    }

    public func severity(tier: Int, status: CheckStatus) -> AlertSeverity {
        severityMatrix[tier]?[status] ?? .none
    }

    /// Applies `results` and returns what changed, in result order.
    public func apply(_ results: [CheckResult], in transaction: HistoryTransaction) throws -> [IncidentChange] {
        var changes: [IncidentChange] = []
        var open = try OpenIncidents(in: transaction)
        for result in results where result.status != .skipped {
            if let change = try apply(result, open: try open.take(result.checkID, in: transaction), in: transaction) {
                changes.append(change)
            }
        }
        return changes
    }

    /// The run's open incidents, read in one query before the results are applied (a lookup per result was ~3% of a
    /// 1,000-table run). Each check's entry is handed out once: a check id seen again (and any id whose bytes differ
    /// from the stored one, which SQLite would not match) is looked up in the transaction, which sees this run's changes.
    struct OpenIncidents {
        private var byCheck: [String: Incident] = [:]
        private var taken: Set<String> = []

        init(in transaction: HistoryTransaction) throws {
            for incident in try transaction.openIncidents() { byCheck[incident.checkID] = incident }
        }

        mutating func take(_ checkID: String, in transaction: HistoryTransaction) throws -> Incident? {
            guard taken.insert(checkID).inserted else { return try transaction.openIncident(checkID: checkID) }
            guard let incident = byCheck[checkID] else { return nil }
            if incident.checkID.utf8.elementsEqual(checkID.utf8) { return incident }
            return try transaction.openIncident(checkID: checkID)
        }
    }

    /// `open`: the check's open incident, as `HistoryTransaction.openIncident(checkID:)` reads it.
    func apply(_ result: CheckResult, open: Incident?, in transaction: HistoryTransaction) throws -> IncidentChange? {
        if result.status == .pass {
            guard let open else { return nil }
            return try resolve(open, by: result, in: transaction)
        }
        let severity = severity(tier: min(result.tier, effectiveTiers[result.dataset] ?? result.tier), status: result.status)
        if let open { return try update(open, with: result, severity: severity, in: transaction) }
        guard severity != .none else { return nil }
        if let last = try transaction.latestIncident(checkID: result.checkID),
           let reason = try reopenReason(last, result: result, in: transaction) {
            return try reopen(last, with: result, severity: severity, reason: reason, in: transaction)
        }
        return try openIncident(for: result, severity: severity, in: transaction)
    }

    func resolve(_ incident: Incident, by result: CheckResult, in transaction: HistoryTransaction) throws -> IncidentChange {
        let at = result.evaluatedAt.timeIntervalSince1970
        try transaction.resolveIncident(incident.id, at: at, by: "dqmon", reason: .auto)
        let open = Format.age(at - incident.detectedAt.timeIntervalSince1970)
        try transaction.addIncidentEvent(incident.id, at: at, kind: .resolved, detail: "check passed after \(open): \(result.message)", by: "dqmon")
        return change(.resolved, incident, severity: incident.severity, previous: nil, result: result)
    }

    func update(_ incident: Incident, with result: CheckResult, severity: AlertSeverity, in transaction: HistoryTransaction) throws -> IncidentChange {
        let escalated = severity > incident.severity
        try transaction.recordLastResult(incident.id, result: result, severity: escalated ? severity : nil)
        let at = result.evaluatedAt.timeIntervalSince1970
        if escalated {
            try transaction.addIncidentEvent(incident.id, at: at, kind: .escalated,
                                             detail: "\(incident.severity.rawValue) -> \(severity.rawValue): \(result.status.rawValue): \(result.message)", by: "dqmon")
            return change(.escalated, incident, severity: severity, previous: incident.severity, result: result)
        }
        if result.status != incident.lastStatus {
            try transaction.addIncidentEvent(incident.id, at: at, kind: .updated,
                                             detail: "status \(incident.lastStatus.rawValue) -> \(result.status.rawValue): \(result.message)", by: "dqmon")
        }
        return change(.updated, incident, severity: incident.severity, previous: nil, result: result)
    }

    /// Why the check's last (resolved) incident should reopen for this failing result, or nil to open a new one.
    func reopenReason(_ last: Incident, result: CheckResult, in transaction: HistoryTransaction) throws -> String? {
        guard last.status == .resolved, let resolvedAt = last.resolvedAt else { return nil }
        let now = result.evaluatedAt.timeIntervalSince1970
        if last.resolveReason == .manual,
           try !transaction.passed(checkID: last.checkID, after: resolvedAt.timeIntervalSince1970, before: now) {
            return "resolved by hand by \(last.resolvedBy ?? "someone") at \(Format.timestamp(resolvedAt)), but the check still fails"
        }
        let since = now - resolvedAt.timeIntervalSince1970
        guard since <= reopenWithin.seconds else { return nil }
        return "failed again \(Format.age(since)) after resolving (within reopen_within \(reopenWithin))"
    }

    /// Reopens at the higher of the incident's and the result's severity.
    func reopen(_ incident: Incident, with result: CheckResult, severity resultSeverity: AlertSeverity, reason: String,
                in transaction: HistoryTransaction) throws -> IncidentChange {
        let severity = max(incident.severity, resultSeverity)
        try transaction.reopenIncident(incident.id, severity: severity, isFlap: !reason.hasPrefix("resolved by hand"))
        try transaction.recordLastResult(incident.id, result: result, severity: nil)
        try transaction.addIncidentEvent(incident.id, at: result.evaluatedAt.timeIntervalSince1970, kind: .reopened,
                                         detail: "\(reason): \(result.status.rawValue): \(result.message)", by: "dqmon")
        return change(.reopened, incident, severity: severity, previous: incident.severity, result: result)
    }

    func openIncident(for result: CheckResult, severity: AlertSeverity, in transaction: HistoryTransaction) throws -> IncidentChange {
        let (onset, basis) = try self.onset(for: result, in: transaction)
        let id = try transaction.insertIncident(for: result, severity: severity, onset: onset, basis: basis)
        try transaction.addIncidentEvent(id, at: result.evaluatedAt.timeIntervalSince1970, kind: .opened,
                                         detail: "\(severity.rawValue): \(result.status.rawValue): \(result.message) (onset \(Format.timestamp(Date(timeIntervalSince1970: onset))), \(basis.rawValue))",
                                         by: "dqmon")
        return IncidentChange(kind: .opened, incidentID: id, checkID: result.checkID, dataset: result.dataset,
                              severity: severity, previousSeverity: nil, result: result, at: result.evaluatedAt)
    }

    /// When the problem began: what the check's type reads from the result (freshness: its latest timestamp plus the
    /// threshold it crossed), never after detection; else the last passing run; else detection.
    func onset(for result: CheckResult, in transaction: HistoryTransaction) throws -> (Double, Incident.OnsetBasis) {
        let detected = result.evaluatedAt.timeIntervalSince1970
        if let onset = specs[result.checkID]?.onset(of: result.status, dataTimestamp: result.dataTimestamp), onset.isFinite {
            return (min(onset, detected), .dataTimestamp)
        }
        if let lastPass = try transaction.lastPass(checkID: result.checkID, before: detected) {
            return (lastPass, .lastPass)
        }
        return (detected, .firstRun)
    }

    func change(_ kind: IncidentChange.Kind, _ incident: Incident, severity: AlertSeverity, previous: AlertSeverity?,
                result: CheckResult) -> IncidentChange {
        IncidentChange(kind: kind, incidentID: incident.id, checkID: incident.checkID, dataset: incident.dataset,
                       severity: severity, previousSeverity: previous, result: result, at: result.evaluatedAt)
    }
}
