import DQMon
import DQMonTestSupport
import Foundation
import Testing

/// Issue 21: webhook signatures that Standard Webhooks receivers verify. A `whsec_` secret signs with its
/// base64-decoded bytes, any other secret with its text; a `whsec_` secret that does not decode is a config error
/// that never shows the secret. Verified with the official `standardwebhooks` library (PyPI, in a throwaway
/// virtualenv: `PythonVirtualEnv`) on real deliveries from `dqmon check` to a real HTTP receiver.
@Suite struct WebhookSignatureTests {
    static let now = ProjectFixture.now

    // MARK: - The key, property tests (no Python)

    /// `whsec_` + base64 of any bytes (padded or not) signs with exactly those bytes; any other secret with its text.
    @Test func whsecSecretsSignWithTheirDecodedBytes() {
        let seed: UInt64 = 0x2121
        var random = SeededRandom(seed: seed)
        for round in 0..<3_000 {
            let bytes = Self.randomBytes(&random, count: Int.random(in: 1...80, using: &random))
            let padded = Data(bytes).base64EncodedString()
            let written = Bool.random(using: &random) ? padded : String(padded.prefix { $0 != "=" })
            let key = WebhookSigningKey.key(for: "whsec_" + written)
            #expect((try? key.get()) == bytes, "round \(round) (seed \(seed)): \(bytes.count) bytes as '\(written)' gave \(key)")
        }
        for plain in ["s3cr3t", "whsec-test", "WHSEC_abc", " whsec_abc", "ünïcødé key", "whsec"] {
            #expect((try? WebhookSigningKey.key(for: plain).get()) == Array(plain.utf8), "\(plain)")
        }
    }

    /// Every kind of malformed `whsec_` value is refused, with a message that does not contain it.
    @Test func malformedWhsecSecretsAreRefusedWithoutShowingThem() {
        let seed: UInt64 = 0x2122
        var random = SeededRandom(seed: seed)
        for round in 0..<5_000 {
            let value = Self.malformed(&random)
            let key = WebhookSigningKey.key(for: value)
            guard case .failure(let problem) = key else {
                Issue.record("round \(round) (seed \(seed)): '\(value.debugDescription)' was accepted as \(key)")
                continue
            }
            #expect(!Self.shows(value, in: problem.message), "round \(round) (seed \(seed)): the message shows the secret: \(problem.message)")
        }
        #expect(WebhookSigningKey.key(for: "whsec_") == .failure(.empty))
        #expect(WebhookSigningKey.key(for: "whsec_QUJD-") == .failure(.notBase64(position: 5, kind: "'-' or '_' (URL-safe base64; the standard form uses '+' and '/')")))
        #expect(WebhookSigningKey.key(for: "whsec_QUJDR") == .failure(.impossibleLength))
        #expect(WebhookSigningKey.key(for: "whsec_QQ=A") == .failure(.badPadding))
        #expect(WebhookSigningKey.key(for: "whsec_QUJD=") == .failure(.badPadding))
    }

    // MARK: - Config errors through the command line

