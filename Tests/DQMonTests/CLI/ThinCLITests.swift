import DQMon
import DQMonTestSupport
import Foundation
import Testing

/// The CLI as a thin layer: every failure is one `DQMonError` printed once by `main` with its exit code, the
/// workflows (backfill, backtest, history, prune) run through library entry points, and the documented surface
/// (`--help`, `alerts --format json`, `prune --lock-timeout`) holds through the real binary.
@Suite struct ThinCLITests {
    /// `orders` (a fresh freshness check) and `events` (an anomaly check on daily volume), both in the SQLite warehouse.
    func project() throws -> ProjectFixture {
        let fixture = ProjectFixture()
        fixture.checks("shop.yml", """
            version: 1
            datasets:
              - name: orders
                checks:
                  - freshness: { column: updated_at, warn_after: 2h, error_after: 6h }
              - name: events
                checks:
                  - anomaly: { metric: row_count_1d, column: created_at }
            """)
        let warehouse = try fixture.warehouse()
        try warehouse.table("orders", timestamps: [ProjectFixture.now.addingTimeInterval(-600)])
        // 10 rows a day for the 5 days before now, an hour into each day.
        try warehouse.table("events", column: "created_at", timestamps: (1...5).flatMap { day in
            (0..<10).map { ProjectFixture.now.addingTimeInterval(-Double(day) * 86_400 + 3_600 + Double($0)) }
        })
        return fixture
    }

    static let now = ["--now", "2026-11-25T12:00:00Z"]

    @Test func helpDescribesEveryCheckTypeAndCommand() throws {
        let help = try dqmon(["--help"], in: try project())
        #expect(help.status == 0)
        let words = help.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(words.contains("OVERVIEW: Data quality and observability monitor: freshness, volume, schema and anomaly checks"))
        for type in ["freshness", "volume", "schema", "anomaly"] {
            #expect(help.stdout.contains("\n  \(type) "), "discussion lacks \(type)")
        }
        for command in ["check", "validate", "history", "prune", "incidents", "sla", "alerts", "silence", "backfill", "backtest", "demo"] {
            #expect(help.stdout.contains(command), "help lacks \(command)")
        }
    }

