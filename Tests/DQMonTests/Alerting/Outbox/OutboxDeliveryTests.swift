import DQMon
import DQMonTestSupport
import Foundation
import GRDB
import Testing

/// The outbox and delivery against a real HTTP receiver on 127.0.0.1 and a real history file, with a frozen
/// clock: what is sent, when, how often, and that nothing is lost or leaked.
@Suite(.serialized) final class OutboxDeliveryTests {
    let receiver: TestHTTPReceiver
    let fixture = ProjectFixture()
    let secretPath = "/hook/T0SECRETPATH0"
    let hmacSecret = "hmac-secret-value-42"
    var now = ProjectFixture.now

    init() throws {
        receiver = try TestHTTPReceiver()
        fixture.checks("orders.yml", """
            version: 1
            datasets:
              - name: orders
                tier: 1
                owner: team-orders
                tags: [finance]
                runbook: https://runbooks.example.com/orders.md
                checks:
                  - volume: {}
                  - volume: { name: daily, window: 1d, column: updated_at }
              - name: analytics.events
                tier: 2
                owner: team-events
                checks:
                  - volume: {}
            """)
        alerts(repeatInterval: "1h", extra: "")
    }

    deinit { receiver.stop() }

    func alerts(repeatInterval: String, extra: String) {
        fixture.webhookAlerts(budget: "2s", timeout: "1s", routeKeys: ["repeat_interval: \(repeatInterval)"], extra: extra)
    }

    var environment: [String: String] { ["HOOK_URL": receiver.url(secretPath), "HOOK_SECRET": hmacSecret] }

    func configuration() throws -> DQMon.Configuration { try fixture.load(environment: environment) }

    lazy var history: HistoryStore = try! HistoryStore(path: fixture.historyURL)

    func result(_ checkID: String, _ status: CheckStatus = .fail) -> CheckResult {
        let dataset = String(checkID.split(separator: "/")[0])
        return CheckResult(checkID: checkID, dataset: dataset, warehouse: "main", checkType: "volume", status: status, observed: 0,
                           observedText: "0 rows", expected: ">= 1 rows", message: "0 rows (expected at least 1)",
                           queryMilliseconds: 1, dataTimestamp: nil, evaluatedAt: now)
    }

    func change(_ kind: IncidentChange.Kind, _ id: Int64, _ checkID: String = "orders/volume", severity: AlertSeverity = .critical,
                previous: AlertSeverity? = nil) -> IncidentChange {
        IncidentChange(kind: kind, incidentID: id, severity: severity, previousSeverity: previous,
                       result: result(checkID, kind == .resolved ? .pass : .fail), at: now)
    }

    /// One run's alerting: enqueue in a transaction, then deliver. `open` lists the incidents open afterwards;
    /// `sleeper`, when given, takes the waits between attempts instead of the clock.
    @discardableResult
    func run(_ changes: [IncidentChange], open: [Int64: Bool], at time: Date? = nil,
             sleeper: RecordingSleeper? = nil) async throws -> AlertDeliveryReport {
        if let time { now = time }
        let configuration = try configuration()
        let statuses = open.mapValues { OpenIncidentStatus(acknowledged: $0) }
        let current = now
        _ = try history.transaction { transaction in
            try AlertOutbox(configuration: configuration, now: current).enqueue(changes, openIncidents: statuses, runID: nil, in: transaction)
        }
        var delivery = AlertDelivery(alerts: configuration.alerts, history: history)
        delivery.retrier = Retrier(base: 0.05, cap: 0.2)
        if let sleeper { delivery.sleep = { await sleeper.sleep($0) } }
        return await delivery.deliver(now: now)
    }

    /// (kind, incident id) of every event the receiver got, counting each notification once: delivery is
    /// at-least-once, and a receiver drops a repeated `webhook-id` (an attempt that timed out after the
    /// receiver had read it is sent again).
    func delivered() -> [String] {
        var seen = Set<String>()
        let unique = receiver.requests.filter { seen.insert($0.headers["webhook-id"] ?? UUID().uuidString).inserted }
        return unique.flatMap { request -> [String] in
            guard let body = request.json as? [String: Any], let events = body["events"] as? [[String: Any]] else { return [] }
            return events.map { "\($0["kind"]!) #\($0["incident_id"]!)" }
        }
    }

    func later(_ minutes: Double) -> Date { now.addingTimeInterval(minutes * 60) }

    // MARK: -

    @Test func openIncidentFiresOnceAndResolvedIsSentOnce() async throws {
        try await run([change(.opened, 1)], open: [1: false])
        try await run([change(.updated, 1)], open: [1: false], at: later(10))
        try await run([change(.updated, 1)], open: [1: false], at: later(10))
        try await run([change(.resolved, 1)], open: [:], at: later(10))
        try await run([], open: [:], at: later(10))
        #expect(delivered() == ["firing #1", "resolved #1"])
        let request = try #require(receiver.requests.first)
        #expect(request.headers["webhook-id"]?.hasPrefix("msg_") == true)
        #expect(request.headers["webhook-signature"]?.hasPrefix("v1,") == true)
    }

