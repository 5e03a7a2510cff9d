import DQMon
import DQMonTestSupport
import Foundation
import GRDB
import Testing

/// Issue 18 through the real binary: a warehouse holding `inf`, a history holding NaN/±inf/1e308 (written by an older
/// dqmon), a silence stored with a huge end, and `--now` at the ends of the calendar. Every command prints valid
/// output and an honest exit code: never `{}` with exit 0, never a trap.
@Suite struct NonFiniteCommandTests {
    static let now = "2026-11-25T12:00:00Z"

    /// A table `t(ratio REAL, updated_at TEXT)` with one `inf` ratio, and an anomaly, a volume and a freshness check.
    func project() throws -> ProjectFixture {
        let fixture = ProjectFixture(dataset: "t", checks: """
                  - anomaly: { metric: mean(ratio), min_history: 3 }
                  - volume: { min_rows: 1 }
                  - freshness: { column: updated_at, warn_after: 2h, error_after: 6h }
            """)
        let warehouse = try fixture.warehouse()
        try warehouse.execute("CREATE TABLE t (ratio REAL, updated_at TEXT)")
        try warehouse.execute("INSERT INTO t VALUES (9e999, '2026-11-25 11:00:00'), (1.5, '2026-11-25 11:30:00')")
        return fixture
    }

    static func json(_ text: String) -> [String: Any]? {
        try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
    }

    @Test func checkJSONWithAnInfiniteMeanIsValidAndHonest() throws {
        let fixture = try project()
        for day in 20...24 {
            let output = try dqmon(["check", "--all", "--format", "json", "--now", "2026-11-\(day)T12:00:00Z"], in: fixture)
            let document = Self.json(output.stdout)
            #expect(document != nil, "not JSON: \(output.stdout.prefix(200)) / \(output.stderr)")
            let results = document?["results"] as? [[String: Any]] ?? []
            #expect(results.count == 3)
            for result in results {
                // null (absent) or a finite number, never a string or {}.
                #expect(result["observed"] == nil || result["observed"] is NSNull || (result["observed"] as? Double)?.isFinite == true)
            }
            let errors = results.filter { $0["status"] as? String == "error" }.count
            #expect(output.status == (errors > 0 ? 3 : output.status))
            #expect([0, 1, 2, 3].contains(output.status))
        }
    }

    /// Results an older dqmon stored with NaN/±inf/1e308 observed values and timestamps: `history` draws its trend
    /// and band, and `--format json` writes null for them.
    @Test func historyRendersNonFiniteStoredValues() throws {
        let fixture = try project()
        for day in 20...24 { _ = try dqmon(["check", "--all", "--now", "2026-11-\(day)T12:00:00Z"], in: fixture) }
        let history = try DatabaseQueue(path: fixture.historyURL.path)
        try history.write { db in
            try db.execute(sql: """
                UPDATE results SET observed = CASE id % 4 WHEN 0 THEN 9e999 WHEN 1 THEN -9e999 WHEN 2 THEN 1e308 ELSE NULL END,
                    observed_text = 'odd', expected = '1 – 9e999 (expected 2)', data_timestamp = CASE id % 2 WHEN 0 THEN 9e999 ELSE 1e30 END
                """)
            try db.execute(sql: "UPDATE metric_points SET value = 9e999")
        }
        for check in ["t/anomaly", "t/volume", "t/freshness"] {
            let table = try dqmon(["history", check, "--now", Self.now], in: fixture)
            #expect(table.status == 0, "\(check): \(table.stderr)")
            #expect(table.stdout.contains("\(check): 5 results"))
            let json = try dqmon(["history", check, "--format", "json", "--now", Self.now], in: fixture)
            #expect(json.status == 0)
            let results = Self.json(json.stdout)?["results"] as? [[String: Any]] ?? []
            #expect(results.count == 5, "\(json.stdout.prefix(300))")
            for result in results {
                #expect(result["observed"] == nil || (result["observed"] as? Double) == 1e308)
            }
        }
        let backtest = try dqmon(["backtest", "t/anomaly", "--now", Self.now], in: fixture)
        #expect(backtest.status == 0, "\(backtest.stderr)")
        for command in [["sla"], ["incidents"], ["sla", "--format", "json"], ["incidents", "--format", "json"]] {
            let output = try dqmon(command + ["--now", Self.now], in: fixture)
            #expect(output.status == 0, "\(command): \(output.stderr)")
            if command.contains("json") { #expect(Self.json(output.stdout) != nil) }
        }
    }

    /// A silence stored with an end far beyond any date (an older dqmon accepted `--for 99999999999999999999w`).
    @Test func silenceListShowsAHugeEnd() throws {
        let fixture = try project()
        _ = try dqmon(["check", "--all", "--now", Self.now], in: fixture)
        let added = try dqmon(["silence", "add", "--match", "dataset=t", "--for", "1h", "--reason", "test", "--now", Self.now], in: fixture)
        #expect(added.status == 0, "\(added.stderr)")
        let history = try DatabaseQueue(path: fixture.historyURL.path)
        for end in [1e300, 9e999, 1e30] {
            try history.write { db in try db.execute(sql: "UPDATE silences SET ends_at = ?", arguments: [end]) }
            let list = try dqmon(["silence", "list", "--now", Self.now], in: fixture)
            #expect(list.status == 0, "\(end): \(list.stderr)")
            #expect(list.stdout.contains("test"))
        }
    }

    /// `--now` parses and prints in one calendar (proleptic Gregorian), within years 0001...9999 and ±18:00.
    @Test func nowAtTheEndsOfTheCalendar() throws {
        let fixture = ProjectFixture(dataset: "t", checks: "      - volume: { min_rows: 1 }")
        try fixture.warehouse().execute("CREATE TABLE t (id INTEGER)")
        let earliest = try dqmon(["check", "--now", "0001-01-01"], in: fixture)
        #expect(earliest.stdout.contains("1 check at 0001-01-01T00:00:00Z"), "\(earliest.stdout) \(earliest.stderr)")
        let latest = try dqmon(["check", "--now", "9999-12-31T23:59:59+00:00"], in: fixture)
        #expect(latest.stdout.contains("1 check at 9999-12-31T23:59:59Z"), "\(latest.stdout) \(latest.stderr)")
        let julianGap = try dqmon(["check", "--now", "1582-10-10T00:00:00Z"], in: fixture)
        #expect(julianGap.stdout.contains("1 check at 1582-10-10T00:00:00Z"))
        for (now, says) in [("2026-11-25T12:00:00-99:00", "-99:00 is outside -18:00...+18:00"), ("0000-12-31", "0001-01-01"),
                            ("10000-01-01", "0001-01-01"), ("2026-02-29", "day 29 does not exist"), ("soon", "not an ISO 8601 time")] {
            for command in [["check"], ["history", "t/volume"], ["sla"]] {
                let output = try dqmon(command + ["--now", now], in: fixture)
                #expect(output.status == 3, "\(command) --now \(now)")
                #expect(output.stderr.split(separator: "\n").count == 1 && output.stderr.contains("--now"), "\(output.stderr)")
                #expect(output.stderr.contains(says), "\(output.stderr)")
            }
        }
    }
}
