import Foundation
import GRDB

/// The incident review's tables (`incidents.cause`, `incidents.rca_url`, `incident_followups`, migration
/// `v6-incident-review`): recording a cause and RCA link (with or without resolving), follow-up actions, and the
/// reads behind `dqmon incidents review`, `dqmon incidents show` and the HTML report.
extension HistoryStore {
    /// Resolves incident `id` by hand if it is open, and records `cause` and `rcaURL` when given, in one transaction.
    ///
    /// An incident that is already resolved (a passing check resolved it) can still be given its cause and RCA link:
    /// that is the usual order in a weekly review. It is an error only when there is nothing to do (resolved, and
    /// neither a cause nor a link given). A second classification replaces the first; the timeline keeps both.
    @discardableResult
    public func resolveIncident(id: Int64, by person: String, note: String?, cause: IncidentCause?, rcaURL: String?,
                                at: Date) throws -> IncidentResolution {
        let time = at.timeIntervalSince1970
        var resolution = IncidentResolution.recorded
        try writeIncident { transaction in
            let incident = try Self.existing(id, in: transaction)
            if incident.status == .open {
                try transaction.resolveIncident(id, at: time, by: person, reason: .manual)
                try transaction.addIncidentEvent(id, at: time, kind: .resolved,
                                                 detail: Self.resolutionDetail(note: note, cause: cause, rcaURL: rcaURL), by: person)
                resolution = .resolved
            } else if cause == nil && rcaURL == nil {
                throw IncidentError("incident #\(id) is already resolved (at \(incident.resolvedAt.map(Format.timestamp) ?? "?")); "
                    + "give --cause and/or --rca to record why it happened")
            } else {
                try transaction.addIncidentEvent(id, at: time, kind: .note,
                                                 detail: Self.classificationDetail(note: note, cause: cause, rcaURL: rcaURL), by: person)
            }
            try transaction.recordReview(id, cause: cause, rcaURL: rcaURL)
        }
        return resolution
    }

    static func resolutionDetail(note: String?, cause: IncidentCause?, rcaURL: String?) -> String {
        let classification = classificationParts(cause: cause, rcaURL: rcaURL)
        return ([note ?? "resolved by hand"] + classification).joined(separator: "; ")
    }

    static func classificationDetail(note: String?, cause: IncidentCause?, rcaURL: String?) -> String {
        (classificationParts(cause: cause, rcaURL: rcaURL) + [note].compactMap { $0 }).joined(separator: "; ")
    }

    static func classificationParts(cause: IncidentCause?, rcaURL: String?) -> [String] {
        [cause.map { "cause: \($0.rawValue)" }, rcaURL.map { "RCA: \($0)" }].compactMap { $0 }
    }

    /// Adds a follow-up action to incident `id` (open or resolved); returns its number within the incident.
    public func addIncidentFollowup(id: Int64, text: String, by person: String, at: Date) throws -> Int {
        var number = 0
        try writeIncident { transaction in
            _ = try Self.existing(id, in: transaction)
            number = try transaction.insertFollowup(id, text: text, by: person, at: at.timeIntervalSince1970)
        }
        return number
    }

    /// Marks follow-up `number` of incident `id` done; an unknown number or one already done is an `IncidentError`.
    public func completeIncidentFollowup(id: Int64, number: Int, by person: String, at: Date) throws {
        try writeIncident { transaction in
            _ = try Self.existing(id, in: transaction)
            let followups = try transaction.followups(incidentIDs: [id])[id] ?? []
            guard let followup = followups.first(where: { $0.number == number }) else {
                let known = followups.map { "\($0.number)" }.joined(separator: ", ")
                throw IncidentError("incident #\(id) has no follow-up \(number)"
                    + (known.isEmpty ? " (it has none; add one with 'dqmon incidents followup \(id) add TEXT')" : " (it has \(known))"))
            }
            if let doneAt = followup.doneAt {
                throw IncidentError("follow-up \(number) of incident #\(id) was already done by \(followup.doneBy ?? "?") at \(Format.timestamp(doneAt))")
            }
            try transaction.completeFollowup(id, number: number, by: person, at: at.timeIntervalSince1970)
        }
    }

    /// Cause, RCA link and follow-ups of incident `id` (empty when nothing was recorded).
    public func incidentReviewRecord(id: Int64) throws(HistoryError) -> IncidentReviewRecord {
        try snapshot { transaction in try transaction.reviewRecords(incidentIDs: [id])[id] ?? IncidentReviewRecord() }
    }

    /// The incidents a review of `(start, end]` covers, with what the review recorded about each: those detected in
    /// the period, those resolved in it, and those still open at `end` whatever their age. Newest detection first.
    public func reviewIncidents(after start: Date, through end: Date) throws(HistoryError) -> [(Incident, IncidentReviewRecord)] {
        try snapshot { transaction in
            let incidents = try transaction.incidentsForReview(after: start.timeIntervalSince1970, through: end.timeIntervalSince1970)
            let records = try transaction.reviewRecords(incidentIDs: incidents.map(\.id))
            return incidents.map { ($0, records[$0.id] ?? IncidentReviewRecord()) }
        }
    }

    /// The incidents with these ids that exist, by id (one statement per 500 ids).
    public func incidents(ids: [Int64]) throws(HistoryError) -> [Int64: Incident] {
        try snapshot { transaction in
            var byID: [Int64: Incident] = [:]
            for chunk in HistoryTransaction.chunks(ids) {
                let marks = Array(repeating: "?", count: chunk.count).joined(separator: ", ")
                let rows = try Row.fetchAll(transaction.db, sql: "SELECT \(HistoryTransaction.incidentColumns) FROM incidents WHERE id IN (\(marks))",
                                            arguments: StatementArguments(chunk))
                for incident in rows.map(HistoryTransaction.incident) { byID[incident.id] = incident }
            }
            return byID
        }
    }