    /// 120 malformed secrets, from `${VAR}` and written in the file: `dqmon validate` and `dqmon check` exit 3 with one
    /// line per receiver at the value's file:line:column and the fix, never the value; nothing is sent.
    @Test func malformedWhsecSecretsAreConfigErrorsAtTheirPosition() throws {
        let seed: UInt64 = 0x2123
        var random = SeededRandom(seed: seed)
        let receiver = try TestHTTPReceiver()
        defer { receiver.stop() }
        var environment = ["HOOK_URL": receiver.url()]
        var lines: [String] = []
        var values: [String] = []
        for index in 0..<120 {
            // Written in the file: base64 characters only (9 of them, a length no bytes encode to), so the YAML stays simple.
            let value = index % 6 == 5 ? "whsec_" + Self.randomBase64(&random, count: 8) + "+" : Self.malformed(&random)
            values.append(value)
            if index % 6 == 5 {
                lines.append("  r\(index): { type: webhook, url: \"${HOOK_URL}\", secret: \"\(value)\" }")
            } else {
                environment["HOOK_SECRET_\(index)"] = value
                lines.append("  r\(index): { type: webhook, url: \"${HOOK_URL}\", secret: \"${HOOK_SECRET_\(index)}\" }")
            }
        }
        let fixture = try Self.staleProject(alerts: "version: 1\nreceivers:\n" + lines.joined(separator: "\n") + "\nroutes:\n  - receivers: [r0]\n")
        for command in ["validate", "check"] {
            let output = try CommandLineRunner.run([command, "--now", ISO8601.string(from: Self.now)], in: fixture.root, environment: environment)
            #expect(output.status == 3, "seed \(seed): \(command) exited \(output.status): \(output.stderr)")
            let errors = output.stderr.split(separator: "\n").filter { $0.hasPrefix("alerts/alerts.yml:") }
            #expect(errors.count == values.count, "seed \(seed): \(output.stderr)")
            for (index, line) in lines.enumerated() {
                let column = line.distance(from: line.startIndex, to: line.range(of: "secret: ")!.upperBound) + 1
                let at = "alerts/alerts.yml:\(index + 3):\(column): 'secret' starts with 'whsec_' but "
                #expect(errors.contains { $0.hasPrefix(at) && $0.hasSuffix("or use a secret without the 'whsec_' prefix to sign with its text") },
                        "seed \(seed): no error at \(at) for receiver r\(index):\n\(output.stderr)")
            }
            let printed = output.stdout + output.stderr
            for value in values {
                #expect(!Self.shows(value, in: printed), "seed \(seed): \(value.debugDescription) was printed")
            }
        }
        #expect(receiver.requests.isEmpty, "a run with a config error sent something")
        #expect(!FileManager.default.fileExists(atPath: fixture.historyURL.path))
    }

    /// The exact lines, for the mistakes people make: a line break kept from a file, URL-safe base64, a cut copy.
    @Test func malformedWhsecSecretsGiveOneExactLineEach() {
        let fixture = ProjectFixture(dataset: "orders", checks: "      - volume: {}")
        fixture.alerts("""
            version: 1
            receivers:
              newline: { type: webhook, url: "https://a.example.com/hook", secret: "${NEWLINE}" }
              urlsafe: { type: webhook, url: "https://a.example.com/hook", secret: "${URLSAFE}" }
              cut:     { type: webhook, url: "https://a.example.com/hook", secret: whsec_MfKQ9r8GK }
              bare:    { type: webhook, url: "not a url", secret: "whsec_" }
            routes:
              - receivers: [newline]
            """)
        let fix = "; paste the secret exactly as the receiver generated it ('whsec_' followed by standard base64, "
            + "e.g. whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw), or use a secret without the 'whsec_' prefix to sign with its text"
        let errors = fixture.configErrors(environment: ["NEWLINE": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n",
                                                        "URLSAFE": "whsec_MfKQ9r8GKYqrTwj-PD8ILPZIo2LaLaSw"])
        #expect(errors == [
            "alerts/alerts.yml:3:72: 'secret' starts with 'whsec_' but is not base64: character 33 after 'whsec_' is a line break" + fix,
            "alerts/alerts.yml:4:72: 'secret' starts with 'whsec_' but is not base64: character 16 after 'whsec_' is '-' or '_' "
                + "(URL-safe base64; the standard form uses '+' and '/')" + fix,
            "alerts/alerts.yml:5:72: 'secret' starts with 'whsec_' but is not base64: its length after 'whsec_' is one more than a "
                + "multiple of 4, so a character is missing or extra" + fix,
            "alerts/alerts.yml:6:34: 'url' must be an http(s) URL, got '****'",
            "alerts/alerts.yml:6:55: 'secret' starts with 'whsec_' but has nothing after 'whsec_'" + fix,
        ])
    }

    /// Valid `whsec_` secrets (padded or not, 1 to 64 bytes) and plain secrets load.
    @Test func wellFormedSecretsAreValid() throws {
        var random = SeededRandom(seed: 0x2124)
        var environment: [String: String] = [:]
        var lines: [String] = []
        for index in 0..<40 {
            let encoded = Data(Self.randomBytes(&random, count: Int.random(in: 1...64, using: &random))).base64EncodedString()
            environment["S\(index)"] = index % 4 == 3 ? "plain secret \(index)" : "whsec_" + (index % 2 == 0 ? encoded : String(encoded.prefix { $0 != "=" }))
            lines.append("  r\(index): { type: webhook, url: \"https://audit.example.com/hook\", secret: \"${S\(index)}\" }")
        }
        let fixture = try Self.staleProject(alerts: "version: 1\nreceivers:\n" + lines.joined(separator: "\n") + "\nroutes:\n  - receivers: [r0]\n")
        let output = try CommandLineRunner.run(["validate"], in: fixture.root, environment: environment)
        #expect(output.status == 0, "\(output.stderr)")
    }

    // MARK: - The official library on real deliveries

    /// One delivery each: a `whsec_` secret (the library holds it as generated) and a plain one (the library holds
    /// base64 of its text, as the README says). Controls: the other secret, a changed body and a moved timestamp fail.
    @Test(.disabled(if: PythonVirtualEnv.offline, Comment(rawValue: PythonVirtualEnv.offlineReason)))
    func theOfficialLibraryVerifiesRealDeliveries() throws {
        var random = SeededRandom(seed: 0x2126)
        let standard = "whsec_" + Data(Self.randomBytes(&random, count: 32)).base64EncodedString()
        let plain = "dqmonPlainSecret2121"  // also valid base64 text, so the control below fails on the key, not on decoding
        let byStandard = try Self.deliver(secret: standard)
        let byPlain = try Self.deliver(secret: plain)
        #expect(byStandard.count == 1 && byPlain.count == 1)
        guard let signed = byStandard.first, let plainSigned = byPlain.first else { return }
        #expect(signed.headers["webhook-signature"]?.hasPrefix("v1,") == true)
        var changedBody = signed
        changedBody.body = signed.body.replacingOccurrences(of: "\"version\":\"1\"", with: "\"version\":\"2\"")
        var movedTimestamp = signed
        movedTimestamp.headers["webhook-timestamp"] = String((Int(signed.headers["webhook-timestamp"] ?? "0") ?? 0) - 1)
        let verdicts = try ReferenceLibrary.verify([
            ("whsec_", standard, signed),
            ("plain", Self.libraryForm(plain), plainSigned),
            ("control: whsec_ delivery, literal secret text as the key", Self.libraryForm(standard), signed),
            ("control: plain delivery, secret text given as it is", plain, plainSigned),
            ("control: changed body", standard, changedBody),
            ("control: moved timestamp", standard, movedTimestamp),
        ])
        #expect(verdicts["whsec_"] == nil, "\(verdicts)")
        #expect(verdicts["plain"] == nil, "\(verdicts)")
        for control in verdicts.keys where control.hasPrefix("control") {
            #expect(verdicts[control]??.contains("WebhookVerificationError") == true, "\(control) should fail: \(verdicts)")
        }
        #expect(verdicts.count == 4, "every control must fail, and only they: \(verdicts)")
    }

    /// A delivery answered 500 (with Retry-After past the run's budget) stays pending; `dqmon alerts flush` retries it:
    /// same `webhook-id`, a new `webhook-timestamp` and signature, and the library verifies both attempts.
    /// The first run's clock is moved back 120 s (`DQMON_FAULT_WEBHOOK_CLOCK_OFFSET`), so the timestamps differ
    /// without waiting; both stay within the library's 5-minute tolerance.
    @Test(.disabled(if: PythonVirtualEnv.offline, Comment(rawValue: PythonVirtualEnv.offlineReason)))
    func aRetriedDeliveryKeepsItsIdGetsANewTimestampAndVerifies() throws {
        var random = SeededRandom(seed: 0x2127)
        let secret = "whsec_" + Data(Self.randomBytes(&random, count: 24)).base64EncodedString()
        let receiver = try TestHTTPReceiver()
        defer { receiver.stop() }
        receiver.enqueue(.status(500, body: "down", headers: [("Retry-After", "3600")]))
        let fixture = try Self.staleProject(alerts: Self.hookAlerts)
        let environment = ["HOOK_URL": receiver.url(), "HOOK_SECRET": secret]
        let first = try CommandLineRunner.run(["check", "--now", ISO8601.string(from: Self.now)], in: fixture.root,
                                              environment: environment.merging(["DQMON_FAULT_WEBHOOK_CLOCK_OFFSET": "-120"]) { $1 })
        #expect(first.status == 4, "left pending: \(first.stderr)")
        let flushed = try CommandLineRunner.run(["alerts", "flush"], in: fixture.root, environment: environment)
        #expect(flushed.status == 0, "\(flushed.stdout)\(flushed.stderr)")
        let requests = receiver.requests
        #expect(requests.count == 2, "\(requests.map(\.headers))")
        guard requests.count == 2 else { return }
        let (attempt, retry) = (requests[0], requests[1])
        #expect(attempt.headers["webhook-id"] == retry.headers["webhook-id"] && attempt.headers["webhook-id"]?.isEmpty == false)
        #expect(attempt.body == retry.body)
        let firstTime = Int(attempt.headers["webhook-timestamp"] ?? "") ?? 0
        let retryTime = Int(retry.headers["webhook-timestamp"] ?? "") ?? 0
        #expect(retryTime - firstTime >= 100, "timestamps \(firstTime) then \(retryTime): the retry must be stamped when sent")
        #expect(attempt.headers["webhook-signature"] != retry.headers["webhook-signature"])
        let verdicts = try ReferenceLibrary.verify([("attempt", secret, attempt), ("retry", secret, retry)])
        #expect(verdicts.isEmpty, "\(verdicts)")
    }

    /// The library and dqmon sign alike for 400 seeded secrets: `whsec_` values dqmon accepts (random bytes padded or
    /// not, and random base64 text whose last character carries unused bits) and plain ones (given as base64).
    @Test(.disabled(if: PythonVirtualEnv.offline, Comment(rawValue: PythonVirtualEnv.offlineReason)))
    func theOfficialLibrarySignsLikeDqmonForManySecrets() throws {
        let seed: UInt64 = 0x2125
        var random = SeededRandom(seed: seed)
        var cases: [(secret: String, library: String, body: String)] = []
        for index in 0..<400 {
            let body = "{\"n\":\(index),\"text\":\"ünïcødé \(index)\"}"
            switch index % 4 {
            case 0:
                let encoded = Data(Self.randomBytes(&random, count: Int.random(in: 1...64, using: &random))).base64EncodedString()
                cases.append(("whsec_" + encoded, "whsec_" + encoded, body))
            case 1:
                let encoded = String(Data(Self.randomBytes(&random, count: Int.random(in: 1...64, using: &random))).base64EncodedString().prefix { $0 != "=" })
                cases.append(("whsec_" + encoded, "whsec_" + encoded, body))
            case 2:
                var text = Self.randomBase64(&random, count: Int.random(in: 2...40, using: &random))
                if text.count % 4 == 1 { text.removeLast() }
                cases.append(("whsec_" + text, "whsec_" + text, body))
            default:
                let plain = String((0..<Int.random(in: 1...40, using: &random)).map { _ in Self.plainCharacters.randomElement(using: &random)! })
                cases.append((plain, Self.libraryForm(plain), body))
            }
        }
        let timestamp = Int(Self.now.timeIntervalSince1970)
        let signatures = try ReferenceLibrary.sign(cases.map { (secret: $0.library, id: "msg_21", timestamp: timestamp, body: $0.body) })
        #expect(signatures.count == cases.count)
        for (index, (item, theirs)) in zip(cases, signatures).enumerated() {
            #expect((try? WebhookSigningKey.key(for: item.secret).get()) != nil, "case \(index) (seed \(seed)) should be accepted")
            let ours = WebhookReceiver.signature(body: item.body, webhookID: "msg_21", timestamp: String(timestamp), secret: Secret(item.secret))
            #expect(ours == theirs, "case \(index) (seed \(seed)): dqmon \(ours), library \(theirs)")
        }
    }

    // MARK: - Helpers

    static let hookAlerts = """
        version: 1
        receivers:
          hook: { type: webhook, url: "${HOOK_URL}", secret: "${HOOK_SECRET}" }
        routes:
          - receivers: [hook]
        delivery: { budget: 2s, timeout: 3s }
        """

    /// A project whose one stale dataset fires one critical alert, with `alerts` as alerts/alerts.yml.
    static func staleProject(alerts: String) throws -> ProjectFixture {
        let fixture = ProjectFixture(dataset: "orders", keys: ["tier: 1"],
                                     checks: "      - freshness: { column: updated_at, warn_after: 2h, error_after: 6h }")
        fixture.alerts(alerts)
        try fixture.warehouse().table("orders", timestamps: [now.addingTimeInterval(-7 * 3_600)])
        return fixture
    }

    /// The requests one `dqmon check` sends to a webhook signed with `secret`.
    static func deliver(secret: String) throws -> [TestHTTPReceiver.Request] {
        let receiver = try TestHTTPReceiver()
        defer { receiver.stop() }
        let fixture = try staleProject(alerts: hookAlerts)
        let output = try CommandLineRunner.run(["check", "--now", ISO8601.string(from: now)], in: fixture.root,
                                               environment: ["HOOK_URL": receiver.url(), "HOOK_SECRET": secret])
        #expect(output.status == 1, "the check fails and its alert is delivered: \(output.stderr)")
        return receiver.requests
    }

    /// Whether `text` holds any 8 consecutive characters of what follows `whsec_` in `secret` (shorter rests, such
    /// as a lone `=`, say nothing about a key).
    static func shows(_ secret: String, in text: String) -> Bool {
        let rest = Array(secret.dropFirst(6))
        guard rest.count >= 8 else { return false }
        return (0...(rest.count - 8)).contains { text.contains(String(rest[$0..<($0 + 8)])) }
    }

    /// How a receiver hands a plain (non-`whsec_`) dqmon secret to a Standard Webhooks library: base64 of its text.
    static func libraryForm(_ plain: String) -> String { Data(plain.utf8).base64EncodedString() }

    static let base64Alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
    static let plainCharacters = Array("abcXYZ019 _-.:/+=!ü€ß")
    static let junk: [String] = [" ", "\t", "\n", "-", "_", ".", "!", "~", "\"", "\\", "%", "$", "é", "€", "\u{7}", "\u{7F}", "😀"]

    static func randomBytes(_ random: inout SeededRandom, count: Int) -> [UInt8] {
        (0..<count).map { _ in UInt8.random(in: 0...255, using: &random) }
    }

    static func randomBase64(_ random: inout SeededRandom, count: Int) -> String {
        String((0..<count).map { _ in base64Alphabet.randomElement(using: &random)! })
    }

    /// A `whsec_` value that is not valid by construction: a stray character, `=` inside, bad padding, a 4n+1
    /// length, or nothing after the prefix. Built from a real secret so the rest looks plausible.
    static func malformed(_ random: inout SeededRandom) -> String {
        let padded = Data(randomBytes(&random, count: Int.random(in: 6...48, using: &random))).base64EncodedString()
        let data = String(padded.prefix { $0 != "=" })
        var characters = Array(Bool.random(using: &random) ? padded : data).map(String.init)
        switch Int.random(in: 0..<7, using: &random) {
        case 0, 1:
            characters.insert(junk.randomElement(using: &random)!, at: Int.random(in: 0...characters.count, using: &random))
        case 2:
            characters.insert("=", at: Int.random(in: 0..<data.count, using: &random))
        case 3:
            characters += Array(repeating: "=", count: Int.random(in: 3...5, using: &random))
        case 4:
            let cut = data.count % 4 >= 1 ? (data.count / 4) * 4 + 1 : data.count - 3  // 4n+1, at most data.count
            characters = data.prefix(cut).map(String.init)
        case 5:
            characters = Array(data).map(String.init) + (data.count % 4 == 0 ? ["="] : ["=", "=", "="])
        default:
            characters = [["", "=", "==", "==="].randomElement(using: &random)!]
        }
        return "whsec_" + characters.joined()
    }
}

