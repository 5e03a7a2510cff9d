import DQMon
import DQMonTestSupport
import Foundation
import Testing

/// Hostile sample values (quotes, backslashes, every control character, bidi and zero-width marks, combining-mark
/// towers, emoji sequences, mrkdwn and markdown syntax, huge strings, NULLs) through every format, many seeded rounds:
/// each body is valid JSON, stays within its destination's limit, shows no raw control character or unescaped mrkdwn,
/// and the JSON formats give back exactly the value (cut to 200 scalars). Set DQMON_TEST_SEED to replay a failure.
@Suite struct AlertSamplesFuzzTests {
    static let seed = UInt64(ProcessInfo.processInfo.environment["DQMON_TEST_SEED"] ?? "") ?? 20_261_129
    static let context = MessageContext(receiver: "fuzz", runAt: ProjectFixture.now)

    static let pieces: [String] = [
        "\"", "'", "\\", "\\\"", "`", "```", "<!channel>", "<@U123|x>", "&amp;", "&", "<", ">", "*bold*", "_it_", "~s~",
        "[link](http://evil.example)", "<http://evil.example|click>", "\u{0}", "\u{7}", "\u{1b}[31m", "\n", "\r\n", "\t",
        "\u{7f}", "\u{85}", "\u{2028}", "\u{2029}", "\u{202e}", "\u{200b}", "\u{feff}", "\u{e000}", "\u{fffe}", "😀",
        "👩‍👩‍👧‍👦", "🇺🇦", "ü", "é", "中文", "ﷺ", "\u{301}\u{301}\u{301}", "${SLACK_URL}", "\"},{\"x\":\"", "</script>",
        "NULL", "", " ", "|", "\\u0000", "%s%n", "\u{10ffff}",
    ]

    static func value(_ random: inout SeededRandom) -> String? {
        let roll = random.next() % 100
        if roll < 8 { return nil }
        if roll < 11 {
            // Huge: up to 40,000 scalars, or a tower of combining marks on one character.
            return random.next() % 2 == 0 ? String(repeating: "x\u{1b}\"", count: Int(random.next() % 13_000) + 1)
                                           : "e" + String(repeating: "\u{301}", count: Int(random.next() % 20_000) + 1)
        }
        let count = Int(random.next() % 12)
        return (0..<count).map { _ in pieces[Int(random.next() % UInt64(pieces.count))] }.joined()
    }

    static func samples(_ random: inout SeededRandom) -> AlertSamples {
        let width = Int(random.next() % 12) + 1
        let height = Int(random.next() % 101)
        let columns = (0..<width).map { index in (value(&random) ?? "c") + "\(index)" }
        let rows = (0..<height).map { _ in (0..<width).map { _ in value(&random) } }
        // Mostly as history keeps them (values cut to 200 characters); sometimes raw, as nothing else bounds them.
        return random.next() % 4 == 0 ? AlertSamples(columns: columns, rows: rows)
                                      : AlertSamples(FailingRowSamples(columns: columns, rows: rows))
    }

    static func events(_ random: inout SeededRandom) -> [AlertEvent] {
        let count = Int(random.next() % 40) + 1
        return (0..<count).map { index in
            var event = AlertEvent(kind: .firing, incidentID: Int64(index + 1), checkID: "db.t\(index)/sql", checkType: "sql",
                                   dataset: "db.t\(index)", warehouse: "main", severity: index % 2 == 0 ? .critical : .warning,
                                   status: "fail", observed: "\(index) failing rows", expected: "fail > 0",
                                   message: "\(index) rows fail", owner: "team", tier: 1, tags: [], runbook: nil, at: ProjectFixture.now)
            event.samples = random.next() % 5 == 0 ? nil : samples(&random)
            return event
        }
    }

    static func parsed(_ body: JSONValue) -> Any? {
        try? JSONSerialization.jsonObject(with: Data(body.serialized().utf8))
    }

