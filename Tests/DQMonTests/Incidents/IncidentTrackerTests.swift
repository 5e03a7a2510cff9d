import DQMon
import DQMonTestSupport
import Foundation
import Testing

/// The incident state machine through real runs (SQLite warehouse and history), on a scripted clock.
@Suite struct IncidentTrackerTests {
    static let t0 = ISO8601.date(from: "2026-11-25T00:00:00Z")!

    func at(_ minutes: Double) -> Date { Self.t0.addingTimeInterval(minutes * 60) }

    /// `orders` (tier 2: warn -> info, fail -> warning) with freshness warn 1h / fail 3h and volume min 5 rows.
    func project(tier: Int = 2, extraProject: String = "") throws -> (ProjectFixture, WarehouseFixture) {
        let fixture = ProjectFixture(projectYAML: """
            version: 1
            warehouses:
              main: { type: sqlite, path: warehouse.sqlite }
            history: { path: .dqmon/history.sqlite }
            \(extraProject)
            """)
        fixture.checks("orders.yml", ProjectFixture.checksYAML(dataset: "orders", keys: ["tier: \(tier)", "owner: team-orders"], checks: """
                  - freshness: { column: updated_at, warn_after: 1h, error_after: 3h }
                  - volume: { min_rows: 5 }
            """))
        let warehouse = try fixture.warehouse()
        try warehouse.table("orders", timestamps: (0..<5).map { _ in Self.t0 })
        return (fixture, warehouse)
    }

    func insert(_ warehouse: WarehouseFixture, at date: Date) throws {
        try warehouse.execute("INSERT INTO orders (updated_at) VALUES (?)", [WarehouseFixture.text(date)])
    }

    func incidents(_ fixture: ProjectFixture) throws -> [Incident] {
        try HistoryStore(path: fixture.historyURL).incidents(IncidentFilter(limit: 100)).sorted { $0.id < $1.id }
    }

    func kinds(_ report: RunReport) -> [String] {
        report.incidentChanges.map { "\($0.kind.rawValue) \($0.checkID) \($0.severity.rawValue)" }
    }

    /// `dqmon prune` deletes incidents resolved before the cutoff, with their events; open incidents and the
    /// newest incident (whose id SQLite would otherwise hand out again) stay.
    @Test func pruneDeletesOldResolvedIncidentsOnly() async throws {
        let (fixture, warehouse) = try project()
        _ = try await fixture.run(now: at(30))
        _ = try await fixture.run(now: at(90))   // A opens (warn)
        try insert(warehouse, at: at(100))
        _ = try await fixture.run(now: at(120))  // A resolves
        _ = try await fixture.run(now: at(250))  // B opens, 130 minutes after A resolved
        try insert(warehouse, at: at(260))
        _ = try await fixture.run(now: at(270))  // B resolves
        _ = try await fixture.run(now: at(500))  // C opens (4 hours stale: fail)
        let (a, b, c) = try { let all = try incidents(fixture); return (all[0], all[1], all[2]) }()
        #expect([a.status, b.status, c.status] == [.resolved, .resolved, .open])
        let history = try HistoryStore(path: fixture.historyURL)
        try history.prune(before: at(300))
        #expect(try incidents(fixture).map(\.id) == [c.id])
        #expect(try history.incidentEvents(id: a.id).isEmpty)
        #expect(try history.incidentEvents(id: b.id).isEmpty)
        #expect(try !history.incidentEvents(id: c.id).isEmpty)
        // Resolved by hand and older than the next cutoff, C is still the newest incident: it stays.
        try history.resolveIncident(id: c.id, by: "alice", note: nil, at: at(510))
        try history.prune(before: at(600))
        #expect(try incidents(fixture).map(\.id) == [c.id])
    }

    @Test func opensEscalatesResolvesAndReopensAFlap() async throws {
        let (fixture, warehouse) = try project()
        #expect(kinds(try await fixture.run(now: at(30))).isEmpty)
        // 90 minutes old: warn (tier 2 -> info); onset = max(updated_at) + warn_after = t0 + 1h.
        #expect(kinds(try await fixture.run(now: at(90))) == ["opened orders/freshness info"])
        var incident = try incidents(fixture)[0]
        #expect(incident.onsetAt == at(60))
        #expect(incident.onsetBasis == .dataTimestamp)
        #expect(incident.detectedAt == at(90))
        #expect(try await fixture.run(now: at(120)).incidentChanges.map(\.kind) == [.updated])
        // 4 hours old: fail (-> warning), an escalation; onset unchanged.
        let escalated = try await fixture.run(now: at(240))
        #expect(kinds(escalated) == ["escalated orders/freshness warning"])
        #expect(escalated.incidentChanges[0].previousSeverity == .info)
        try insert(warehouse, at: at(270))
        #expect(kinds(try await fixture.run(now: at(300))) == ["resolved orders/freshness warning"])
        incident = try incidents(fixture)[0]
        #expect(incident.status == .resolved)
        #expect(incident.resolveReason == .auto)
        #expect(incident.resolvedAt == at(300))
        // 80 minutes old 50 minutes after resolving: the same incident reopens (at its peak severity), one flap.
        let reopened = try await fixture.run(now: at(350))
        #expect(kinds(reopened) == ["reopened orders/freshness warning"])
        incident = try incidents(fixture)[0]
        #expect(try incidents(fixture).count == 1)
        #expect(incident.status == .open)
        #expect(incident.flapCount == 1)
        #expect(incident.resolvedAt == nil)
        #expect(incident.onsetAt == at(60))
        let events = try HistoryStore(path: fixture.historyURL).incidentEvents(id: incident.id).map(\.kind)
        #expect(events == [.opened, .escalated, .resolved, .reopened])
    }

