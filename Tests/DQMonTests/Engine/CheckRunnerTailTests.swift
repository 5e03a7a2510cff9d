@testable import DQMon
import DQMonTestSupport
import Foundation
import Testing

/// The runner's phases around the queries: warehouses opened while the history opens (`--all`), the text table
/// rendered while the run is recorded, and the config-order pass that leaves ordered results as they are.
@Suite struct CheckRunnerTailTests {
    let now = ProjectFixture.now

    /// A project of `datasets` tables with three checks each (all pass on the fixture's rows).
    func project(datasets: Int, empty: Set<Int> = []) throws -> ProjectFixture {
        let fixture = ProjectFixture()
        var yaml = "version: 1\ndatasets:\n"
        let warehouse = try fixture.warehouse()
        for index in 0..<datasets {
            yaml += """
                  - name: t\(index)
                    checks:
                      - freshness: { column: updated_at, warn_after: 2h }
                      - volume: { min_rows: 1 }
                      - volume: { name: daily, window: 1d, column: updated_at, min_rows: 1 }

                """
            try warehouse.table("t\(index)", timestamps: empty.contains(index) ? [] : [now.addingTimeInterval(-60)])
        }
        fixture.checks("all.yml", yaml)
        return fixture
    }

    /// The order the runner promised before the fast path: each result's configured position (unknown ids last),
    /// ties in input order.
    static func referenceOrder(_ results: [CheckResult], configuration: Configuration) -> [String] {
        var order: [String: Int] = [:]
        for (position, check) in configuration.checks.enumerated() { order[check.id] = position }
        return results.enumerated().sorted { left, right in
            (order[left.element.checkID, default: .max], left.offset) < (order[right.element.checkID, default: .max], right.offset)
        }.map(\.element.checkID)
    }

    @Test func configOrderMatchesTheStableSortOnShuffledSubsetsWithRepeatsAndUnknownIDs() throws {
        let fixture = try project(datasets: 12)
        let configuration = try fixture.load()
        let ids = configuration.checks.map(\.id) + ["nowhere/volume", "t3/volume/gone"]
        let runner = CheckRunner(configuration: configuration, history: try HistoryStore(path: fixture.historyURL))
        let seed = UInt64(Date().timeIntervalSince1970 * 1000)
        var generator = SeededRandom(seed: seed)
        for round in 0..<400 {
            var picked = ids.filter { _ in Bool.random(using: &generator) }
            if round % 3 == 0 { picked.shuffle(using: &generator) }
            if round % 5 == 0, let repeated = picked.randomElement(using: &generator) { picked.insert(repeated, at: Int.random(in: 0...picked.count, using: &generator)) }
            let results = picked.enumerated().map { offset, id in
                CheckResult(checkID: id, dataset: "d", warehouse: "main", checkType: "volume", status: .pass, observed: Double(offset),
                            observedText: "", expected: "", message: "", queryMilliseconds: nil, dataTimestamp: nil, evaluatedAt: now)
            }
            let ordered = runner.orderedAsConfigured(results)
            #expect(ordered.map(\.checkID) == Self.referenceOrder(results, configuration: configuration), "seed \(seed), round \(round)")
            // Ties keep their order: the observed value records each result's input position.
            #expect(ordered.map(\.observed) == Self.referenceStableObserved(results, configuration: configuration), "seed \(seed), round \(round)")
        }
    }

    static func referenceStableObserved(_ results: [CheckResult], configuration: Configuration) -> [Double?] {
        var order: [String: Int] = [:]
        for (position, check) in configuration.checks.enumerated() { order[check.id] = position }
        return results.enumerated().sorted { left, right in
            (order[left.element.checkID, default: .max], left.offset) < (order[right.element.checkID, default: .max], right.offset)
        }.map(\.element.observed)
    }

    @Test func allRunWhoseHistoryCannotOpenFailsAsBeforeWhileItsWarehouseWasOpening() async throws {
        let fixture = try project(datasets: 3)
        try FileManager.default.createDirectory(at: fixture.historyURL, withIntermediateDirectories: true)
        for all in [true, false] {
            do {
                _ = try await fixture.run(all: all)
                Issue.record("a history that is a folder must not open (all: \(all))")
            } catch let error as RunError {
                guard case .history(let history) = error else { Issue.record("expected a history error, got \(error)"); continue }
                #expect(history.description.contains("cannot open or migrate"), "\(history)")
            }
        }
    }

    @Test func theTableRenderedWhileRecordingIsTheReportsTableWithItsIncidentLines() async throws {
        let fixture = try project(datasets: 4, empty: [2])  // t2 empty: its checks fail and open incidents
        let configuration = try fixture.load()
        let recorded = try await CheckRunner.run(configuration: configuration, options: RunOptions(now: now, runAll: true), lockTimeout: 5,
                                                 alongsideRecording: { report in (report.runID, report.incidentChanges.count, RunReportRenderer.resultsAndSummary(report)) })
        #expect(recorded.side.0 == nil && recorded.side.1 == 0, "the side work sees the report before recording")
        #expect(recorded.report.runID != nil)
        #expect(!recorded.report.incidentChanges.isEmpty)
        #expect(RunReportRenderer.table(recorded.report, resultsAndSummary: recorded.side.2) == RunReportRenderer.table(recorded.report))
        #expect(recorded.report.results.map(\.checkID) == configuration.checks.map(\.id))
    }
}
