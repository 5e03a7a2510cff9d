import Foundation
import GRDB

/// The incident state machine (SPEC section 4), applied to a run's results inside the run's history transaction.
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
/// leaves neither results nor incident changes).
public struct IncidentTracker: Sendable {
    public var severityMatrix: [Int: [CheckStatus: AlertSeverity]]
    public var reopenWithin: Interval
    /// warn_after / error_after of each freshness check, for the `data_timestamp` onset.
    public var freshnessThresholds: [String: (warn: Interval?, fail: Interval?)]

    public init(configuration: Configuration) {
        severityMatrix = configuration.project.severity
        reopenWithin = configuration.project.incidents.reopenWithin
        var thresholds: [String: (warn: Interval?, fail: Interval?)] = [:]
        for check in configuration.checks {
            if let freshness = check.spec as? FreshnessCheck { thresholds[check.id] = (freshness.warnAfter, freshness.errorAfter) }
        }
        freshnessThresholds = thresholds
    }

    public func severity(tier: Int, status: CheckStatus) -> AlertSeverity {
        severityMatrix[tier]?[status] ?? .none
    }

    /// Applies `results` and returns what changed, in result order.
    public func apply(_ results: [CheckResult], db: Database) throws -> [IncidentChange] {
        var changes: [IncidentChange] = []
        for result in results where result.status != .skipped {
            if let change = try apply(result, db: db) { changes.append(change) }
        }
        return changes
    }

    func apply(_ result: CheckResult, db: Database) throws -> IncidentChange? {
        let open = try IncidentQueries.openIncident(checkID: result.checkID, db: db)
        if result.status == .pass {
            guard let open else { return nil }
            return try resolve(open, by: result, db: db)
        }
        let severity = severity(tier: result.tier, status: result.status)
        if let open { return try update(open, with: result, severity: severity, db: db) }
        guard severity != .none else { return nil }
        if let last = try IncidentQueries.latestIncident(checkID: result.checkID, db: db),
           let reason = try reopenReason(last, result: result, db: db) {
            return try reopen(last, with: result, severity: severity, reason: reason, db: db)
        }
        return try openIncident(for: result, severity: severity, db: db)
    }

    func resolve(_ incident: Incident, by result: CheckResult, db: Database) throws -> IncidentChange {
        let at = result.evaluatedAt.timeIntervalSince1970
        try db.execute(sql: """
            UPDATE incidents SET status = 'resolved', resolved_at = ?, resolved_by = 'dqmon', resolve_reason = 'auto'
            WHERE id = ?
            """, arguments: [at, incident.id])
        let open = Format.age(at - incident.detectedAt.timeIntervalSince1970)
        try IncidentQueries.addEvent(incident.id, at: at, kind: .resolved, detail: "check passed after \(open): \(result.message)", by: "dqmon", db: db)
        return change(.resolved, incident, severity: incident.severity, previous: nil, result: result)
    }

    func update(_ incident: Incident, with result: CheckResult, severity: AlertSeverity, db: Database) throws -> IncidentChange {
        let escalated = severity > incident.severity
        try IncidentQueries.recordLastResult(incident.id, result: result, severity: escalated ? severity : nil, db: db)
        let at = result.evaluatedAt.timeIntervalSince1970
        if escalated {
            try IncidentQueries.addEvent(incident.id, at: at, kind: .escalated,
                                         detail: "\(incident.severity.rawValue) -> \(severity.rawValue): \(result.status.rawValue): \(result.message)", by: "dqmon", db: db)
            return change(.escalated, incident, severity: severity, previous: incident.severity, result: result)
        }
        if result.status != incident.lastStatus {
            try IncidentQueries.addEvent(incident.id, at: at, kind: .updated,
                                         detail: "status \(incident.lastStatus.rawValue) -> \(result.status.rawValue): \(result.message)", by: "dqmon", db: db)
        }
        return change(.updated, incident, severity: incident.severity, previous: nil, result: result)
    }

    /// Why the check's last (resolved) incident should reopen for this failing result, or nil to open a new one.
    func reopenReason(_ last: Incident, result: CheckResult, db: Database) throws -> String? {
        guard last.status == .resolved, let resolvedAt = last.resolvedAt else { return nil }
        let now = result.evaluatedAt.timeIntervalSince1970
        if last.resolveReason == .manual,
           try !IncidentQueries.passed(checkID: last.checkID, after: resolvedAt.timeIntervalSince1970, before: now, db: db) {
            return "resolved by hand by \(last.resolvedBy ?? "someone") at \(Format.timestamp(resolvedAt)), but the check still fails"
        }
        let since = now - resolvedAt.timeIntervalSince1970
        guard since <= reopenWithin.seconds else { return nil }
        return "failed again \(Format.age(since)) after resolving (within reopen_within \(reopenWithin))"
    }