/// Runs scripts/lib/reference/verify_standard_webhooks.py (the official `standardwebhooks` library) in the
/// reference virtualenv.
enum ReferenceLibrary {
    /// Verifies each delivery as a receiver holding `secret` would; returns the failures by name (nil value: none).
    static func verify(_ deliveries: [(name: String, secret: String, request: TestHTTPReceiver.Request)]) throws -> [String: String?] {
        let items: [[String: Any]] = deliveries.map { ["name": $0.name, "secret": $0.secret, "body": $0.request.body, "headers": $0.request.headers] }
        let result = try run(["deliveries": items])
        var failures: [String: String?] = [:]
        for verdict in result["deliveries"] as? [[String: Any]] ?? [] where verdict["ok"] as? Bool != true {
            failures[verdict["name"] as? String ?? "?"] = verdict["error"] as? String
        }
        let answered = (result["deliveries"] as? [Any])?.count ?? 0
        if answered != deliveries.count { failures["(script)"] = "answered \(answered) of \(deliveries.count)" }
        return failures
    }

    /// The library's `sign` for each item (or `error: …` when it refuses the secret).
    static func sign(_ items: [(secret: String, id: String, timestamp: Int, body: String)]) throws -> [String] {
        let result = try run(["signing": items.map { ["secret": $0.secret, "id": $0.id, "timestamp": $0.timestamp, "body": $0.body] }])
        return (result["signing"] as? [[String: Any]] ?? []).map { ($0["signature"] as? String) ?? "error: \($0["error"] ?? "?")" }
    }

    static func run(_ request: [String: Any]) throws -> [String: Any] {
        let venv = try PythonVirtualEnv.shared()
        let directory = TemporaryDirectory(prefix: "dqmon-standardwebhooks")
        let file = directory.path("request.json")
        try JSONSerialization.data(withJSONObject: request).write(to: file)
        let output = try venv.run(PythonVirtualEnv.referenceScript("verify_standard_webhooks.py"), [file.path])
        guard output.status == 0, let document = try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any] else {
            throw PythonVirtualEnv.SetupError(description: "verify_standard_webhooks.py exited \(output.status): \(output.stderr)")
        }
        return document
    }
}
