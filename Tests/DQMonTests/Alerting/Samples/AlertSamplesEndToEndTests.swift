import DQMon
import DQMonTestSupport
import Foundation
import GRDB
import Testing

/// Failing-row samples in alerts through the real `dqmon check`, a SQLite warehouse and real HTTP receivers on
/// 127.0.0.1: only receivers whose route or own config says `include_samples: true` get the rows; the others' bodies,
/// every alert state and the outbox rows of the others hold none of them; resolved messages carry none; and many wide
/// rows stay within each destination's limit (the shared Slack and Adaptive Card checkers pass).
@Suite(.serialized) final class AlertSamplesEndToEndTests {
    let receiver: TestHTTPReceiver
    let fixture = ProjectFixture()
    let now = "2026-11-25T12:00:00Z"
    /// In every sampled email: whatever holds it holds sample rows.
    static let marker = "ZZPII"

    init() throws {
        receiver = try TestHTTPReceiver()
    }

    deinit { receiver.stop() }

    var environment: [String: String] {
        ["BASE": receiver.url("/ZZSECRETZZ"), "PD_KEY": "ZZPDKEYZZ"]
    }

    func check(at time: String? = nil) throws -> CommandLineRunner.Output {
        try dqmon(["check", "--now", time ?? now], in: fixture, environment: environment)
    }

    /// Requests to `/ZZSECRETZZ/<name>`, each notification once (delivery is at-least-once).
    func bodies(_ name: String) -> [String] {
        var seen = Set<String>()
        return receiver.requests.filter { $0.path.hasSuffix("/\(name)") }
            .filter { seen.insert($0.headers["webhook-id"] ?? $0.body).inserted }.map(\.body)
    }