    /// Every open follow-up of every incident, oldest first: what the review still owes.
    public func openIncidentFollowups() throws(HistoryError) -> [IncidentFollowup] {
        try snapshot { transaction in try transaction.openFollowups() }
    }
}

extension HistoryTransaction {
    /// Sets the cause and/or RCA link; a nil argument keeps what was recorded.
    func recordReview(_ id: Int64, cause: IncidentCause?, rcaURL: String?) throws {
        try db.execute(sql: "UPDATE incidents SET cause = coalesce(?, cause), rca_url = coalesce(?, rca_url) WHERE id = ?",
                       arguments: [cause?.rawValue, rcaURL, id])
    }

    /// Appends a follow-up numbered one past the incident's highest; returns the number.
    func insertFollowup(_ id: Int64, text: String, by person: String, at time: Double) throws -> Int {
        let number = (try Int.fetchOne(db, sql: "SELECT max(number) FROM incident_followups WHERE incident_id = ?", arguments: [id]) ?? 0) + 1
        try db.execute(sql: """
            INSERT INTO incident_followups (incident_id, number, text, created_at, created_by) VALUES (?, ?, ?, ?, ?)
            """, arguments: [id, number, text, time, person])
        return number
    }

    func completeFollowup(_ id: Int64, number: Int, by person: String, at time: Double) throws {
        try db.execute(sql: "UPDATE incident_followups SET done_at = ?, done_by = ? WHERE incident_id = ? AND number = ?",
                       arguments: [time, person, id, number])
    }

    static let followupColumns = "incident_id, number, text, created_at, created_by, done_at, done_by"

    static func followup(_ row: Row) -> IncidentFollowup {
        IncidentFollowup(incidentID: row.stored(0), number: row.stored(1), text: row.stored(2), createdAt: row.stored(3) as Date,
                         createdBy: row.stored(4), doneAt: row.stored(5) as Date?, doneBy: row.stored(6))
    }

    /// The follow-ups of `incidentIDs`, by incident, in number order.
    func followups(incidentIDs: [Int64]) throws -> [Int64: [IncidentFollowup]] {
        var byIncident: [Int64: [IncidentFollowup]] = [:]
        for chunk in Self.chunks(incidentIDs) {
            let marks = Array(repeating: "?", count: chunk.count).joined(separator: ", ")
            let rows = try Row.fetchAll(db, sql: """
                SELECT \(Self.followupColumns) FROM incident_followups WHERE incident_id IN (\(marks)) ORDER BY incident_id, number
                """, arguments: StatementArguments(chunk))
            for row in rows { byIncident[row.stored(0), default: []].append(Self.followup(row)) }
        }
        return byIncident
    }

    /// Cause, RCA link and follow-ups of each of `incidentIDs` that exists.
    func reviewRecords(incidentIDs: [Int64]) throws -> [Int64: IncidentReviewRecord] {
        let followups = try followups(incidentIDs: incidentIDs)
        var records: [Int64: IncidentReviewRecord] = [:]
        for chunk in Self.chunks(incidentIDs) {
            let marks = Array(repeating: "?", count: chunk.count).joined(separator: ", ")
            for row in try Row.fetchAll(db, sql: "SELECT id, cause, rca_url FROM incidents WHERE id IN (\(marks))", arguments: StatementArguments(chunk)) {
                let id: Int64 = row.stored(0)
                records[id] = IncidentReviewRecord(cause: (row.stored(1) as String?).flatMap(IncidentCause.init(rawValue:)), rcaURL: row.stored(2),
                                                   followups: followups[id] ?? [])
            }
        }
        return records
    }

    /// Detected in `(start, end]`, resolved in it, or open: newest detection first.
    func incidentsForReview(after start: Double, through end: Double) throws -> [Incident] {
        try Row.fetchAll(db, sql: """
            SELECT \(Self.incidentColumns) FROM incidents
            WHERE (detected_at > ? AND detected_at <= ?) OR (resolved_at > ? AND resolved_at <= ?)
               OR (detected_at <= ? AND (status = 'open' OR resolved_at > ?))
            ORDER BY detected_at DESC, id DESC
            """, arguments: [start, end, start, end, end, end]).map(Self.incident)
    }

    func openFollowups() throws -> [IncidentFollowup] {
        try Row.fetchAll(db, sql: """
            SELECT \(Self.followupColumns) FROM incident_followups WHERE done_at IS NULL ORDER BY created_at, incident_id, number
            """).map(Self.followup)
    }

    /// Ids in groups small enough for SQLite's limit on bound parameters.
    static func chunks(_ ids: [Int64], size: Int = 500) -> [[Int64]] {
        stride(from: 0, to: ids.count, by: size).map { Array(ids[$0..<min($0 + size, ids.count)]) }
    }
}

extension HistoryStore {
    /// Open incidents by severity (for `dqmon check --prometheus-file`); severities without one are absent.
    public func openIncidentCounts() throws(HistoryError) -> [AlertSeverity: Int] {
        try read { db in
            var counts: [AlertSeverity: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT severity, count(*) FROM incidents WHERE status = 'open' GROUP BY severity") {
                if let severity = AlertSeverity(rawValue: row.stored(0)) { counts[severity] = row.stored(1) }
            }
            return counts
        }
    }
}
