import DQMon
import DQMonTestSupport
import Foundation
import Testing

/// Message bodies per destination: within limits even with 500 events, validated by the shared checkers
/// (/work/shared/schemas: Slack Block Kit limits, the official Adaptive Card 1.4 schema and Teams' 28 KB).
@Suite struct PayloadTests {
    static let now = ProjectFixture.now

    static func events(_ count: Int, message: String = "no new rows for 7h12m (last updated_at 2026-11-25 04:48 UTC)") -> [AlertEvent] {
        (0..<count).map { (index: Int) -> AlertEvent in
            let kind: AlertEventKind = index % 7 == 0 ? .resolved : .firing
            let severity: AlertSeverity = index % 3 == 0 ? .critical : .warning
            let previous: AlertSeverity? = index % 5 == 0 ? .warning : nil
            let text: String = message + " <&> ünïcødé"
            return AlertEvent(kind: kind, incidentID: Int64(index + 1), checkID: "analytics.table_\(index)/freshness",
                              checkType: "freshness", dataset: "analytics.table_\(index)", warehouse: "prod",
                              severity: severity, previousSeverity: previous, status: "fail", observed: "7h12m", expected: "< 6h",
                              message: text, owner: "team-\(index % 4)", tier: 1, tags: ["finance"],
                              runbook: "https://github.com/acme/data-monitoring/blob/main/runbooks/stale-data.md", at: now)
        }
    }

    static let context = MessageContext(receiver: "test", runAt: now)