    @Test func reopenedFiresAgainAndEscalationIsItsOwnEvent() async throws {
        try await run([change(.opened, 1, severity: .warning)], open: [1: false])
        try await run([change(.escalated, 1, severity: .critical, previous: .warning)], open: [1: false], at: later(5))
        try await run([change(.resolved, 1)], open: [:], at: later(5))
        try await run([change(.reopened, 1)], open: [1: false], at: later(5))
        #expect(delivered() == ["firing #1", "escalated #1", "resolved #1", "firing #1"])
    }

    @Test func eventsOfOneRunAreGroupedInOneMessage() async throws {
        try await run([change(.opened, 1), change(.opened, 2, "orders/volume/daily"), change(.opened, 3, "analytics.events/volume", severity: .warning)],
                      open: [1: false, 2: false, 3: false])
        #expect(receiver.requests.count == 1)
        #expect(delivered().sorted() == ["firing #1", "firing #2", "firing #3"])
    }

    @Test func repeatOnlyAfterTheIntervalAndNeverAfterAnAck() async throws {
        try await run([change(.opened, 1)], open: [1: false])
        try await run([], open: [1: false], at: later(30))
        #expect(delivered() == ["firing #1"])
        try await run([], open: [1: false], at: later(30))
        #expect(delivered() == ["firing #1", "repeat #1"])
        try await run([], open: [1: false], at: later(30))
        #expect(delivered() == ["firing #1", "repeat #1"])
        try await run([], open: [1: true], at: later(60))   // acknowledged
        try await run([], open: [1: true], at: later(600))
        #expect(delivered() == ["firing #1", "repeat #1"])
    }

    @Test func nothingIsLostAcrossAnOutageSpanningSeveralRuns() async throws {
        alerts(repeatInterval: "24h", extra: "")
        receiver.defaultAnswer = .status(500, body: "upstream down")
        var report = try await run([change(.opened, 1)], open: [1: false])
        #expect(report.pending == 1)
        receiver.defaultAnswer = .close
        report = try await run([change(.opened, 2, "orders/volume/daily")], open: [1: false, 2: false], at: later(60))
        #expect(report.pending == 2)
        receiver.defaultAnswer = .slow(seconds: 3)
        report = try await run([change(.resolved, 1)], open: [2: false], at: later(60))
        #expect(report.pending == 3)
        #expect(report.problems.allSatisfy { !$0.contains("T0SECRETPATH0") })
        let failedIDs = Set(receiver.requests.compactMap { $0.headers["webhook-id"] })
        receiver.reset()
        receiver.defaultAnswer = .ok
        report = try await run([], open: [2: false], at: later(60))
        #expect(report.pending == 0 && report.sent == 3 && report.failed == 0)
        #expect(delivered() == ["firing #1", "firing #2", "resolved #1"])
        // webhook-id is the notification's, unchanged across retries
        let recoveredIDs = receiver.requests.compactMap { $0.headers["webhook-id"] }
        #expect(failedIDs.count == 1 && recoveredIDs.first == failedIDs.first)
    }

    @Test func retryAfterIsHonouredWithinTheBudget() async throws {
        receiver.enqueue(.retryAfter(1))
        let sleeper = RecordingSleeper()
        let report = try await run([change(.opened, 1)], open: [1: false], sleeper: sleeper)
        #expect(report.sent == 1 && report.pending == 0)
        #expect(sleeper.waits.first == 1, "the retry waited the receiver's Retry-After: \(sleeper.waits)")
        // The 429, then the retry after Retry-After. Under a loaded test run a retry may itself pass the 1s
        // timeout and be sent again (delivery is at-least-once), so count requests of the one notification.
        #expect(receiver.requests.count >= 2)
        #expect(Set(receiver.requests.compactMap { $0.headers["webhook-id"] }).count == 1)
    }

    @Test(arguments: [400, 404, 410])
    func permanentFailuresAreRecordedWithTheResponse(status: Int) async throws {
        receiver.defaultAnswer = .status(status, body: "no such hook")
        let report = try await run([change(.opened, 1)], open: [1: false])
        #expect(report.failed == 1 && report.pending == 0)
        #expect(receiver.requests.count == 1)  // not retried
        let failed = try #require(try history.undeliveredNotifications().first)
        #expect(failed.status == .failed)
        #expect(failed.responseStatus == status)
        #expect(failed.lastError == "HTTP \(status): no such hook")
        #expect(failed.responseBody == "no such hook")
    }

