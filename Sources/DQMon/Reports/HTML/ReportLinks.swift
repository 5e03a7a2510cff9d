import Foundation

/// Links from an alert into the published HTML report (`report_url:` in dqmon.yml): the incident's timeline and the
/// dataset's section, built with the same anchor functions the page uses, so they always point at an existing id.
public struct ReportLinks: Sendable, Codable, Hashable {
    /// `<report_url>#incident-<id>`.
    public var incident: String
    /// `<report_url>#dataset-<slug>`.
    public var dataset: String

    public init(reportURL: String, incidentID: Int64, dataset: String) {
        incident = reportURL + "#" + HTMLReport.incidentAnchor(incidentID)
        self.dataset = reportURL + "#" + HTMLReport.datasetAnchor(dataset)
    }
}