    /// Runs a shared validator script on `body`; returns (exit status, output).
    static func validate(_ script: String, _ body: JSONValue) throws -> (Int32, String) {
        let directory = TemporaryDirectory(prefix: "dqmon-payload")
        let file = directory.write("message.json", body.serialized())
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", schemas.appendingPathComponent(script).path, file.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    /// `$DQMON_SCHEMAS`, else ../shared/schemas beside the repository (where the project keeps them).
    static var schemas: URL {
        if let path = ProcessInfo.processInfo.environment["DQMON_SCHEMAS"] { return URL(fileURLWithPath: path) }
        var folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while folder.path != "/" {
            let candidate = folder.appendingPathComponent("shared/schemas")
            if FileManager.default.fileExists(atPath: candidate.path) { return candidate }
            folder = folder.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: "/work/shared/schemas")
    }

    static var validatorsAvailable: Bool {
        FileManager.default.fileExists(atPath: schemas.appendingPathComponent("validate_slack_message.py").path)
    }

    func slack(_ count: Int) -> JSONValue {
        SlackReceiver(url: Secret("https://hooks.slack.com/services/x")).messages(for: Self.events(count), context: Self.context)[0]
    }

    func teams(_ count: Int) -> JSONValue {
        TeamsReceiver(url: Secret("https://example.com/teams")).messages(for: Self.events(count), context: Self.context)[0]
    }

    @Test(.enabled(if: PayloadTests.validatorsAvailable), arguments: [1, 3, 48, 500])
    func slackMessagesPassTheBlockKitChecker(count: Int) throws {
        let message = slack(count)
        let (status, output) = try Self.validate("validate_slack_message.py", message)
        #expect(status == 0, "\(output)")
        guard case .array(let blocks)? = message["blocks"] else { Issue.record("no blocks"); return }
        #expect(blocks.count <= 50)
        #expect(message["text"]?.stringValue?.isEmpty == false)
        if count == 500 { #expect(message.serialized().contains("and 453 more")) }
    }

    @Test func slackSectionShowsObservedExpectedOwnerRunbookAndIncident() {
        let message = slack(1).serialized()
        #expect(message.contains("\"type\":\"header\""))
        #expect(message.contains("CRITICAL resolved: analytics.table_0"))
        #expect(message.contains("Observed: *7h12m* · Expected: &lt; 6h"))
        #expect(message.contains("Owner: team-0"))
        #expect(message.contains("Runbook: <https://github.com/acme/data-monitoring/blob/main/runbooks/stale-data.md|stale-data.md>"))
        #expect(message.contains("Incident #1"))
        #expect(message.contains("dqmon run at 2026-11-25T12:00:00Z"))
    }

    @Test(.enabled(if: PayloadTests.validatorsAvailable), arguments: [1, 3, 500])
    func teamsCardsPassTheAdaptiveCardSchemaAndSizeLimit(count: Int) throws {
        let message = teams(count)
        let (status, output) = try Self.validate("validate_adaptive_card.py", message)
        #expect(status == 0, "\(output)")
        #expect(message.pythonStyleByteCount <= 28_000)
        if count == 500 { #expect(message.serialized().contains("more (see `dqmon incidents`)")) }
    }

    @Test func pagerDutyEventsV2() throws {
        let receiver = PagerDutyReceiver(routingKey: Secret("ROUTINGKEY123"), url: Secret(PagerDutyReceiver.defaultURL), source: "dqmon-prod")
        var events = Self.events(2, message: String(repeating: "x", count: 2_000))
        events[0].kind = .firing
        events[1].kind = .resolved
        let bodies = receiver.messages(for: events, context: Self.context)
        #expect(bodies.count == 2)
        #expect(bodies[0]["event_action"]?.stringValue == "trigger")
        #expect(bodies[1]["event_action"]?.stringValue == "resolve")
        #expect(bodies[0]["dedup_key"]?.stringValue == "1")
        #expect(bodies[0]["payload"]?["severity"]?.stringValue == "critical")
        #expect(bodies[0]["payload"]?["source"]?.stringValue == "dqmon-prod")
        #expect((bodies[0]["payload"]?["summary"]?.stringValue?.count ?? 0) <= 1_024)
        #expect(bodies[0]["links"]?.serialized().contains("stale-data.md") == true)
        #expect(!bodies[0].serialized().contains("ROUTINGKEY123"))  // stored without the key
        guard case .http(let url, _, let data) = receiver.request(body: bodies[0].serialized(), webhookID: "w", sentAt: Self.now) else {
            Issue.record("not http"); return
        }
        #expect(url.absoluteString == "https://events.pagerduty.com/v2/enqueue")
        let sent = JSONValue.parse(data) ?? .null
        #expect(sent["routing_key"]?.stringValue == "ROUTINGKEY123")
        #expect(sent["payload"]?["custom_details"]?["observed"]?.stringValue == "7h12m")
    }

    @Test func webhookBodyIsVersionedAndSigned() throws {
        let receiver = WebhookReceiver(url: Secret("https://audit.example.com/hook"), secret: Secret("whsec-test"))
        let body = receiver.messages(for: Self.events(600), context: Self.context)[0]
        #expect(body["version"]?.stringValue == "1")
        #expect(body["event_count"] == .number(600))
        #expect(body["omitted"] == .number(100))
        guard case .http(_, let headers, let data) = receiver.request(body: body.serialized(), webhookID: "msg_1", sentAt: Self.now) else {
            Issue.record("not http"); return
        }
        let named: [String: String] = Dictionary(headers.map { ($0.0, $0.1) }, uniquingKeysWith: { $1 })
        #expect(named["webhook-id"] == "msg_1")
        #expect(named["webhook-timestamp"] == String(Int(Self.now.timeIntervalSince1970)))
        let signed = "msg_1.\(named["webhook-timestamp"]!).\(String(decoding: data, as: UTF8.self))"
        let expected = "v1," + Data(SHA256.hmac(key: Array("whsec-test".utf8), message: Array(signed.utf8))).base64EncodedString()
        #expect(named["webhook-signature"] == expected)
        let unsigned = WebhookReceiver(url: Secret("https://audit.example.com/hook"), secret: nil)
        guard case .http(_, let plain, _) = unsigned.request(body: "{}", webhookID: "msg_1", sentAt: Self.now) else { return }
        #expect(!plain.contains { $0.0 == "webhook-signature" })
    }

    @Test func secretsPrintRedacted() {
        let secret = Secret("https://hooks.slack.com/services/T0/B0/XYZSECRET")
        #expect("\(secret)" == "https://hooks.slack.com/…")
        #expect(String(reflecting: secret) == "https://hooks.slack.com/…")
        #expect(!"\(SlackReceiver(url: secret))".contains("XYZSECRET"))
        #expect("\(Secret("R0UTINGKEY"))" == "****")
        #expect(Secret.scrub("POST https://hooks.slack.com/services/T0/B0/XYZSECRET failed", secrets: [secret])
                == "POST https://hooks.slack.com/… failed")
    }
}