    @Test func silencedIncidentsAreHeldAndReleasedWhenTheSilenceEnds() async throws {
        alerts(repeatInterval: "24h", extra: "")
        _ = try history.addSilence(Silence(matchers: [try SilenceMatcher(parsing: "dataset=orders")], startsAt: now,
                                           endsAt: later(120), reason: "backfill", createdBy: "test", createdAt: now))
        try await run([change(.opened, 1), change(.opened, 2, "orders/volume/daily"), change(.opened, 3, "analytics.events/volume")],
                      open: [1: false, 2: false, 3: false])
        #expect(delivered() == ["firing #3"])
        let held = try AlertsService.list(history: history).held
        #expect(held.map(\.incidentID) == [1, 2])
        #expect(held[0].reason == "silence #1 (backfill)")
        try await run([change(.resolved, 2)], open: [1: false, 3: false], at: later(60))   // resolved while silenced: never sent
        #expect(delivered() == ["firing #3"])
        try await run([], open: [1: false, 3: false], at: later(61))                     // silence over: released
        #expect(delivered() == ["firing #3", "firing #1"])
        try await run([], open: [1: false, 3: false], at: later(5))
        #expect(delivered() == ["firing #3", "firing #1"])
    }

    @Test func expiringASilenceReleasesOnTheNextRun() async throws {
        let id = try history.addSilence(Silence(matchers: [try SilenceMatcher(parsing: "check=orders/*")], startsAt: now,
                                                endsAt: later(600), reason: "noisy", createdBy: nil, createdAt: now))
        try await run([change(.opened, 1)], open: [1: false])
        #expect(delivered() == [])
        #expect(try history.expireSilence(id: id, at: later(10)))
        try await run([], open: [1: false], at: later(10))
        #expect(delivered() == ["firing #1"])
    }

    @Test func maintenanceWindowsHoldAlertsUntilTheyEnd() async throws {
        alerts(repeatInterval: "1h", extra: """
            maintenance:
              - { datasets: ["analytics.*"], cron: "0 2 * * SUN", duration: 2h, reason: weekly vacuum }
            """)
        now = ISO8601.date(from: "2026-11-29T02:30:00Z")!  // a Sunday
        try await run([change(.opened, 1, "analytics.events/volume"), change(.opened, 2)], open: [1: false, 2: false])
        #expect(delivered() == ["firing #2"])
        #expect(try AlertsService.list(history: history).held.first?.reason == "maintenance 0 2 * * SUN (weekly vacuum)")
        try await run([], open: [1: false, 2: false], at: ISO8601.date(from: "2026-11-29T03:59:00Z")!)
        #expect(delivered() == ["firing #2", "repeat #2"])
        try await run([], open: [1: false, 2: false], at: ISO8601.date(from: "2026-11-29T04:00:00Z")!)
        #expect(delivered() == ["firing #2", "repeat #2", "firing #1"])
    }

    @Test func pagerDutyIsTriggeredAcknowledgedAndResolvedUnderOneDedupKey() async throws {
        fixture.alerts("""
            version: 1
            receivers:
              hook: { type: pagerduty, routing_key: "${HOOK_SECRET}", url: "${HOOK_URL}" }
            routes:
              - receivers: [hook]
                repeat_interval: 1h
            """)
        try await run([change(.opened, 7)], open: [7: false])
        try await run([], open: [7: true], at: later(90))    // acked: acknowledge, no repeat
        try await run([], open: [7: true], at: later(90))
        try await run([change(.resolved, 7)], open: [:], at: later(10))
        let bodies = receiver.requests.compactMap { $0.json as? [String: Any] }
        #expect(bodies.map { $0["event_action"] as? String } == ["trigger", "acknowledge", "resolve"])
        #expect(Set(bodies.compactMap { $0["dedup_key"] as? String }) == ["7"])
        #expect(bodies.allSatisfy { $0["routing_key"] as? String == hmacSecret })
        #expect(!(try fixture.historyDump()).contains(hmacSecret))
    }

    @Test func manuallyResolvedIncidentsGetTheirResolvedMessage() async throws {
        try await run([change(.opened, 1)], open: [1: false])
        try await run([], open: [:], at: later(5))
        #expect(delivered() == ["firing #1", "resolved #1"])
    }

    @Test func secretsNeverReachOutputLogsOrHistory() async throws {
        receiver.defaultAnswer = .close
        let report = try await run([change(.opened, 1)], open: [1: false])
        receiver.defaultAnswer = .status(400, body: "bad")
        try await run([change(.opened, 2, "orders/volume/daily")], open: [1: false, 2: false], at: later(60))
        let listing = try AlertsService.list(history: history)
        let receivers: [ReceiverConfig] = try configuration().alerts.receivers
        let described: String = receivers.map { "\($0.settings.destination) \($0)" }.joined()
        var everything: String = report.problems.joined()
        everything += AlertsService.table(listing)
        everything += AlertsService.json(listing)
        everything += try fixture.historyDump()
        everything += described
        #expect(!everything.contains("T0SECRETPATH0"))
        #expect(!everything.contains(hmacSecret))
        #expect(everything.contains("http://127.0.0.1/…"))
    }
}
