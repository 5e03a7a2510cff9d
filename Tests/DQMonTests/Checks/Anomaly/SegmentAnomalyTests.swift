import DQMon
import DQMonTestSupport
import Foundation
import GRDB
import Testing

/// Per-segment anomalies (issue 19, `group_by`): one grouped statement, a series per segment in history, each segment
/// judged on its own, so a drop in one country fails the check while the total stays healthy. Through `dqmon check`
/// with `--now`, one run per day over a 16-day SQLite history.
@Suite struct SegmentAnomalyTests {
    static let now = ProjectFixture.now
    static let days = 16
    static let settings = "metric: row_count_1d, column: created_at, min_history: 7, training: 14d, seasonality: none"
    static let segmented = "anomaly: { \(settings), group_by: country }"
    static let total = "anomaly: { name: total, \(settings) }"

    /// A normal day's rows: US about 5,000, DE about 300, FR about 100 (a fixed wobble per day, no randomness).
    static func normal(_ day: Int) -> [(String?, Int)] {
        [("US", 5_000 + (day * 37 % 11 - 5) * 40), ("DE", 300 + (day * 13 % 7 - 3) * 4), ("FR", 100 + (day * 7 % 5 - 2) * 2)]
    }

    static func dayEnd(_ day: Int) -> Date { now.addingTimeInterval(-Double(days - 1 - day) * 86_400) }

