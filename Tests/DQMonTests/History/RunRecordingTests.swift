@testable import DQMon
import DQMonTestSupport
import Foundation
import GRDB
import Testing

/// A run's results, check states and metric points are bound with SQLite's own calls (`HistoryTransaction.executeEach`):
/// every value must read back as written (NULLs, text of any kind, flags), and a failing row must fail the whole run's
/// transaction (seeded; the seed is in each failure message).
@Suite struct RunRecordingTests {
    static let texts = ["", "plain", "it's \"quoted\"", "naïve café", "日本語", "e\u{301}", "tab\there", "line\nbreak", "emoji 🚀", "x;y--z"]

    func randomResult(_ index: Int, random: inout SeededRandom) -> CheckResult {
        func text() -> String { (Self.texts.randomElement(using: &random) ?? "") + String(index) }
        func number() -> Double? { Bool.random(using: &random) ? nil : Double(Int.random(in: -1_000_000...1_000_000, using: &random)) / 8 }
        let statuses: [CheckStatus] = [.pass, .warn, .fail, .error, .skipped]
        let low = number(), high = low.map { $0 + 1 }
        return CheckResult(checkID: "d\(index % 7)/\(text())", dataset: "d\(index % 7)", warehouse: text(), checkType: text(),
                           status: statuses.randomElement(using: &random) ?? .pass, observed: number(), observedText: text(),
                           expected: text(), message: text(), queryMilliseconds: number(), dataTimestamp: number(),
                           evaluatedAt: Date(timeIntervalSince1970: 1_795_600_800 + Double(index)),
                           expectedRange: low.flatMap { low in high.flatMap { ExpectedRange(lower: low, upper: $0) } })
    }

    /// Text is stored up to its first NUL, as binding it as a C string (GRDB, and this binding before) stored it.
    @Test func textStopsAtItsFirstNUL() throws {
        let directory = TemporaryDirectory()
        let history = try HistoryStore(path: directory.path("history.sqlite"))
        let texts = ["before\u{0}after", "\u{0}", "", "é\u{0}\u{0}x", "long enough to live on the heap, then\u{0}gone"]
        let results = texts.enumerated().map { index, text in
            CheckResult(checkID: "d/\(index)", dataset: "d", warehouse: "main", checkType: "volume", status: .pass, observed: 1,
                        observedText: text, expected: text, message: text, queryMilliseconds: nil, dataTimestamp: nil,
                        evaluatedAt: Date(timeIntervalSince1970: 1_795_600_800))
        }
        try history.record(run: RunRecord(startedAt: Date(timeIntervalSince1970: 0), finishedAt: Date(timeIntervalSince1970: 1),
                                          evaluatedAt: Date(timeIntervalSince1970: 1), configHash: "h", host: "test", selection: "all",
                                          exitCode: 0), results: results, metrics: [])
        for (index, text) in texts.enumerated() {
            let stored = try history.results(checkID: "d/\(index)", limit: 1).first
            let expected = String(text.prefix { $0 != "\u{0}" })
            #expect(stored?.message == expected && stored?.observedText == expected && stored?.expected == expected, "\(text.debugDescription)")
        }
    }

    @Test func everyValueReadsBackAsWritten() throws {
        let seed = UInt64(ProcessInfo.processInfo.environment["DQMON_TEST_SEED"] ?? "") ?? 20_261_130
        var random = SeededRandom(seed: seed)
        let directory = TemporaryDirectory()
        let history = try HistoryStore(path: directory.path("history.sqlite"))
        let results = (0..<200).map { randomResult($0, random: &random) }
        let points = (0..<50).map { SeriesPoint(dataset: "d\($0 % 7)", metric: "m\($0)", value: Double($0) / 3,
                                                measuredAt: Date(timeIntervalSince1970: Double($0)), flagged: $0 % 3 == 0) }
        let run = RunRecord(startedAt: Date(timeIntervalSince1970: 0), finishedAt: Date(timeIntervalSince1970: 1),
                            evaluatedAt: Date(timeIntervalSince1970: 1), configHash: "h", host: "test", selection: "all", exitCode: 0)
        try history.record(run: run, results: results, metrics: points)
        for result in results {
            let stored = try history.results(checkID: result.checkID, limit: 1).first
            let context = "seed \(seed) (DQMON_TEST_SEED), \(result.checkID.debugDescription)"
            #expect(stored?.dataset == result.dataset, "\(context)")
            #expect(stored?.warehouse == result.warehouse, "\(context)")
            #expect(stored?.checkType == result.checkType, "\(context)")
            #expect(stored?.status == result.status, "\(context)")
            #expect(stored?.observed == result.observed, "\(context)")
            #expect(stored?.observedText == result.observedText, "\(context)")
            #expect(stored?.expected == result.expected, "\(context)")
            #expect(stored?.message == result.message, "\(context)")
            #expect(stored?.queryMilliseconds == result.queryMilliseconds, "\(context)")
            #expect(stored?.dataTimestamp == result.dataTimestamp, "\(context)")
            #expect(stored?.evaluatedAt == result.evaluatedAt, "\(context)")
            #expect(stored?.expectedRange == result.expectedRange, "\(context)")
        }
        let states = try history.checkStates()
        #expect(states.count == Set(results.filter(\.status.isEvaluated).map(\.checkID)).count, "seed \(seed)")
        let stored = try history.read { db in
            try Row.fetchAll(db, sql: "SELECT dataset, metric, value, measured_at, source, flagged FROM metric_points ORDER BY id")
        }
        #expect(stored.count == points.count)
        for (row, point) in zip(stored, points) {
            #expect(row[0] as String == point.dataset && row[1] as String == point.metric)
            #expect(row[2] as Double == point.point.value && row[3] as Double == point.point.time)
            #expect(row[4] as String == "check" && row[5] as Bool == point.point.flagged)
        }
    }

    @Test func aFailingRowRollsBackTheRun() throws {
        let directory = TemporaryDirectory()
        let history = try HistoryStore(path: directory.path("history.sqlite"))
        #expect(throws: HistoryError.self) {
            try history.recordRun { transaction in
                try transaction.executeEach("INSERT INTO metric_points (run_id, dataset, metric, value, measured_at, source, flagged) VALUES (?, ?, ?, ?, ?, ?, ?)",
                                            [1.0, .nan]) { row, value in
                    row.bind(Int64?.none)
                    row.bind("d")
                    row.bind("m")
                    row.bind(value)  // NaN is bound as NULL: value is NOT NULL
                    row.bind(0.0)
                    row.bind("check")
                    row.bind(Int64(0))
                }
            }
        }
        #expect(throws: HistoryError.self) {
            try history.recordRun { transaction in
                try transaction.executeEach("INSERT INTO metric_points (dataset, metric, value, measured_at, source, flagged) VALUES (?, ?, ?, ?, ?, ?)", [1]) { row, _ in
                    row.bind("too few values")
                }
            }
        }
        #expect(try history.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM metric_points") } == 0)
    }
}
