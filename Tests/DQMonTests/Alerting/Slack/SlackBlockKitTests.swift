import DQMon
import DQMonTestSupport
import Foundation
import Testing

/// Issue 21: the Slack messages `dqmon check` really sends (captured by a real HTTP receiver), including the
/// 500-event overflow, pass the official `slack_sdk` Block Kit models (`Block.parse(…)`, `.validate_json()`, and
/// the block given back unchanged by `.to_dict()`) as well as the shared checker in ../shared/schemas.
@Suite struct SlackBlockKitTests {
    static let now = ProjectFixture.now

    /// 1, 3, 48 (the most that fit without "and N more") and 500 failing checks in one run: one message each.
    @Test(.disabled(if: PythonVirtualEnv.offline, Comment(rawValue: PythonVirtualEnv.offlineReason)), arguments: [1, 3, 48, 500])
    func capturedMessagesPassTheOfficialBlockKitModels(events: Int) throws {
        let message = try Self.capture(failing: events)
        let problems = try Self.slackSDKProblems([message])
        #expect(problems.isEmpty, "\(events) events: \(problems)")
        if PayloadTests.validatorsAvailable {
            let (status, output) = try PayloadTests.validate("validate_slack_message.py", JSONValue.parse(Data(message.utf8)) ?? .null)
            #expect(status == 0, "shared validator, \(events) events: \(output)")
        }
        let blocks = (try JSONSerialization.jsonObject(with: Data(message.utf8)) as? [String: Any])?["blocks"] as? [Any]
        #expect((blocks?.count ?? 0) == min(events, 48) + 2, "header, one section per event, context")
        if events == 500 { #expect(message.contains("and 453 more"), "\(message.prefix(300))") }
    }

    /// The check is not vacuous: a header over 150 characters, an unknown key and an unknown block type are refused.
    @Test(.disabled(if: PythonVirtualEnv.offline, Comment(rawValue: PythonVirtualEnv.offlineReason)))
    func theModelsRefuseBrokenBlocks() throws {
        let header = "{\"type\":\"header\",\"text\":{\"type\":\"plain_text\",\"text\":\"\(String(repeating: "h", count: 151))\"}}"
        let problems = try Self.slackSDKProblems([
            "{\"text\":\"t\",\"blocks\":[\(header)]}",
            "{\"text\":\"t\",\"blocks\":[{\"type\":\"section\",\"text\":{\"type\":\"mrkdwn\",\"text\":\"a\"},\"txet\":1}]}",
            "{\"text\":\"t\",\"blocks\":[{\"type\":\"headline\",\"text\":{\"type\":\"plain_text\",\"text\":\"a\"}}]}",
        ])
        #expect(problems.contains { $0.contains("message-0.json blocks[0]") && $0.contains("150") }, "\(problems)")
        #expect(problems.contains { $0.contains("message-1.json blocks[0]") && $0.contains("txet") }, "\(problems)")
        #expect(problems.contains { $0.contains("message-2.json blocks[0]") && $0.contains("does not know block type 'headline'") }, "\(problems)")
    }

    /// The body of the one Slack message a `dqmon check` run sends for `failing` failing volume checks (50 per
    /// dataset, tier 1, owners with characters Slack escapes).
    static func capture(failing: Int) throws -> String {
        let receiver = try TestHTTPReceiver()
        defer { receiver.stop() }
        let fixture = ProjectFixture()
        let datasets = (failing + 49) / 50
        var yaml = "version: 1\ndatasets:\n"
        for dataset in 0..<datasets {
            yaml += "  - name: t\(dataset)\n    tier: 1\n    owner: \"team <\(dataset)> & ünïcødé\"\n    checks:\n"
            for check in 0..<min(50, failing - dataset * 50) { yaml += "      - volume: { name: v\(check), min_rows: 1000 }\n" }
        }
        fixture.checks("tables.yml", yaml)
        fixture.alerts("""
            version: 1
            receivers:
              slack: { type: slack, url: "${SLACK_URL}" }
            routes:
              - receivers: [slack]
            delivery: { budget: 10s, timeout: 5s }
            """)
        let warehouse = try fixture.warehouse()
        for dataset in 0..<datasets { try warehouse.table("t\(dataset)", timestamps: [now]) }
        let output = try CommandLineRunner.run(["check", "--now", ISO8601.string(from: now)], in: fixture.root,
                                               environment: ["SLACK_URL": receiver.url("/services/T000/B000/ZZSLACKZZ")], timeout: 120)
        #expect(output.status == 1, "the checks fail and the message is delivered: \(output.stderr)")
        let requests = receiver.requests
        #expect(requests.count == 1, "one message per receiver per run")
        return requests.first?.body ?? "{}"
    }

    /// scripts/lib/reference/validate_slack_blocks.py (slack_sdk) on each message; its problem lines.
    static func slackSDKProblems(_ messages: [String]) throws -> [String] {
        let venv = try PythonVirtualEnv.shared()
        let directory = TemporaryDirectory(prefix: "dqmon-slack-sdk")
        let files = messages.enumerated().map { directory.write("message-\($0.offset).json", $0.element).path }
        let output = try venv.run(PythonVirtualEnv.referenceScript("validate_slack_blocks.py"), files)
        let lines = output.stdout.split(separator: "\n").map(String.init)
        let problems = lines.filter { !$0.hasPrefix("ok ") }
        if output.status != 0 && problems.isEmpty { return ["validate_slack_blocks.py exited \(output.status): \(output.stderr)"] }
        let unreported = files.filter { file in !lines.contains { $0.hasPrefix(file) || $0.hasPrefix("ok \(file):") } }
        if !unreported.isEmpty { return problems + ["validate_slack_blocks.py said nothing about \(unreported): \(output.stderr)"] }
        return problems
    }
}