    /// Reopens at the higher of the incident's and the result's severity.
    func reopen(_ incident: Incident, with result: CheckResult, severity resultSeverity: AlertSeverity, reason: String, db: Database) throws -> IncidentChange {
        let severity = max(incident.severity, resultSeverity)
        let isFlap = !reason.hasPrefix("resolved by hand")
        try db.execute(sql: """
            UPDATE incidents SET status = 'open', resolved_at = NULL, resolved_by = NULL, resolve_reason = NULL,
                                 severity = ?, severity_rank = ?, flap_count = flap_count + ?
            WHERE id = ?
            """, arguments: [severity.rawValue, severity.rank, isFlap ? 1 : 0, incident.id])
        try IncidentQueries.recordLastResult(incident.id, result: result, severity: nil, db: db)
        try IncidentQueries.addEvent(incident.id, at: result.evaluatedAt.timeIntervalSince1970, kind: .reopened,
                                     detail: "\(reason): \(result.status.rawValue): \(result.message)", by: "dqmon", db: db)
        return change(.reopened, incident, severity: severity, previous: incident.severity, result: result)
    }

    func openIncident(for result: CheckResult, severity: AlertSeverity, db: Database) throws -> IncidentChange {
        let (onset, basis) = try self.onset(for: result, db: db)
        try db.execute(sql: """
            INSERT INTO incidents (check_id, dataset, check_type, tier, owner, runbook, status, severity, severity_rank,
                                   detected_at, onset_at, onset_basis, flap_count, last_status, last_seen_at,
                                   last_observed_text, last_expected, last_message)
            VALUES (?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?)
            """, arguments: [
                result.checkID, result.dataset, result.checkType, result.tier, result.owner, result.runbook,
                severity.rawValue, severity.rank, result.evaluatedAt.timeIntervalSince1970, onset, basis.rawValue,
                result.status.rawValue, result.evaluatedAt.timeIntervalSince1970, result.observedText, result.expected, result.message,
            ])
        let id = db.lastInsertedRowID
        try IncidentQueries.addEvent(id, at: result.evaluatedAt.timeIntervalSince1970, kind: .opened,
                                     detail: "\(severity.rawValue): \(result.status.rawValue): \(result.message) (onset \(Format.timestamp(Date(timeIntervalSince1970: onset))), \(basis.rawValue))",
                                     by: "dqmon", db: db)
        return IncidentChange(kind: .opened, incidentID: id, checkID: result.checkID, dataset: result.dataset,
                              severity: severity, previousSeverity: nil, result: result, at: result.evaluatedAt)
    }

    /// SPEC 4: freshness → max(column) + the breached threshold; else the last passing run; else detection.
    func onset(for result: CheckResult, db: Database) throws -> (Double, Incident.OnsetBasis) {
        let detected = result.evaluatedAt.timeIntervalSince1970
        if let dataTimestamp = result.dataTimestamp, let threshold = Self.breachedThreshold(freshnessThresholds[result.checkID], status: result.status) {
            return (min(dataTimestamp + threshold.seconds, detected), .dataTimestamp)
        }
        if let lastPass = try IncidentQueries.lastPass(checkID: result.checkID, before: detected, db: db) {
            return (lastPass, .lastPass)
        }
        return (detected, .firstRun)
    }

    /// The threshold a stale freshness result crossed: `error_after` for fail, `warn_after` for warn.
    static func breachedThreshold(_ thresholds: (warn: Interval?, fail: Interval?)?, status: CheckStatus) -> Interval? {
        guard let thresholds else { return nil }
        switch status {
        case .fail: return thresholds.fail ?? thresholds.warn
        case .warn: return thresholds.warn
        default: return nil
        }
    }

    func change(_ kind: IncidentChange.Kind, _ incident: Incident, severity: AlertSeverity, previous: AlertSeverity?,
                result: CheckResult) -> IncidentChange {
        IncidentChange(kind: kind, incidentID: incident.id, checkID: incident.checkID, dataset: incident.dataset,
                       severity: severity, previousSeverity: previous, result: result, at: result.evaluatedAt)
    }
}