    /// The value the JSON formats must carry: the stored one, cut to 200 scalars with `…`.
    static func expected(_ value: String?) -> String? {
        guard let value else { return nil }
        guard value.unicodeScalars.count > 200 else { return value }
        var view = String.UnicodeScalarView()
        view.append(contentsOf: value.unicodeScalars.prefix(199))
        return String(view) + "…"
    }

    /// Foundation's JSONSerialization (this test's parser, not dqmon's writer) drops some byte-order marks inside strings,
    /// so parsed values are compared without them, and the exact bytes by `containsRow`.
    static func withoutLeadingBOM(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.filter { $0 != "\u{feff}" }))
    }

    /// Every string in a parsed JSON document.
    static func strings(in object: Any?) -> [String] {
        switch object {
        case let text as String: return [text]
        case let items as [Any]: return items.flatMap { strings(in: $0) }
        case let pairs as [String: Any]: return pairs.values.flatMap { strings(in: $0) }
        default: return []
        }
    }

    /// Rows shown in a JSON body's samples equal the event's first rows, value for value.
    static func checkJSONSamples(_ object: [String: Any]?, of samples: AlertSamples, in body: String, round: Int) {
        guard let object else { return }
        let rows = object["rows"] as? [[Any]] ?? []
        #expect(object["row_count"] as? Int == samples.rows.count, "seed \(seed) round \(round)")
        #expect(rows.count + (object["omitted_rows"] as? Int ?? -1) == samples.rows.count, "seed \(seed) round \(round)")
        #expect((object["columns"] as? [String])?.map(withoutLeadingBOM) == samples.columns.map { withoutLeadingBOM(expected($0) ?? "") },
                "seed \(seed) round \(round)")
        // The rows as written, byte for byte (the parsed comparison below cannot see byte-order marks).
        let exact = JSONValue.array(samples.rows.prefix(rows.count).map { row in .array(row.map { expected($0).map(JSONValue.string) ?? .null }) })
        #expect(Array(body.utf8).firstRange(of: Array(exact.serialized().utf8)) != nil, "seed \(seed) round \(round): rows not carried as written")
        for (shown, original) in zip(rows, samples.rows) {
            let values = shown.map { ($0 as? String).map(withoutLeadingBOM) }
            #expect(values == original.map { expected($0).map(withoutLeadingBOM) }, "seed \(seed) round \(round): \(values) vs \(original)")
        }
    }

    /// `len(json.dumps(body).encode())`, the measure Teams' checker applies, from Python itself.
    static func pythonDumpsSize(_ body: JSONValue) throws -> Int {
        let directory = TemporaryDirectory(prefix: "dqmon-samples-fuzz")
        let file = directory.write("body.json", body.serialized())
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import json,sys; print(len(json.dumps(json.load(open(sys.argv[1]))).encode()))", file.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Int(String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }

    @Test func hostileValuesInEveryFormat() throws {
        var random = SeededRandom(seed: Self.seed)
        let started = Date()
        var validated = 0
        for round in 0..<(Int(ProcessInfo.processInfo.environment["DQMON_FUZZ_ROUNDS"] ?? "") ?? 10) {
            let events = Self.events(&random)
            let bySamples = Dictionary(events.map { ($0.incidentID, $0.samples) }, uniquingKeysWith: { first, _ in first })

            let slack = SlackReceiver(url: Secret("https://hooks.slack.com/x")).messages(for: events, context: Self.context)[0]
            let slackObject = try #require(Self.parsed(slack) as? [String: Any], "seed \(Self.seed) round \(round)")
            let blocks = slackObject["blocks"] as? [[String: Any]] ?? []
            #expect(blocks.count <= 50)
            var total = (slackObject["text"] as? String)?.unicodeScalars.count ?? 0
            for block in blocks {
                if let text = (block["text"] as? [String: Any])?["text"] as? String {
                    total += text.unicodeScalars.count
                    #expect(text.unicodeScalars.count <= 3_000, "seed \(Self.seed) round \(round)")
                    if let start = text.range(of: "Failing-row samples (") {
                        let part = text[start.lowerBound...]
                        #expect(!part.contains("<") && !part.contains(">"), "seed \(Self.seed) round \(round): unescaped mrkdwn")
                        #expect(part.components(separatedBy: "```").count - 1 <= 2, "seed \(Self.seed) round \(round): a value closed the code block")
                        #expect(!part.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" }, "seed \(Self.seed) round \(round)")
                    }
                }
                for element in block["elements"] as? [[String: Any]] ?? [] { total += (element["text"] as? String)?.unicodeScalars.count ?? 0 }
            }
            #expect(total <= 40_000, "seed \(Self.seed) round \(round): \(total) characters")

            let teams = TeamsReceiver(url: Secret("https://example.com/teams")).messages(for: events, context: Self.context)[0]
            #expect(teams.pythonStyleByteCount <= 28_000, "seed \(Self.seed) round \(round)")
            #expect(Self.parsed(teams) != nil, "seed \(Self.seed) round \(round)")
            let controls = Self.strings(in: Self.parsed(teams)).filter { $0.unicodeScalars.contains { $0.properties.generalCategory == .control } }
            #expect(controls.isEmpty, "seed \(Self.seed) round \(round): control characters sent, not shown: \(controls.prefix(3))")

            let pager = PagerDutyReceiver(routingKey: Secret("k"), url: Secret(PagerDutyReceiver.defaultURL), source: "dqmon")
            let pagerBodies = pager.messages(for: events, context: Self.context)
            for body in pagerBodies {
                #expect(body.serialized().utf8.count < 512 * 1_024, "seed \(Self.seed) round \(round)")
                let object = try #require(Self.parsed(body) as? [String: Any], "seed \(Self.seed) round \(round)")
                let details = (object["payload"] as? [String: Any])?["custom_details"] as? [String: Any]
                let incident = Int64(details?["incident_id"] as? Int ?? 0)
                guard let samples = bySamples[incident] ?? nil else {
                    #expect(details?["samples"] == nil, "no samples on an event without them")
                    continue
                }
                Self.checkJSONSamples(details?["samples"] as? [String: Any], of: samples, in: body.serialized(), round: round)
            }

            let hook = WebhookReceiver(url: Secret("https://example.com/hook"), secret: nil).messages(for: events, context: Self.context)[0]
            let hookText = hook.serialized()
            let hookObject = try #require(Self.parsed(hook) as? [String: Any], "seed \(Self.seed) round \(round)")
            var sampleBytes = 0
            for event in hookObject["events"] as? [[String: Any]] ?? [] {
                let incident = Int64(event["incident_id"] as? Int ?? 0)
                guard let samples = bySamples[incident] ?? nil else {
                    #expect(event["samples"] == nil)
                    continue
                }
                if let object = event["samples"] {
                    sampleBytes += try JSONSerialization.data(withJSONObject: object).count
                }
                Self.checkJSONSamples(event["samples"] as? [String: Any], of: samples, in: hookText, round: round)
            }
            #expect(sampleBytes <= WebhookReceiver.maximumSampleBytes + 65_536, "seed \(Self.seed) round \(round): \(sampleBytes)")

            // The shared checkers are slow to start: a few rounds each.
            if PayloadTests.validatorsAvailable, round % 4 == 0 {
                let (slackStatus, slackOutput) = try PayloadTests.validate("validate_slack_message.py", slack)
                #expect(slackStatus == 0, "seed \(Self.seed) round \(round): \(slackOutput)")
                let (teamsStatus, teamsOutput) = try PayloadTests.validate("validate_adaptive_card.py", teams)
                #expect(teamsStatus == 0, "seed \(Self.seed) round \(round): \(teamsOutput)")
                let pythonBytes = try Self.pythonDumpsSize(teams)
                #expect(pythonBytes <= teams.pythonStyleByteCount && pythonBytes > 0, "seed \(Self.seed) round \(round): \(pythonBytes)")
                validated += 1
            }
        }
        #expect(validated == 3 || !PayloadTests.validatorsAvailable)
        #expect(Date().timeIntervalSince(started) < 120, "the loop is meant to take seconds (about 10 s in a debug build under load)")
    }
}