    func json(_ body: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:]
    }

    func stored(_ sql: String) throws -> [[String]] {
        try HistoryStore(path: fixture.historyURL).read { db in
            try Row.fetchAll(db, sql: sql).map { row in (0..<row.count).map { String.fromDatabaseValue(row[$0] as DatabaseValue) ?? "" } }
        }
    }

    // MARK: - Who gets samples

    /// The project's warehouse file, opened once (`ProjectFixture.warehouse()` starts a new file each time).
    lazy var warehouse: WarehouseFixture? = try? fixture.warehouse()

    func customers() throws {
        let warehouse = try #require(warehouse)
        try warehouse.execute("CREATE TABLE customers (id integer, email text, status text)")
        try warehouse.execute("""
            INSERT INTO customers VALUES
            (1, 'ok@example.com', 'active'),
            (2, 'ZZPII-ann"o''neil@example.com', 'lost'),
            (3, 'ZZPII <!channel> `x` *bold* [a](http://evil)', 'pending'),
            (4, 'ZZPII-' || char(27) || '[31m' || char(10) || 'two lines ü 😀', 'gone')
            """)
        fixture.checks("customers.yml", """
            version: 1
            datasets:
              - name: customers
                tier: 1
                owner: team-crm
                checks:
                  - accepted_values: { column: status, values: [active, closed], samples: 5, sample_columns: [id, email, status] }
            """)
    }

    @Test func onlyReceiversThatIncludeSamplesGetTheRows() throws {
        try customers()
        fixture.alerts("""
            version: 1
            receivers:
              with: { type: webhook, url: "${BASE}/with", include_samples: true }
              without: { type: webhook, url: "${BASE}/without" }
              quiet: { type: webhook, url: "${BASE}/quiet", include_samples: true }
              optin: { type: webhook, url: "${BASE}/optin" }
              slack: { type: slack, url: "${BASE}/slack", include_samples: true }
              teams: { type: teams, url: "${BASE}/teams", include_samples: true }
              pager: { type: pagerduty, routing_key: "${PD_KEY}", url: "${BASE}/pager", include_samples: true }
              rows: { type: file, path: rows.jsonl, include_samples: true }
              plain: { type: file, path: plain.jsonl }
            routes:
              - receivers: [quiet]
                include_samples: false
                continue: true
              - receivers: [with, without, slack, teams, pager, rows, plain]
                continue: true
              - receivers: [optin]
                include_samples: true
            delivery: { budget: 10s, timeout: 3s }
            """)
        let run = try check()
        #expect(run.status == 1, "\(run.stdout)\(run.stderr)")

        let with = try #require(bodies("with").first, "\(receiver.requests.map(\.path))")
        let event = (json(with)["events"] as? [[String: Any]])?.first ?? [:]
        let samples = try #require(event["samples"] as? [String: Any], "\(with)")
        #expect(samples["columns"] as? [String] == ["id", "email", "status"])
        let rows = samples["rows"] as? [[Any]] ?? []
        #expect(rows.count == 3, "\(rows)")
        #expect(rows.contains { ($0[1] as? String) == "ZZPII <!channel> `x` *bold* [a](http://evil)" && ($0[2] as? String) == "pending" }, "\(rows)")
        #expect(rows.contains { ($0[1] as? String) == "ZZPII-\u{1b}[31m\ntwo lines ü 😀" }, "JSON keeps the value exactly: \(rows)")
        #expect(samples["omitted_rows"] as? Int == 0 && samples["note"] == nil)
        #expect(bodies("optin").first.map { $0.contains(Self.marker) } == true, "a route's include_samples: true opts a receiver in")

        for name in ["without", "quiet"] {
            let body = try #require(bodies(name).first, "\(name)")
            #expect(!body.contains(Self.marker), "\(name): \(body)")
            #expect(!body.contains("\"samples\""), "\(name): \(body)")
        }

        let slack = try #require(bodies("slack").first)
        #expect(slack.contains("Failing-row samples (3 rows):") && slack.contains(Self.marker))
        #expect(slack.contains("&lt;!channel&gt;") && !slack.contains("<!channel>"), "mrkdwn escaped: \(slack)")
        #expect(slack.contains("ˋxˋ"), "no backtick can close the code block")
        #expect(slack.contains("\\\\u{1b}[31m\\\\ntwo lines"), "control characters shown, not sent: \(slack)")
        let teams = try #require(bodies("teams").first)
        #expect(teams.contains("RichTextBlock") && teams.contains(Self.marker))
        let pager = json(try #require(bodies("pager").first))
        let details = (pager["payload"] as? [String: Any])?["custom_details"] as? [String: Any]
        #expect(((details?["samples"] as? [String: Any])?["rows"] as? [[Any]])?.count == 3, "\(pager)")

        let file = try String(contentsOf: fixture.root.appendingPathComponent("rows.jsonl"), encoding: .utf8)
        #expect(file.contains(Self.marker))
        let plain = try String(contentsOf: fixture.root.appendingPathComponent("plain.jsonl"), encoding: .utf8)
        #expect(!plain.contains(Self.marker) && !plain.contains("\"samples\""))

        if PayloadTests.validatorsAvailable {
            let (slackStatus, slackOutput) = try PayloadTests.validate("validate_slack_message.py", JSONValue.parse(Data(slack.utf8)) ?? .null)
            #expect(slackStatus == 0, "\(slackOutput)")
            let (teamsStatus, teamsOutput) = try PayloadTests.validate("validate_adaptive_card.py", JSONValue.parse(Data(teams.utf8)) ?? .null)
            #expect(teamsStatus == 0, "\(teamsOutput)")
        }

        // History: alert state never keeps samples; the outbox keeps what each receiver was sent, no more.
        #expect(try stored("SELECT event FROM alert_state").allSatisfy { !$0[0].contains(Self.marker) })
        let outbox = try stored("SELECT receiver, body FROM alert_notifications")
        let including: Set<String> = ["with", "optin", "slack", "teams", "pager", "rows"]
        #expect(Set(outbox.map { $0[0] }) == including.union(["without", "quiet", "plain"]))
        for row in outbox {
            #expect(row[1].contains(Self.marker) == including.contains(row[0]), "\(row[0]): \(row[1].prefix(300))")
        }
        let everything = [run.stdout, run.stderr, try fixture.historyDump()].joined()
        #expect(!everything.contains("ZZSECRETZZ") && !everything.contains("ZZPDKEYZZ"), "no ${VAR} value in output or history")
        #expect(!outbox.contains { $0[1].contains("ZZSECRETZZ") || $0[1].contains("ZZPDKEYZZ") })

        // The check passes again: the resolved messages carry no rows.
        try #require(warehouse).execute("UPDATE customers SET status = 'active'")
        receiver.reset()
        let resolved = try check(at: "2026-11-25T13:00:00Z")
        #expect(resolved.status == 0, "\(resolved.stdout)\(resolved.stderr)")
        let resolvedBody = try #require(bodies("with").first)
        #expect(resolvedBody.contains("\"kind\":\"resolved\"") && !resolvedBody.contains(Self.marker), "\(resolvedBody)")
    }

    @Test func aRepeatCarriesTheRowsOfTheResultStillFailing() throws {
        try customers()
        fixture.alerts("""
            version: 1
            receivers:
              with: { type: webhook, url: "${BASE}/with", include_samples: true }
            routes:
              - receivers: [with]
                repeat_interval: 1h
            delivery: { budget: 10s, timeout: 3s }
            """)
        #expect(try check().status == 1)
        try #require(warehouse).execute("UPDATE customers SET email = 'ZZPII-second@example.com' WHERE id = 2")
        receiver.reset()
        // Only a later run after the interval repeats; the check is evaluated again in that run.
        #expect(try check(at: "2026-11-25T13:30:00Z").status == 1)
        let body = try #require(bodies("with").first)
        #expect(body.contains("\"kind\":\"repeat\""), "\(body)")
        #expect(body.contains("ZZPII-second@example.com"), "the newest failing result's rows: \(body)")
    }

    @Test func pruneRemovesSentBodiesWithSamplesButKeepsPendingOnes() throws {
        try customers()
        fixture.alerts("""
            version: 1
            receivers:
              with: { type: webhook, url: "${BASE}/with", include_samples: true }
              down: { type: webhook, url: "${BASE}/down", include_samples: true }
            routes:
              - receivers: [with, down]
            delivery: { budget: 2s, timeout: 1s }
            """)
        #expect(try check().status == 1)
        let sentOrNot = try stored("SELECT receiver, status FROM alert_notifications ORDER BY receiver")
        #expect(sentOrNot.count == 2, "\(sentOrNot)")
        // One body still waiting for delivery (as after a failed attempt): prune must leave it.
        try HistoryStore(path: fixture.historyURL).write { db in
            try db.execute(sql: "UPDATE alert_notifications SET status = 'pending' WHERE receiver = 'down'")
        }
        let prune = try dqmon(["prune", "--now", "2028-01-01T00:00:00Z"], in: fixture, environment: environment)
        #expect(prune.status == 0, "\(prune.stdout)\(prune.stderr)")
        #expect(try stored("SELECT receiver FROM alert_notifications") == [["down"]], "the sent body with rows goes with its run; a pending one stays")
        #expect(try stored("SELECT CAST(count(*) AS TEXT) FROM result_samples") == [["0"]])
    }

    // MARK: - Size limits

    /// 3 checks × 100 sampled rows × 30 columns of 200 characters (about 600 KB of samples per check, non-ASCII and
    /// mrkdwn characters in every value): every destination stays within its limit and says how many rows it left out.
    @Test func manyWideSamplesStayWithinEveryDestinationsLimit() throws {
        let columns = (1...30).map { "c\($0)" }
        // 372 characters per value (stored cut to 200): 'é', '<' and '`' repeated, so every format has to escape.
        let selectList = columns.map { "'\($0)-' || i || '-' || replace(hex(zeroblob(62)), '0', 'é<`') AS \($0)" }.joined(separator: ", ")
        try #require(warehouse).execute("""
            CREATE TABLE wide AS WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 120)
            SELECT i AS id, \(selectList) FROM n
            """)
        fixture.checks("wide.yml", """
            version: 1
            datasets:
              - name: wide
                tier: 1
                checks:
                  - sql: { name: first, query: 'select * from wide', samples: 100 }
                  - sql: { name: second, query: 'select * from wide where id > 10', samples: 100 }
                  - sql: { name: third, query: 'select * from wide where id > 20', samples: 100 }
            """)
        fixture.alerts("""
            version: 1
            receivers:
              with: { type: webhook, url: "${BASE}/with", include_samples: true }
              slack: { type: slack, url: "${BASE}/slack", include_samples: true }
              teams: { type: teams, url: "${BASE}/teams", include_samples: true }
              pager: { type: pagerduty, routing_key: "${PD_KEY}", url: "${BASE}/pager", include_samples: true }
            routes:
              - receivers: [with, slack, teams, pager]
            delivery: { budget: 20s, timeout: 5s }
            """)
        let run = try check()
        #expect(run.status == 1, "\(run.stdout)\(run.stderr)")

        let with = json(try #require(bodies("with").first))
        let events = with["events"] as? [[String: Any]] ?? []
        #expect(events.count == 3)
        let sampleBytes = events.compactMap { $0["samples"] }.map { (try? JSONSerialization.data(withJSONObject: $0).count) ?? 0 }.reduce(0, +)
        #expect(sampleBytes > 100_000 && sampleBytes <= WebhookReceiver.maximumSampleBytes + 10_000, "\(sampleBytes)")
        let omitted = events.compactMap { ($0["samples"] as? [String: Any])?["omitted_rows"] as? Int }
        #expect(omitted.reduce(0, +) > 0, "\(omitted)")
        #expect(events.contains { (($0["samples"] as? [String: Any])?["note"] as? String)?.hasSuffix("more rows not shown (size limit)") == true })

        let pagerBodies = bodies("pager")
        #expect(pagerBodies.count == 3)
        for body in pagerBodies {
            #expect(body.utf8.count < 512 * 1_024, "\(body.utf8.count)")
            let samples = ((json(body)["payload"] as? [String: Any])?["custom_details"] as? [String: Any])?["samples"] as? [String: Any]
            #expect((samples?["rows"] as? [Any])?.isEmpty == false && (samples?["omitted_rows"] as? Int ?? 0) > 0, "\(body.prefix(200))")
        }

        let slack = try #require(bodies("slack").first)
        #expect(slack.contains("more rows not shown (size limit)"))
        let teams = try #require(bodies("teams").first)
        #expect(teams.contains("more rows not shown (size limit)"))
        if PayloadTests.validatorsAvailable {
            let (slackStatus, slackOutput) = try PayloadTests.validate("validate_slack_message.py", JSONValue.parse(Data(slack.utf8)) ?? .null)
            #expect(slackStatus == 0, "\(slackOutput)")
            let (teamsStatus, teamsOutput) = try PayloadTests.validate("validate_adaptive_card.py", JSONValue.parse(Data(teams.utf8)) ?? .null)
            #expect(teamsStatus == 0, "\(teamsOutput)")
        }
    }
}
