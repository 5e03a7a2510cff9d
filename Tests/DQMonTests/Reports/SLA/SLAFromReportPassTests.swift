@testable import DQMon
import DQMonTestSupport
import Foundation
import GRDB
import Testing

/// `dqmon report` builds its SLA figures from the freshness points of its one pass over the window
/// (`ReportDatasetRows.slaFreshnessPoints`) instead of reading them again; `dqmon sla` reads them itself. Over seeded
/// random histories, with the awkward cases drawn often (several results of one check at the same instant, results
/// of a check id recorded under another check type, results before the window, NULL data timestamps, every status),
/// both give the same freshness figures for every dataset, tier and overall.
@Suite struct SLAFromReportPassTests {
    static let now = ISO8601.date(from: "2026-11-25T12:00:00Z")!
    static let statuses = ["pass", "warn", "fail", "error", "skipped"]

    func fixture() -> ProjectFixture {
        let fixture = ProjectFixture()
        fixture.checks("sla.yml", """
            version: 1
            datasets:
              - name: orders
                tier: 1
                checks:
                  - freshness: { column: updated_at, warn_after: 1h, error_after: 3h }
                  - volume: { min_rows: 5 }
              - name: events
                tier: 2
                every: 30m
                checks:
                  - freshness: { column: loaded_at, warn_after: 2h, error_after: 6h }
                  - freshness: { name: late, column: created_at, warn_after: 4h, error_after: 8h }
              - name: payments
                tier: 2
                checks:
                  - volume: { min_rows: 1 }
            """)
        return fixture
    }

    /// Random results of every configured check over the 10 hours before `now` and 2 hours before the window.
    func fill(_ url: URL, checkIDs: [(dataset: String, id: String, type: String)], random: inout SeededRandom) throws {
        let queue = try DatabaseQueue(path: url.path)
        try queue.write { db in
            let end = Self.now.timeIntervalSince1970
            let instants = (0..<Int.random(in: 3...40, using: &random)).map { _ in end - Double(Int.random(in: 0...12, using: &random)) * 3_600
                - Double([0, 0, 0, 600, 1_800][Int.random(in: 0..<5, using: &random)]) }
            for (run, at) in instants.enumerated() {
                try db.execute(sql: """
                    INSERT INTO runs (id, started_at, finished_at, evaluated_at, dqmon_version, config_hash, host, selection, check_count,
                                      pass_count, warn_count, fail_count, error_count, exit_code)
                    VALUES (?, ?, ?, ?, '0', 'x', 'h', '--all', 0, 0, 0, 0, 0, 0)
                    """, arguments: [run + 1, at, at, at])
                for check in checkIDs where Int.random(in: 0..<4, using: &random) > 0 {
                    for _ in 0..<(Int.random(in: 0..<6, using: &random) == 0 ? 2 : 1) {
                        let type = Int.random(in: 0..<7, using: &random) == 0 ? "volume" : check.type
                        let status = Self.statuses[Int.random(in: 0..<Self.statuses.count, using: &random)]
                        let timestamp: Double? = Int.random(in: 0..<4, using: &random) == 0 ? nil
                            : at - Double(Int.random(in: 0...6, using: &random)) * 1_800
                        try db.execute(sql: """
                            INSERT INTO results (run_id, check_id, dataset, warehouse, check_type, status, observed, observed_text, expected,
                                                 message, query_ms, data_timestamp, evaluated_at)
                            VALUES (?, ?, ?, 'main', ?, ?, 1, '1', '', '', 5, ?, ?)
                            """, arguments: [run + 1, check.id, check.dataset, type, status, timestamp, at])
                    }
                }
            }
        }
    }

    @Test func theReportsSLAEqualsDqmonSLAOverRandomHistories() throws {
        let seed = UInt64(16_040)
        var random = SeededRandom(seed: seed)
        for round in 0..<25 {
            let fixture = fixture()
            let configuration = try fixture.load()
            _ = try HistoryStore(path: fixture.historyURL)  // creates and migrates the history
            let checks = configuration.datasets.flatMap { dataset in dataset.checks.map { (dataset.name, $0.id, $0.typeName) } }
            try fill(fixture.historyURL, checkIDs: checks.map { (dataset: $0.0, id: $0.1, type: $0.2) }, random: &random)
            let history = try HistoryStore(path: fixture.historyURL)
            let window = Interval(seconds: 10 * 3_600)

            let report = try HTMLReport.load(configuration: configuration, history: history, window: window, now: Self.now)
            let sla = try SLABuilder(configuration: configuration, window: window, now: Self.now).build(history: history)

            let fromPass = report.sla.datasets + report.sla.tiers + [report.sla.overall]
            let read = sla.datasets + sla.tiers + [sla.overall]
            #expect(fromPass.map(\.name) == read.map(\.name), "seed \(seed), round \(round)")
            for (lhs, rhs) in zip(fromPass, read) {
                #expect(lhs.freshness == rhs.freshness, "seed \(seed), round \(round), \(lhs.name): \(String(describing: lhs.freshness)) vs \(String(describing: rhs.freshness))")
                #expect(lhs.availability == rhs.availability && lhs.passRate == rhs.passRate, "seed \(seed), round \(round), \(lhs.name)")
            }
        }
    }

    /// Results of one instant come back in `dqmon sla`'s order (status text, data timestamp with NULL first, id), and
    /// results of another type are left out; without either, the points are the pass's own array.
    @Test func slaPointsOrderOneInstantAsTheSLAQueryDoes() {
        typealias Point = FreshnessTimeline.Point
        let points = [Point(at: 1, status: .pass, dataTimestamp: 5), Point(at: 2, status: .warn, dataTimestamp: 1),
                      Point(at: 2, status: .fail, dataTimestamp: 3), Point(at: 2, status: .fail, dataTimestamp: nil),
                      Point(at: 2, status: .error, dataTimestamp: 9), Point(at: 3, status: .pass, dataTimestamp: nil)]
        let ordered = ReportDatasetReducer.slaPoints(points, leaving: [])
        #expect(ordered.map(\.status) == [.pass, .error, .fail, .fail, .warn, .pass])
        #expect(ordered.map(\.dataTimestamp) == [5, 9, nil, 3, 1, nil])
        let left = ReportDatasetReducer.slaPoints(points, leaving: [0, 4])
        #expect(left.map(\.status) == [.fail, .fail, .warn, .pass])
    }
}
