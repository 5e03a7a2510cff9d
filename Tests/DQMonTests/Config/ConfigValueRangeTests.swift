import DQMon
import DQMonTestSupport
import Foundation
import Testing

/// Every duration, percentage and number in config has a range (README "Allowed values"), checked at
/// `file:line:column`; parsing is total over any text, and `Interval.description` over any `Double`.
@Suite struct ConfigValueRangeTests {
    func errors(checks yaml: String, project: String? = nil, environment: [String: String] = [:]) -> [String] {
        ProjectFixture.configErrors(checks: yaml, project: project, environment: environment)
    }

    /// One dataset `orders` whose only check is `check` (written on line 5).
    func checkErrors(_ check: String) -> [String] {
        errors(checks: "version: 1\ndatasets:\n  - name: orders\n    checks:\n      - \(check)\n")
    }

    static let checkCases: [(check: String, expected: String)] = [
        ("freshness: { column: c, warn_after: 99999999999999999999w }",
         "checks/orders.yml:5:45: 'warn_after' must be at most 3650d, got '99999999999999999999w'"),
        ("freshness: { column: c, error_after: 3651d }",
         "checks/orders.yml:5:46: 'error_after' must be at most 3650d, got '3651d'"),
        ("freshness: { column: c, warn_after: 0s }",
         "checks/orders.yml:5:45: 'warn_after' must be longer than 0s, got '0s'"),
        ("freshness: { column: c, warn_after: -5m }",
         "checks/orders.yml:5:45: 'warn_after' must be longer than 0s, got '-5m'"),
        ("freshness: { column: c, warn_after: 1e309s }",
         "checks/orders.yml:5:45: 'warn_after' is not a valid duration: '1e309s' (write a number and a unit: 90s, 15m, 6h, 2d)"),
        ("freshness: { column: c, warn_after: \(String(repeating: "9", count: 400))s }",
         "checks/orders.yml:5:45: 'warn_after' must be at most 3650d, got '\(String(repeating: "9", count: 80))…'"),
        ("freshness: { column: c, warn_after: 6h, error_after: 6h }",
         "checks/orders.yml:5:45: 'warn_after' (6h) must be shorter than 'error_after' (6h)"),
        ("volume: { max_change: 1e300% }",
         "checks/orders.yml:5:31: 'max_change' must be a percentage such as '50%', got '1e300%'"),
        ("volume: { max_change: { warn: inf%, fail: infinity% } }",
         "checks/orders.yml:5:39: 'warn' must be a percentage such as '50%', got 'inf%'"),
        ("volume: { max_change: { fail: nan% } }",
         "checks/orders.yml:5:39: 'fail' must be a percentage such as '50%', got 'nan%'"),
        ("volume: { max_change: -5% }",
         "checks/orders.yml:5:31: 'max_change' must be between 0% and 10000%, got '-5%'"),
        ("volume: { max_change: 10001% }",
         "checks/orders.yml:5:31: 'max_change' must be between 0% and 10000%, got '10001%'"),
        ("volume: { max_change: { warn: 150%, fail: 50% } }",
         "checks/orders.yml:5:39: 'warn' (150%) must be below 'fail' (50%): a change above 'fail' fails, so this could never warn"),
        ("volume: { max_change: { warn: 50%, fail: 50% } }",
         "checks/orders.yml:5:39: 'warn' (50%) must be below 'fail' (50%): a change above 'fail' fails, so this could never warn"),
        ("volume: { min_rows: 99999999999999999999 }",
         "checks/orders.yml:5:29: 'min_rows' must be between 0 and 1000000000000000, got '99999999999999999999'"),
        ("volume: { max_rows: -1 }",
         "checks/orders.yml:5:29: 'max_rows' must be between 0 and 1000000000000000, got -1"),
        ("volume: { window: 99999999999999999999w, column: c }",
         "checks/orders.yml:5:27: 'window' must be at most 3650d, got '99999999999999999999w'"),
        ("anomaly: { metric: row_count, sensitivity: nan }",
         "checks/orders.yml:5:52: 'sensitivity' must be a number of standard deviations (default 3), got 'nan'"),
        ("anomaly: { metric: row_count, sensitivity: inf }",
         "checks/orders.yml:5:52: 'sensitivity' must be a number of standard deviations (default 3), got 'inf'"),
        ("anomaly: { metric: row_count, sensitivity: 1e300 }",
         "checks/orders.yml:5:52: 'sensitivity' must be a number of standard deviations (default 3) between 0.1 and 100, got '1e300'"),
        ("anomaly: { metric: row_count, training: 99999999999999999999w }",
         "checks/orders.yml:5:49: 'training' must be at most 3650d, got '99999999999999999999w'"),
        ("anomaly: { metric: row_count, min_change: { absolute: 1e309, percent: inf% } }",
         "checks/orders.yml:5:63: 'absolute' must be a number in the metric's unit, got '1e309'"),
        ("anomaly: { metric: row_count_99999999999999999999w, column: c }",
         "checks/orders.yml:5:28: the window of metric 'row_count_99999999999999999999w' must be at most 3650d, got '99999999999999999999w'"),
    ]

