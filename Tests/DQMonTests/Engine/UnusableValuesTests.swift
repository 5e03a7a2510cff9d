import DQMon
import DQMonTestSupport
import Foundation
import Testing

/// A value in the warehouse that dqmon cannot use (infinity, NaN, a timestamp beyond year 9999) makes the checks
/// that read it an `error` saying what was found; every other check and dataset is evaluated and the run recorded.
@Suite struct UnusableValuesTests {
    @Test func infiniteAndAbsurdValuesAreThatChecksErrorAndTheRunIsKept() throws {
        let project = ProjectFixture()
        let warehouse = try project.warehouse()
        try warehouse.execute("CREATE TABLE m (id INTEGER PRIMARY KEY, ratio REAL, updated_at REAL, loaded_at TEXT)")
        try warehouse.execute("INSERT INTO m (ratio, updated_at, loaded_at) VALUES (9e999, 1e30, '2026-11-25 11:00:00'), (0.5, 1764000000, '2026-11-25 10:00:00')")
        try warehouse.table("orders", timestamps: [ProjectFixture.now.addingTimeInterval(-600)])
        project.checks("m.yml", """
            version: 1
            datasets:
              - name: m
                checks:
                  - freshness: { column: updated_at, error_after: 1d }
                  - freshness: { name: loaded, column: loaded_at, error_after: 1d }
                  - anomaly: { metric: mean(ratio) }
                  - anomaly: { name: inf_sql, sql: "select 9e999" }
              - name: orders
                checks:
                  - freshness: { column: updated_at, error_after: 1d }
            """)
        let output = try CommandLineRunner.run(["check", "--all", "--format", "json", "--now", "2026-11-25T12:00:00Z"], in: project.root)
        #expect(output.status == 3, "\(output.stderr)")
        let results = try #require(output.checkResults, "\(output.stdout)")
        func field(_ id: String, _ key: String) -> String? { results[id]?[key] as? String }
        #expect(field("m/freshness", "status") == "error")
        #expect(field("m/freshness", "message")?.contains("latest updated_at is 1e+27 seconds from 1970, outside years 1-9999") == true, "\(results)")
        #expect(field("m/freshness/loaded", "status") == "pass")
        #expect(field("m/anomaly", "message")?.contains("mean(ratio) is +infinity") == true, "\(results)")
        #expect(field("m/anomaly/inf_sql", "message")?.contains("the sql: metric returned +infinity") == true, "\(results)")
        #expect(field("orders/freshness", "status") == "pass")
        for check in ["orders/freshness", "m/freshness", "m/anomaly"] {
            let history = try CommandLineRunner.run(["history", check], in: project.root)
            #expect(history.status == 0, "\(check): \(history.stderr)")
        }
    }

    /// The last millisecond of the year 9999 is a timestamp SQLite reads, and dqmon too (it was reported as outside the
    /// years 1–9999), through `dqmon check`: with a declared form or without, indexed or not.
    @Test func theLastMillisecondOfTheYear9999IsATimestamp() throws {
        let project = ProjectFixture()
        let warehouse = try project.warehouse()
        try warehouse.execute("CREATE TABLE late (id INTEGER PRIMARY KEY, ts TEXT)")
        try warehouse.execute("INSERT INTO late (ts) VALUES ('2026-11-25 11:00:00'), ('9999-12-31 23:59:59.999')")
        for (declared, indexed) in [("", false), ("", true), ("\n    timestamp_format: utc_text", true)] {
            if indexed { try warehouse.execute("CREATE INDEX IF NOT EXISTS late_ts ON late (ts)") }
            project.checks("late.yml", """
                version: 1
                datasets:
                  - name: late\(declared)
                    checks:
                      - freshness: { column: ts, error_after: 1d }
                """)
            let output = try CommandLineRunner.run(["check", "--all", "--format", "json", "--now", "2026-11-25T12:00:00Z"], in: project.root)
            let result = output.checkResults?["late/freshness"]
            #expect(output.status == 0 && result?["status"] as? String == "pass", "\(declared) indexed \(indexed): \(output.stdout) \(output.stderr)")
            let age = result?["observed"] as? Double
            #expect(age.map { abs($0 - (1_795_608_000 - 253_402_300_799.999)) < 0.01 } == true, "\(declared) indexed \(indexed): \(output.stdout)")
        }
    }

    /// Whatever double comes back, a recorded value is finite, and a timestamp is within years 1–9999.
    @Test func recordedValuesAreAlwaysUsable() {
        var random = SeededRandom(seed: 7)
        let specials: [Double] = [.nan, .infinity, -.infinity, .greatestFiniteMagnitude, -.greatestFiniteMagnitude,
                                  .leastNonzeroMagnitude, 0, -0.0, 1e30, -1e30, 253_402_300_800, 253_402_300_799.999, -62_135_596_801]
        let metrics: [Metric] = [.maxTimestamp(column: "t"), .mean(column: "x"), .rowCount, .custom(sql: "select 1")]
        for index in 0..<5_000 {
            let value = index < specials.count ? specials[index] : Double(bitPattern: random.next())
            for metric in metrics {
                var values = MetricValues()
                values.record(value, for: metric)
                if let kept = values[metric] {
                    #expect(kept.isFinite, "seed 7: \(value) kept for \(metric)")
                    if case .maxTimestamp = metric { #expect(kept >= -62_135_596_800 && kept < 253_402_300_800) }
                } else {
                    #expect(values.unusable[metric] != nil, "seed 7: \(value) for \(metric) neither kept nor explained")
                }
            }
        }
    }
}