    /// Loads each day's rows and runs `dqmon check --all` at the end of the day, as a daily scheduler would;
    /// `lastDay` may change the table before the last run (delete a country's rows).
    static func runDaily(_ fixture: ProjectFixture, rows: (Int) -> [(String?, Int)],
                         lastDay: (WarehouseFixture) throws -> Void = { _ in }) throws -> CommandLineRunner.Output {
        let warehouse = try fixture.warehouse()
        try warehouse.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, created_at TEXT, country TEXT)")
        var last: CommandLineRunner.Output?
        for day in 0..<days {
            let start = dayEnd(day).addingTimeInterval(-82_800)
            for (country, count) in rows(day) {
                try warehouse.execute("""
                    WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?)
                    INSERT INTO orders (created_at, country) SELECT strftime('%Y-%m-%d %H:%M:%S', ?, '+' || (i % 3600) || ' seconds'), ? FROM n
                    """, [count, WarehouseFixture.text(start), country])
            }
            if day == days - 1 { try lastDay(warehouse) }
            last = try CommandLineRunner.run(["check", "--all", "--format", "json", "--now", ISO8601.string(from: dayEnd(day))],
                                             in: fixture.root)
        }
        return try #require(last)
    }

    static func latest(_ fixture: ProjectFixture, _ checkID: String) throws -> CheckResult {
        try HistoryStore(path: fixture.historyURL).results(checkID: checkID, limit: 1)[0]
    }

    @Test func aDropInOneCountryFailsWhileTheTotalPasses() throws {
        let fixture = ProjectFixture(dataset: "orders", checks: "      - \(Self.segmented)\n      - \(Self.total)")
        let output = try Self.runDaily(fixture) { day in
            day == Self.days - 1 ? [("US", 5_000), ("DE", 150), ("FR", 100)] : Self.normal(day)
        }
        #expect(output.status == 1, "\(output.stdout) \(output.stderr)")
        let segmented = try Self.latest(fixture, "orders/anomaly")
        let total = try Self.latest(fixture, "orders/anomaly/total")
        #expect(segmented.status == .fail, "\(segmented.message)")
        #expect(segmented.message.hasPrefix("1 of 3 segments anomalous: row_count_1d [country=DE] 150: drop"), "\(segmented.message)")
        #expect(segmented.message.contains("2 within range"), "\(segmented.message)")
        #expect(segmented.observedText == "1 of 3 segments anomalous")
        #expect(total.status == .pass, "the total (5,250 of about 5,400) is healthy: \(total.message)")

        // Each segment is its own series in history; the dropped point is flagged, so it never trains DE's baseline.
        let history = try HistoryStore(path: fixture.historyURL)
        let series = try history.segmentSeries([.init(dataset: "orders", metric: "row_count_1d ["): Self.now.addingTimeInterval(-30 * 86_400)])
        #expect(Set(series.keys.map(\.metric)) == ["row_count_1d [country=DE]", "row_count_1d [country=FR]", "row_count_1d [country=US]"])
        let germany = try #require(series[.init(dataset: "orders", metric: "row_count_1d [country=DE]")])
        #expect(germany.count == Self.days && germany.last?.value == 150 && germany.last?.flagged == true, "\(germany.suffix(2))")
        #expect(series[.init(dataset: "orders", metric: "row_count_1d [country=US]")]?.last?.flagged == false)

        // The day before, every segment passed (learning first, then judged).
        let runs = try history.results(checkID: "orders/anomaly", limit: Self.days)
        #expect(runs.dropFirst().prefix(Self.days - 8).allSatisfy { $0.status == .pass }, "\(runs.map(\.message))")
        #expect(runs.last?.status == .skipped && runs.last?.message.contains("no segment has enough history yet") == true,
                "\(runs.last?.message ?? "")")

        // `dqmon backtest --segment` replays one segment's series; without it, one line says which exist (exit 3).
        let at = ISO8601.string(from: Self.now)
        let replay = try CommandLineRunner.run(["backtest", "orders/anomaly", "--segment", "country=DE", "--since", "1d", "--now", at],
                                               in: fixture.root)
        #expect(replay.status == 0 && replay.stdout.contains("row_count_1d [country=DE]"), "\(replay.stdout) \(replay.stderr)")
        let missing = try CommandLineRunner.run(["backtest", "orders/anomaly", "--now", at], in: fixture.root)
        #expect(missing.status == 3, "\(missing.stdout) \(missing.stderr)")
        #expect(missing.stderr.contains("add --segment, e.g. --segment 'country=DE'; recorded: country=DE; country=FR; country=US"), "\(missing.stderr)")
        let unknown = try CommandLineRunner.run(["backtest", "orders/anomaly", "--segment", "country=XX", "--now", at], in: fixture.root)
        #expect(unknown.status == 3 && unknown.stderr.contains("has no recorded segment 'country=XX'"), "\(unknown.stderr)")
    }

    @Test func aVanishedCountryIsADropAndANewOneIsLearning() throws {
        let fixture = ProjectFixture(dataset: "orders", checks: "      - \(Self.segmented)")
        let output = try Self.runDaily(fixture, rows: { day in
            day == Self.days - 1 ? [("US", 5_000), ("DE", 300), ("IT", 40)] : Self.normal(day)
        }, lastDay: { try $0.execute("DELETE FROM orders WHERE country = 'FR'") })
        #expect(output.status == 1, "\(output.stdout)")
        let result = try Self.latest(fixture, "orders/anomaly")
        #expect(result.message.hasPrefix("1 of 4 segments anomalous: row_count_1d [country=FR]: vanished (no rows now; "), "\(result.message)")
        #expect(result.message.contains("2 within range; 1 learning (new segment, "), "\(result.message)")
    }

    /// `max_segments` bounds the statement: the largest segments are judged one by one, the rest folded into `other`
    /// by the same statement (a second aggregation level over the ranked segments), and the result says so.
    @Test func maxSegmentsFoldsTheRestIntoOther() throws {
        let fixture = ProjectFixture(dataset: "orders", checks: "      - anomaly: { \(Self.settings), group_by: [country], max_segments: 2 }")
        _ = try Self.runDaily(fixture) { Self.normal($0) }
        let result = try Self.latest(fixture, "orders/anomaly")
        #expect(result.status == .pass, "\(result.message)")
        #expect(result.message.contains("all 3 judged segments within range"), "\(result.message)")
        #expect(result.message.contains("the 2 largest of 3 segments judged one by one (max_segments: 2), the other 1 as [other]"), "\(result.message)")
        let dryRun = try CommandLineRunner.run(["check", "--all", "--dry-run", "--now", ISO8601.string(from: Self.now)], in: fixture.root)
        #expect(dryRun.stdout.contains("GROUP BY CAST(\"country\" AS TEXT)") && dryRun.stdout.contains("row_number() OVER (ORDER BY dqmon_g.dqmon_rows DESC")
                && dryRun.stdout.contains("CASE WHEN dqmon_r.dqmon_rank <= 2 THEN dqmon_r.dqmon_rank ELSE 3 END"), "\(dryRun.stdout)")
    }

    /// Segment values are data: a country holding a newline, a terminal escape and 300 characters is shown escaped,
    /// on one line and shortened, in the terminal and in the alert; its history key is bounded.
    @Test func segmentValuesAreEscapedAndBoundedEverywhere() throws {
        let hostile = "evil\n\u{1B}[31mred" + String(repeating: "x", count: 300)
        let fixture = ProjectFixture(dataset: "orders", checks: "      - \(Self.segmented)")
        fixture.alerts("""
            version: 1
            receivers:
              local: { type: file, path: alerts.jsonl }
            routes:
              - receivers: [local]
            """)
        let output = try Self.runDaily(fixture) { day in
            [("US", 5_000), (hostile, day == Self.days - 1 ? 20 : 200 + (day % 3) * 5), (nil, 50)]
        }
        let table = try CommandLineRunner.run(["history", "orders/anomaly", "--now", ISO8601.string(from: Self.now)], in: fixture.root)
        let result = try Self.latest(fixture, "orders/anomaly")
        #expect(result.status == .fail, "\(result.message)")
        #expect(result.message.contains("[country='evil\\n\\u{1b}[31mredxxx"), "\(result.message)")
        #expect(!result.message.contains("\n") && !result.message.contains("\u{1B}") && result.message.count < 1_000, "\(result.message)")
        #expect(!output.stdout.contains("\u{1B}") && !table.stdout.contains("\u{1B}"), "no raw escape reaches the terminal")
        let alerts = (try? String(contentsOf: fixture.root.appendingPathComponent("alerts.jsonl"), encoding: .utf8)) ?? ""
        #expect(alerts.contains("evil") && !alerts.contains("\u{1B}"), "\(alerts)")
        let keys = try HistoryStore(path: fixture.historyURL)
            .segmentSeries([.init(dataset: "orders", metric: "row_count_1d ["): Self.now.addingTimeInterval(-30 * 86_400)]).keys.map(\.metric)
        #expect(keys.contains("row_count_1d [country=%null]"), "NULL is its own segment: \(keys)")
        #expect(keys.allSatisfy { $0.count < 160 && !$0.contains("\n") }, "\(keys)")
    }

    /// The key of a segment round-trips for any value (seeded), never holds a control character, and bounded values
    /// stay distinct.
    @Test func segmentKeysRoundTripAndStayBounded() {
        var generator = SegmentTestGenerator(seed: 19)
        let alphabet: [Character] = ["a", "Z", "0", " ", ",", "=", "[", "]", "%", "~", "\n", "\t", "\u{1B}", "é", "日", "\u{200E}", "\u{2028}", "'", "\""]
        for round in 0..<500 {
            let length = Int.random(in: 0...(round % 10 == 0 ? 400 : 20), using: &generator)
            let value = String((0..<length).map { _ in alphabet.randomElement(using: &generator)! })
            let segment = Segment(columns: ["country", "a,b"], values: [value, round % 7 == 0 ? nil : "x"])
            let key = SegmentKey.key(metric: "row_count_1d", segment: segment)
            #expect(!key.unicodeScalars.contains { $0.properties.generalCategory == .control }, "seed 19 round \(round): \(key)")
            let decoded = SegmentKey.segment(in: key, metric: "row_count_1d")
            #expect(key.count < 260, "seed 19 round \(round): \(key)")
            if decoded != segment {
                #expect(decoded?.values[0]?.hasSuffix("…") == true && value.unicodeScalars.count > 11, "seed 19 round \(round): \(key)")
                #expect(key != SegmentKey.key(metric: "row_count_1d", segment: Segment(columns: segment.columns, values: [value + "y", segment.values[1]])))
            }
            #expect(!segment.display.unicodeScalars.contains { $0.properties.generalCategory == .control }, "seed 19 round \(round)")
        }
    }

    @Test func configErrorsSayWhatToWrite() {
        let errors = ProjectFixture.configErrors(checks: """
            version: 1
            datasets:
              - name: orders
                checks:
                  - anomaly: { metric: row_count, max_segments: 5 }
                  - anomaly: { name: b, sql: "select 1", group_by: country }
                  - anomaly: { name: c, metric: row_count, group_by: [country, country] }
                  - anomaly: { name: d, metric: row_count, group_by: country, max_segments: 0 }
            """)
        #expect(errors.contains { $0.contains(":5:") && $0.contains("'max_segments' bounds the segments of 'group_by'") }, "\(errors)")
        #expect(errors.contains { $0.contains("'group_by' works with the built-in metrics, not with 'sql'") }, "\(errors)")
        #expect(errors.contains { $0.contains("'group_by' lists a column twice") }, "\(errors)")
        #expect(errors.contains { $0.contains("'max_segments' must be between 1 and 1000, got 0") }, "\(errors)")
    }
}

/// A small seeded generator (SplitMix64), so a failing round can be replayed from the seed in its message.
private typealias SegmentTestGenerator = SeededRandom  // DQMon's SplitMix64: the same sequence for the same seed
