import Foundation

extension IncidentRenderer.Detail {
    /// Loads incident `id` with its events and results, and resolves owner and runbook from the current config
    /// (falling back to what the incident recorded when its check is no longer configured).
    public static func load(id: Int64, history: HistoryStore, configuration: Configuration, now: Date) throws -> Self {
        let incident = try history.incident(id: id)
        let configured = configuration.check(id: incident.checkID)
        let runbook = configured.flatMap { $0.check.runbook ?? $0.dataset.runbook } ?? incident.runbook
        let owner = configured?.dataset.owner ?? incident.owner
        return Self(incident: incident, events: try history.incidentEvents(id: id),
                    results: try history.incidentResults(incident, until: now), runbook: runbook,
                    runbookLink: runbook.flatMap { link(for: $0, baseURL: configuration.project.runbookBaseURL) },
                    runbookText: runbook.flatMap { configuration.project.runbooks.readText($0) }, owner: owner)
    }

    /// A URL runbook is its own link; a file becomes `runbook_base_url` + path when a base URL is set.
    static func link(for runbook: String, baseURL: String?) -> String? {
        if runbook.hasPrefix("http://") || runbook.hasPrefix("https://") { return runbook }
        guard let baseURL else { return nil }
        let path = runbook.hasPrefix("./") ? String(runbook.dropFirst(2)) : runbook
        return (baseURL.hasSuffix("/") ? baseURL : baseURL + "/") + path
    }

}