    @Test(arguments: checkCases.indices)
    func checkValueOutOfRangeIsAnErrorAtItsPosition(_ index: Int) {
        let testCase = Self.checkCases[index]
        #expect(checkErrors(testCase.check).first == testCase.expected, "\(testCase.check)")
    }

    @Test func datasetEveryAndProjectValues() {
        let found = errors(checks: """
            version: 1
            datasets:
              - name: orders
                every: 99999999999999999999w
                sla: { freshness: 101%, mttr: 3651d }
                checks:
                  - volume: {}
            """, project: """
            version: 1
            warehouses:
              main: { type: sqlite, path: w.sqlite, busy_timeout: 2h }
              pg: { type: postgres, url: "postgres://u@h:99999/d", statement_timeout: 99999999999999999999w, connect_timeout: 2h }
              pg2: { type: postgres, url: "postgres://u@h/d?port=0", statement_timeout: 25h }
            default_warehouse: main
            history: { retention: 3651d }
            tiers:
              1: { freshness: 1e300%, availability: inf%, pass_rate: -0% }
            runbook_base_url: ftp://example.com/
            """)
        #expect(found == [
            "dqmon.yml:3:55: 'busy_timeout' must be at most 1h, got '2h'",
            "dqmon.yml:4:30: 'url' has port 99999: a port is 1 to 65535 (expected postgres://user:password@host:5432/database)",
            "dqmon.yml:4:75: 'statement_timeout' must be at most 1d, got '99999999999999999999w'",
            "dqmon.yml:4:115: 'connect_timeout' must be at most 1h, got '2h'",
            "dqmon.yml:5:31: 'url' has port '0' in '?port=': a port is 1 to 65535 (expected postgres://user:password@host:5432/database)",
            "dqmon.yml:5:77: 'statement_timeout' must be at most 1d, got '25h'",
            "dqmon.yml:7:23: 'retention' must be at most 3650d, got '3651d'",
            "dqmon.yml:9:19: 'freshness' must be a percentage such as '50%', got '1e300%'",
            "dqmon.yml:9:41: 'availability' must be a percentage such as '50%', got 'inf%'",
            "dqmon.yml:10:19: 'runbook_base_url' must be an http(s) URL such as https://github.com/acme/monitoring/blob/main/, got 'ftp://example.com/'",
            "checks/orders.yml:4:12: 'every' must be at most 3650d, got '99999999999999999999w'",
            "checks/orders.yml:5:23: 'freshness' must be between 0% and 100%, got '101%'",
            "checks/orders.yml:5:35: 'mttr' must be at most 3650d, got '3651d'",
        ])
    }

    @Test func alertsValues() {
        let fixture = ProjectFixture()
        fixture.checks("orders.yml", "version: 1\ndatasets:\n  - name: orders\n    checks:\n      - volume: {}\n")
        fixture.directory.write("alerts/alerts.yml", """
            version: 1
            receivers:
              local: { type: file, path: a.jsonl }
            routes:
              - receivers: [local]
                repeat_interval: 99999999999999999999w
            maintenance:
              - { datasets: ["orders"], cron: "0 2 * * *", duration: 32d }
            delivery: { budget: 2h, timeout: 11m }
            """)
        let found: [String]
        do { _ = try fixture.load(); found = [] } catch let error as ConfigErrors {
            found = error.errors.map { $0.description.replacingOccurrences(of: fixture.root.path + "/", with: "") }
        } catch { found = ["\(error)"] }
        #expect(found == [
            "alerts/alerts.yml:6:22: 'repeat_interval' must be at most 3650d, got '99999999999999999999w'",
            "alerts/alerts.yml:8:58: 'duration' must be at most 31d, got '32d'",
            "alerts/alerts.yml:9:21: 'budget' must be at most 1h, got '2h'",
            "alerts/alerts.yml:9:34: 'timeout' must be at most 10m, got '11m'",
        ])
    }

    @Test func boundariesAreAccepted() throws {
        let fixture = ProjectFixture()
        fixture.checks("orders.yml", """
            version: 1
            datasets:
              - name: orders
                every: 3650d
                checks:
                  - freshness: { column: c, warn_after: 0.5s, error_after: 3650d }
                  - volume: { min_rows: 0, max_rows: 1000000000000000, max_change: { warn: 0%, fail: 10000% } }
                  - anomaly: { metric: row_count, sensitivity: 0.1, min_change: { absolute: 0, percent: 0% } }
            """)
        let configuration = try fixture.load()
        #expect(configuration.datasets[0].every == Interval(seconds: 3_650 * 86_400))
        #expect((configuration.checks[0].spec as? FreshnessCheck)?.warnAfter?.description == "0.5s")
    }

    // MARK: - Totality of the parsers and of `Interval.description`

    /// Random texts from the characters durations and percentages are made of, plus extremes.
    static func randomTexts(count: Int, seed: UInt64) -> [String] {
        var random = SeededRandom(seed: seed)
        let alphabet = Array("0123456789..-+eEwdhms%% infatyNIF_x\u{0}\u{663}½")
        var texts = ConfigFuzzCorpus.extremeValues
        for _ in 0..<count {
            let length = Int.random(in: 0...30, using: &random)
            texts.append(String((0..<length).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &random)] }))
            texts.append(String(repeating: "9", count: Int.random(in: 1...400, using: &random)) + ["w", "d", "s", "%", ".5h"][Int.random(in: 0..<5, using: &random)])
        }
        return texts
    }

    @Test func intervalParsingIsTotalAndBounded() {
        let seed: UInt64 = 0x1A7E_4A1
        for text in Self.randomTexts(count: 3_000, seed: seed) {
            switch Interval.parse(text) {
            case .success(let interval):
                #expect(interval.seconds.isFinite && interval.seconds > 0 && interval <= .maximum, "seed \(seed): '\(text)' -> \(interval.seconds)")
                #expect(!interval.description.isEmpty)
            case .failure(let problem):
                let message = problem.message(for: "'x'", text: text)
                #expect(!message.contains("\n") && !message.contains("\0"), "seed \(seed): \(message)")
            }
        }
    }

    @Test func percentageParsingIsTotalAndBounded() {
        let seed: UInt64 = 0x9E4C
        for text in Self.randomTexts(count: 3_000, seed: seed) {
            if case .success(let percentage) = Percentage.parse(text, range: 0...10_000) {
                #expect(percentage.fraction.isFinite && (0...100).contains(percentage.fraction), "seed \(seed): '\(text)'")
                #expect(percentage.fraction.sign == .plus, "no -0: '\(text)'")
            }
        }
    }

    @Test func intervalDescriptionIsTotalOverEveryDouble() {
        var random = SeededRandom(seed: 0xD0_0B1E)
        var values: [Double] = [.nan, .infinity, -.infinity, .greatestFiniteMagnitude, -.greatestFiniteMagnitude, .leastNonzeroMagnitude,
                                0, -0.0, 1e15, 1e15 - 1, 9.2e15, 0.0004, 0.0005, 59.9996, 3_650 * 86_400]
        for _ in 0..<5_000 { values.append(Double(bitPattern: random.next())) }
        for seconds in values {
            let text = Interval(seconds: seconds).description
            #expect(!text.isEmpty && !text.contains("\n"), "\(seconds)")
        }
        #expect(Interval(seconds: 5_400).description == "1h30m")
        #expect(Interval(seconds: 90.25).description == "1m30.25s")
        #expect(Interval(seconds: -60).description == "-1m")
    }

    @Test func intervalRoundTripsThroughItsDescription() {
        var random = SeededRandom(seed: 0x7217)
        for _ in 0..<2_000 {
            let milliseconds = Double(Int.random(in: 1...Int(Interval.maximum.seconds * 1_000), using: &random))
            let interval = Interval(seconds: milliseconds / 1_000)
            #expect(Interval(parsing: interval.description).map { abs($0.seconds - interval.seconds) < 0.0005 } == true, "\(interval.seconds)")
        }
    }
}
