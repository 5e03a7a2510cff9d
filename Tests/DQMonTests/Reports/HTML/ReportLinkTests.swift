@testable import DQMon
import DQMonTestSupport
import Foundation
import Testing

/// `report_url:` in dqmon.yml: alerts link to the incident's and the dataset's anchors in the published report, the
/// way they link runbooks, and those anchors exist in the page `dqmon report` writes.
@Suite struct ReportLinkTests {
    static func project(reportURL: String) throws -> ProjectFixture {
        let fixture = ProjectFixture(projectYAML: """
            version: 1
            warehouses:
              main: { type: sqlite, path: warehouse.sqlite }
            history: { path: .dqmon/history.sqlite }
            report_url: \(reportURL)
            """)
        try fixture.warehouse().table("orders", timestamps: WarehouseFixture.spread(5, over: 3_600, endingAt: ProjectFixture.now))
        fixture.checks("orders.yml", ProjectFixture.checksYAML(dataset: "orders", keys: ["tier: 1"], checks: "      - volume: { min_rows: 50 }\n"))
        fixture.directory.write("alerts/alerts.yml", """
            version: 1
            receivers:
              local: { type: file, path: alerts.jsonl }
            routes:
              - receivers: [local]
            """)
        return fixture
    }

    @Test func alertsLinkToTheIncidentAndDatasetAnchorsOfTheReport() throws {
        let fixture = try Self.project(reportURL: "https://data.example.com/dqmon/report.html")
        let now = ISO8601.string(from: ProjectFixture.now)
        let check = try dqmon(["check", "--now", now], in: fixture)
        #expect(check.status == 1, "\(check.stderr)")
        let lines = try String(contentsOf: fixture.directory.path("alerts.jsonl"), encoding: .utf8)
        #expect(lines.contains(#""report_url":"https:\/\/data.example.com\/dqmon\/report.html#incident-1""#) ||
                lines.contains(#""report_url":"https://data.example.com/dqmon/report.html#incident-1""#), "\(lines)")
        #expect(lines.contains("report.html#dataset-orders"), "\(lines)")

        let report = try dqmon(["report", "--now", now, "--output", "report.html"], in: fixture)
        #expect(report.status == 0, "\(report.stderr)")
        let html = try String(contentsOf: fixture.directory.path("report.html"), encoding: .utf8)
        #expect(html.contains("id=\"incident-1\""))
        #expect(html.contains("id=\"dataset-orders\""))
    }

    @Test func receiversShowTheReportLinkBesideTheRunbook() {
        let links = ReportLinks(reportURL: "https://r.example.com/report.html", incidentID: 7, dataset: "sales orders")
        #expect(links.incident == "https://r.example.com/report.html#incident-7")
        #expect(links.dataset == "https://r.example.com/report.html#" + HTMLReport.datasetAnchor("sales orders"))
        let event = AlertEvent(kind: .firing, incidentID: 7, checkID: "sales orders/volume", checkType: "volume", dataset: "sales orders",
                               warehouse: "main", severity: .critical, status: "fail", observed: "1 row", expected: "≥ 50", message: "1 row",
                               owner: "team", tier: 1, tags: [], runbook: nil, report: links, at: ProjectFixture.now)
        let context = MessageContext(receiver: "r", runAt: ProjectFixture.now)
        for settings in [SlackReceiver(url: Secret("https://hooks.slack.com/x")) as any ReceiverSettings] {
            let text = settings.messages(for: [event], context: context).map { $0.serialized() }.joined()
            #expect(text.contains("report.html#incident-7"), "\(type(of: settings)): \(text)")
        }
        #expect(event.webhookJSON.serialized().contains("#incident-7"))
    }

    @Test func aReportURLMustBeHTTPWithoutFragment() {
        for bad in ["ftp://x.example/r.html", "report.html", "https://x.example/r.html#top"] {
            let errors = ProjectFixture.configErrors(checks: ProjectFixture.checksYAML(dataset: "orders", checks: "      - volume: { min_rows: 1 }\n"),
                                                     project: "version: 1\nwarehouses:\n  main: { type: sqlite, path: w.sqlite }\nreport_url: \(bad)\n")
            #expect(errors.count == 1 && errors[0].contains("'report_url' must be an http(s) URL without '#'"), "\(bad): \(errors)")
        }
    }
}