    /// The tracker reads the run's open incidents once, up front; a check whose result comes twice in one apply
    /// (not a real run's shape, but the tracker's contract) sees the incident its first result changed.
    @Test func aCheckAppliedTwiceSeesItsOwnChange() async throws {
        let (fixture, _) = try project()
        let failing = try await fixture.run(now: at(90))  // orders/freshness opens (warn)
        #expect(kinds(failing) == ["opened orders/freshness info"])
        guard var freshness = failing.results.first(where: { $0.checkID == "orders/freshness" }) else {
            Issue.record("no freshness result")
            return
        }
        let configuration = try fixture.load()
        let history = try HistoryStore(path: fixture.historyURL)
        var passing = freshness
        passing.status = .pass
        passing.evaluatedAt = at(100)
        freshness.evaluatedAt = at(110)
        let changes = try history.recordRun { transaction in
            try IncidentTracker(configuration: configuration).apply([passing, freshness], in: transaction)
        }
        #expect(changes.map(\.kind) == [.resolved, .reopened])
        #expect(try incidents(fixture).map(\.status) == [.open])
        #expect(try incidents(fixture).first?.flapCount == 1)
    }

    @Test func failingAgainAfterReopenWithinOpensANewIncident() async throws {
        let (fixture, warehouse) = try project(extraProject: "incidents: { reopen_within: 30m }")
        _ = try await fixture.run(now: at(90))
        try insert(warehouse, at: at(100))
        _ = try await fixture.run(now: at(110))
        // 80 minutes old 60 minutes after resolving: beyond reopen_within 30m, a new incident.
        #expect(kinds(try await fixture.run(now: at(170))) == ["opened orders/freshness info"])
        let all = try incidents(fixture)
        #expect(all.map(\.status) == [.resolved, .open])
        #expect(all[1].flapCount == 0)
    }

    @Test func onsetIsTheLastPassingRunOrTheFirstRun() async throws {
        let (fixture, warehouse) = try project()
        try insert(warehouse, at: at(0))
        _ = try await fixture.run(now: at(10))
        try warehouse.execute("DELETE FROM orders WHERE id > 2")
        let report = try await fixture.run(now: at(70))
        #expect(kinds(report) == ["opened orders/freshness info", "opened orders/volume warning"])
        var incident = try incidents(fixture).first { $0.checkID == "orders/volume" }!
        #expect(incident.onsetBasis == .lastPass)
        #expect(incident.onsetAt == at(10))

        let (fresh, freshWarehouse) = try project()
        try freshWarehouse.execute("DELETE FROM orders WHERE id > 2")
        _ = try await fresh.run(now: at(10))
        incident = try incidents(fresh).first { $0.checkID == "orders/volume" }!
        #expect(incident.onsetBasis == .firstRun)
        #expect(incident.onsetAt == at(10))
    }

    @Test func manualResolveReopensOnTheNextRunSayingSo() async throws {
        let (fixture, warehouse) = try project()
        try warehouse.execute("DELETE FROM orders WHERE id > 2")
        _ = try await fixture.run(now: at(10))
        let history = try HistoryStore(path: fixture.historyURL)
        let id = try incidents(fixture).first { $0.checkID == "orders/volume" }!.id
        try history.resolveIncident(id: id, by: "alice", note: "backfilled", at: at(20))
        #expect(try history.incident(id: id).resolveReason == .manual)
        // Hours later, still failing: reopens (it never passed), not counted as a flap.
        let report = try await fixture.run(now: at(300))
        #expect(report.incidentChanges.first { $0.checkID == "orders/volume" }?.kind == .reopened)
        let incident = try history.incident(id: id)
        #expect(incident.status == .open)
        #expect(incident.flapCount == 0)
        let last = try history.incidentEvents(id: id).last!
        #expect(last.kind == .reopened)
        #expect(last.detail == "resolved by hand by alice at 2026-11-25T00:20:00Z, but the check still fails: fail: 2 rows, below min_rows 5")
    }

    @Test func noneSeverityRecordsOnly() async throws {
        // Tier 3: warn -> none (record only), fail -> info.
        let (fixture, warehouse) = try project(tier: 3)
        #expect(kinds(try await fixture.run(now: at(90))).isEmpty)
        #expect(try incidents(fixture).isEmpty)
        #expect(kinds(try await fixture.run(now: at(200))) == ["opened orders/freshness info"])
        // Back to warn (none): still not passing, so the incident stays open.
        try insert(warehouse, at: at(150))
        #expect(try await fixture.run(now: at(230)).incidentChanges.map(\.kind) == [.updated])
        #expect(try incidents(fixture)[0].status == .open)
    }

    @Test func acknowledgeOnceAndUnknownIDs() async throws {
        let (fixture, _) = try project()
        _ = try await fixture.run(now: at(90))
        let history = try HistoryStore(path: fixture.historyURL)
        let id = try incidents(fixture)[0].id
        try history.acknowledgeIncident(id: id, by: "bob", note: "looking", at: at(95))
        let incident = try history.incident(id: id)
        #expect(incident.acknowledgedBy == "bob")
        #expect(incident.acknowledgedAt == at(95))
        #expect(throws: IncidentError.self) { try history.acknowledgeIncident(id: id, by: "carol", note: nil, at: at(96)) }
        do {
            try history.addIncidentNote(id: 999, text: "x", by: "bob", at: at(96))
            Issue.record("expected an error")
        } catch {
            #expect("\(error)" == "no incident #999 in this history ('dqmon incidents' lists them)")
        }
        try history.addIncidentNote(id: id, text: "upstream job restarted", by: "bob", at: at(97))
        #expect(try history.incidentEvents(id: id).map(\.kind) == [.opened, .acknowledged, .note])
    }
}