    @Test func alertsJSONCarriesTheVersionLikeEveryOtherJSONDocument() throws {
        let fixture = try project()
        #expect(try dqmon(["check", "--all"] + Self.now, in: fixture).status == 0)
        let output = try dqmon(["alerts", "--format", "json"] + Self.now, in: fixture)
        #expect(output.status == 0)
        let document = try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any]
        #expect(document?["version"] as? String == "1")
        #expect(document?["notifications"] as? [Any] != nil)
        #expect(document?["held"] as? [Any] != nil)
        #expect(output.stdout.hasPrefix(#"{"version":"1","#), "version comes first: \(output.stdout)")
    }

    /// Each failure: exactly one stderr line, nothing on stdout, its exit code.
    @Test func everyFailureIsOneLineWithItsExitCode() throws {
        let fixture = try project()
        let cases: [(arguments: [String], stderrPrefix: String, status: Int32)] = [
            (["history", "nosuch/check"], "dqmon: error: unknown check id 'nosuch/check'", 3),
            (["history", "nosuch", "--schema"], "dqmon: error: unknown dataset 'nosuch'", 3),
            (["backfill", "nosuch", "--column", "created_at"], "dqmon: error: unknown dataset 'nosuch'", 3),
            (["backfill", "events", "--column", "no_such_column"], "dqmon: error: events: ", 3),
            (["backtest", "orders/freshness"],
             "dqmon: error: 'orders/freshness' is a freshness check; backtest replays anomaly checks (or use --csv)", 3),
            (["backtest", "nosuch/anomaly"], "dqmon: error: unknown check id 'nosuch/anomaly'", 3),
            (["backtest", "--csv", "missing.csv"], "dqmon: error: missing.csv: cannot read the file (", 3),
            (["sla", "--dataset", "nosuch"], "dqmon: error: unknown dataset 'nosuch'", 3),
            (["silence", "expire", "7"], "dqmon: error: no active silence #7 ('dqmon silence list' shows them)", 3),
            (["incidents", "show", "9"], "dqmon: error: ", 3),
            (["check", "--select", "tier:9"], "dqmon: error: --select/--exclude ", 3),
            (["demo", "--postgres", "postgres://u@localhost/db?sslmode=verify_full"],
             "dqmon: error: --postgres unknown sslmode 'verify_full' in the URL; use one of: disable, prefer, require, verify-full", 3),
        ]
        for testCase in cases {
            let output = try dqmon(testCase.arguments + Self.now, in: fixture)
            #expect(output.status == testCase.status, "\(testCase.arguments): \(output.stderr)")
            #expect(output.stderr.hasPrefix(testCase.stderrPrefix), "\(testCase.arguments): \(output.stderr)")
            #expect(output.stderr.filter { $0 == "\n" }.count == 1, "\(testCase.arguments): \(output.stderr)")
            #expect(output.stdout.isEmpty, "\(testCase.arguments): \(output.stdout)")
        }
    }

    /// The class, not the example: every command that opens the history reports a damaged one as one line, exit 3,
    /// nothing on stdout (each maps its failure to a DQMonError; main prints it once).
    @Test func everyHistoryCommandReportsADamagedHistoryOnce() throws {
        let fixture = try project()
        #expect(try dqmon(["check", "--all"] + Self.now, in: fixture).status == 0)
        var data = try Data(contentsOf: fixture.historyURL)
        data.replaceSubrange(0..<16, with: Data(repeating: 0x41, count: 16))
        try data.write(to: fixture.historyURL)
        let commands: [[String]] = [
            ["check", "--all"], ["check", "--dry-run"], ["history", "orders/freshness"], ["history", "orders", "--schema"],
            ["history", "backup", "copy.sqlite"], ["prune"], ["incidents"], ["incidents", "show", "1"], ["incidents", "ack", "1"],
            ["incidents", "resolve", "1"], ["incidents", "note", "1", "text"], ["sla"], ["alerts"], ["alerts", "flush"],
            ["alerts", "test", "nosuch"], ["silence", "list"], ["silence", "expire", "1"],
            ["silence", "add", "--match", "dataset=orders", "--for", "1h", "--reason", "r"],
            ["backtest", "events/anomaly"], ["backfill", "events", "--column", "created_at"],
        ]
        for command in commands {
            let output = try dqmon(command + Self.now, in: fixture)
            #expect(output.status == 3, "\(command): \(output.status) \(output.stderr)")
            #expect(output.stderr.hasPrefix("dqmon: error: "), "\(command): \(output.stderr)")
            #expect(output.stderr.filter { $0 == "\n" }.count == 1, "\(command): \(output.stderr)")
            #expect(output.stdout.isEmpty, "\(command): \(output.stdout)")
        }
    }

    @Test func configErrorsPrintEachProblemThenOneSummary() throws {
        let fixture = try project()
        fixture.checks("broken.yml", "version: 1\ndatasets:\n  - name: broken\n    checks:\n      - freshnes: { column: x }\n")
        let output = try dqmon(["history", "orders/freshness"], in: fixture)
        #expect(output.status == 3)
        let lines = output.stderr.split(separator: "\n").map(String.init)
        #expect(lines.count >= 2)
        #expect(lines.dropLast().allSatisfy { $0.contains("broken.yml:") && !$0.hasPrefix("dqmon:") }, "\(lines)")
        #expect(lines.last == "dqmon: error: \(lines.count - 1) configuration error\(lines.count == 2 ? "" : "s"); nothing was run")
    }

    @Test func pruneWaitsForTheLockAsLongAsLockTimeoutSays() throws {
        let fixture = try project()
        #expect(try dqmon(["check", "--all"] + Self.now, in: fixture).status == 0)
        let tooLong = try dqmon(["prune", "--lock-timeout", "2d"], in: fixture)
        #expect(tooLong.status == 3)
        #expect(tooLong.stderr == "dqmon: error: --lock-timeout must be at most 1d, got '2d' (see 'dqmon --help')\n")
        // The lock held here, as by a running 'dqmon check': prune gives up after --lock-timeout, not 60 s.
        let held = try Self.holdingTheLock(of: fixture) { try dqmon(["prune", "--lock-timeout", "0.05s"] + Self.now, in: fixture) }
        #expect(held.status == 3)
        #expect(held.stderr == "dqmon: error: another dqmon process holds the history lock .dqmon/history.sqlite.lock; gave up after 0s "
                + "(raise --lock-timeout, or look for a stuck run: fuser .dqmon/history.sqlite.lock)\n")
        let pruned = try dqmon(["prune"] + Self.now, in: fixture)
        #expect(pruned.status == 0)
        #expect(pruned.stdout.hasPrefix("pruned 0 run(s) older than 400d (before "), "\(pruned.stdout)")
    }

    /// Runs `body` while this process holds the project's history lock; released (closed) when it returns.
    static func holdingTheLock<T>(of fixture: ProjectFixture, _ body: () throws -> T) throws -> T {
        let lock = try RunLock.acquire(for: fixture.historyURL, timeout: 1)
        return try withExtendedLifetime(lock) { try body() }
    }

    @Test func backfillStoresOnePointPerBucketThroughTheCLI() throws {
        let fixture = try project()
        let output = try dqmon(["backfill", "events", "--column", "created_at", "--days", "7"] + Self.now, in: fixture)
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout == "stored 7 row_count_1d points for events (50 rows, 2026-11-18T00:00:00Z → 2026-11-25T00:00:00Z, source 'backfill')\n")
    }

    /// The library entry point the CLI calls: same points, stored in the history, one error type on failure.
    @Test func backfillLibraryEntryPoint() async throws {
        let fixture = try project()
        let summary = try await VolumeBackfill.run(configuration: try fixture.load(), dataset: "events", column: "created_at", days: 7,
                                                   interval: Interval(seconds: 86_400), now: ProjectFixture.now)
        #expect(summary.points.map(\.value) == [0, 0, 10, 10, 10, 10, 10])
        #expect(summary.rowCount == 50)
        let stored = try HistoryStore(path: fixture.historyURL)
            .metricSeries([HistoryStore.SeriesKey(dataset: "events", metric: "row_count_1d"): .distantPast])
        #expect(stored.values.first?.count == 7)
        await #expect(throws: DQMonError.self) {
            try await VolumeBackfill.run(configuration: try fixture.load(), dataset: "orderz", column: "x", days: 1,
                                         interval: Interval(seconds: 86_400), now: ProjectFixture.now)
        }
    }

    @Test func schemaHistoryQueryIsTotalOverItsLimit() throws {
        let fixture = try project()
        let configuration = try fixture.load()
        for limit in [Int.min, -1, 0, 1, Int.max] {
            let entries = try HistoryQuery.schemaChanges(configuration: configuration, dataset: "orders", since: nil, limit: limit)
            #expect(entries.isEmpty, "limit \(limit)")
        }
    }

    @Test func rollingMeanBacktestUsesTheSensitivityAsK() {
        // A flat series with one spike: k = 3 flags the spike, k = 100 flags nothing.
        var samples = (0..<40).map { (time: Double($0) * 86_400, value: 100 + Double($0 % 3)) }
        samples.append((time: 40 * 86_400, value: 110))  // about 11 standard deviations above the mean
        let series = AnomalyCSV.Series(labels: samples.map { String($0.time) }, samples: samples)
        #expect(AnomalyBacktest.flags(series, method: .rollingMean, settings: AnomalySettings(sensitivity: 3)).flagged == 1)
        #expect(AnomalyBacktest.flags(series, method: .rollingMean, settings: AnomalySettings(sensitivity: 100)).flagged == 0)
        let csv = AnomalyBacktest.flags(series, method: .dqmon, settings: AnomalySettings(sensitivity: 3)).csv
        #expect(csv.hasPrefix("timestamp,is_anomaly,score,expected,lower,upper\n"))
    }
}
