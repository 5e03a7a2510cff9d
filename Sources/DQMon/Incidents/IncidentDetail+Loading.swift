import Foundation

extension IncidentRenderer.Detail {
    /// Loads incident `id` with its events and results, and resolves owner and runbook from the current config
    /// (falling back to what the incident recorded when its check is no longer configured).
    public static func load(id: Int64, history: HistoryStore, configuration: Configuration, now: Date) throws -> Self {
        let incident = try history.incident(id: id)
        let configured = configuration.check(id: incident.checkID)
        let runbook = configured.flatMap { $0.check.runbook ?? $0.dataset.runbook } ?? incident.runbook
        let owner = configured?.dataset.owner ?? incident.owner
        let results = try history.incidentResults(incident, until: now)
        var detail = Self(incident: incident, events: try history.incidentEvents(id: id),
                          results: results, runbook: runbook,
                          runbookLink: runbook.flatMap { link(for: $0, baseURL: configuration.project.runbookBaseURL) },
                          runbookText: runbook.flatMap { configuration.project.runbooks.readText($0) }, owner: owner)
        detail.samples = try newestSamples(of: results, checkID: incident.checkID, history: history)
        detail.review = try history.incidentReviewRecord(id: id)
        detail.lineage = try IncidentLineage.load(id: id, dataset: incident.dataset, history: history, configuration: configuration)
        return detail
    }

    /// The samples stored with the newest of `results` that has some (the result that last opened or updated it).
    static func newestSamples(of results: [CheckResult], checkID: String, history: HistoryStore) throws -> (evaluatedAt: Date, rows: FailingRowSamples)? {
        guard let oldest = results.map(\.evaluatedAt).min() else { return nil }
        let stored = try history.samples(checkID: checkID, from: oldest)
        for result in results.sorted(by: { $0.evaluatedAt > $1.evaluatedAt }) {
            if let rows = stored[result.evaluatedAt.timeIntervalSince1970] { return (result.evaluatedAt, rows) }
        }
        return nil
    }

    /// A URL runbook is its own link; a file becomes `runbook_base_url` + path when a base URL is set.
    static func link(for runbook: String, baseURL: String?) -> String? {
        if runbook.hasPrefix("http://") || runbook.hasPrefix("https://") { return runbook }
        guard let baseURL else { return nil }
        let path = runbook.hasPrefix("./") ? String(runbook.dropFirst(2)) : runbook
        return (baseURL.hasSuffix("/") ? baseURL : baseURL + "/") + path
    }

}
