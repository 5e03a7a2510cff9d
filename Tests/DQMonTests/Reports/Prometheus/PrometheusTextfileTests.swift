import DQMon
import DQMonTestSupport
import Foundation
import Testing

/// `dqmon check --prometheus-file`, read back with the official Python client's parser (prometheus_client, pinned in
/// scripts/lib/reference/requirements.txt): every promised metric, hostile label values, the atomic write, and a
/// write failure that keeps the run.
@Suite struct PrometheusTextfileTests {

    /// orders (tier 1): data 7h old at 12:00 fails freshness (error after 6h) and opens a critical incident;
    /// 3 rows pass volume.
    func project() throws -> ProjectFixture {
        let fixture = ProjectFixture(projectYAML: """
            version: 1
            warehouses:
              main: { type: sqlite, path: warehouse.sqlite }
            history: { path: .dqmon/history.sqlite }
            """)
        fixture.checks("orders.yml", ProjectFixture.checksYAML(
            dataset: "orders", keys: ["tier: 1", "owner: team-orders"],
            checks: "      - freshness: { column: updated_at, warn_after: 2h, error_after: 6h }\n      - volume: { min_rows: 1 }\n"))
        let stale = ISO8601.date(from: "2026-11-25T05:00:00Z")!
        try fixture.warehouse().table("orders", timestamps: [stale, stale, stale])
        return fixture
    }

    /// The families of a file, parsed by prometheus_client.
    struct Family {
        let type: String
        let help: String
        let samples: [(labels: [String: String], value: Double)]

        func value(_ labels: [String: String]) -> Double? {
            samples.first { sample in labels.allSatisfy { sample.labels[$0.key] == $0.value } }?.value
        }
    }

    static func parse(_ file: URL) throws -> [String: Family] {
        let output = try PythonVirtualEnv.shared().run(PythonVirtualEnv.referenceScript("parse_prometheus.py"), [file.path])
        #expect(output.status == 0, "prometheus_client refused \(file.path): \(output.stderr)")
        guard output.status == 0, let families = try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [[String: Any]] else { return [:] }
        var byName: [String: Family] = [:]
        for family in families {
            let samples = (family["samples"] as? [[String: Any]] ?? []).map { sample in
                (labels: sample["labels"] as? [String: String] ?? [:], value: sample["value"] as? Double ?? .nan)
            }
            byName[family["name"] as? String ?? ""] = Family(type: family["type"] as? String ?? "", help: family["help"] as? String ?? "", samples: samples)
        }
        return byName
    }

    @Test(.enabled(if: !PythonVirtualEnv.offline, "DQMON_TEST_OFFLINE=1: the output is parsed with prometheus_client from PyPI"))
    func everyPromisedMetricParsesWithTheOfficialParser() throws {
        let fixture = try project()
        fixture.directory.write("metrics/old.txt", "")
        let file = fixture.directory.path("metrics/dqmon.prom")
        let output = try dqmon(["check", "--now", "2026-11-25T12:00:00Z", "--prometheus-file", "metrics/dqmon.prom"], in: fixture)
        #expect(output.status == 1, "\(output.stderr)")
        let families = try Self.parse(file)
        let check = ["dataset": "orders", "check": "orders/freshness", "check_type": "freshness", "warehouse": "main", "tier": "1"]

        #expect(families.values.allSatisfy { $0.type == "gauge" && !$0.help.isEmpty })
        let status = try #require(families["dqmon_check_status"])
        #expect(status.value(check.merging(["status": "fail"]) { $1 }) == 1)
        for other in ["pass", "warn", "error", "skipped"] { #expect(status.value(check.merging(["status": other]) { $1 }) == 0) }
        #expect(status.value(["check": "orders/volume", "status": "pass"]) == 1)
        #expect(families["dqmon_freshness_lag_seconds"]?.value(check) == 25_200.0)
        #expect(families["dqmon_row_count"]?.value(["check": "orders/volume"]) == 3)
        #expect(families["dqmon_row_count"]?.samples.count == 1)
        #expect(families["dqmon_incidents_open"]?.value(["severity": "critical"]) == 1)
        #expect(families["dqmon_incidents_open"]?.value(["severity": "warning"]) == 0)
        #expect(families["dqmon_alerts_pending"]?.value(["state": "pending"]) == 0)
        #expect(families["dqmon_sla_ratio"]?.value(["scope": "dataset", "dataset": "orders", "sli": "pass_rate"]) == 0.5)
        #expect(families["dqmon_sla_target_ratio"]?.value(["scope": "tier", "tier": "1", "sli": "availability"]) == 0.995)
        #expect(families["dqmon_documentation_completeness_ratio"]?.value(["scope": "overall"]) == 0)
        #expect(families["dqmon_run_results"]?.value(["status": "fail"]) == 1)
        #expect(families["dqmon_run_exit_code"]?.value([:]) == 1)
        #expect(families["dqmon_last_run_timestamp_seconds"]?.value([:]) == ISO8601.date(from: "2026-11-25T12:00:00Z")!.timeIntervalSince1970)
        let duration = try #require(families["dqmon_run_duration_seconds"]?.value([:]))
        #expect(duration >= 0 && duration < 600)

        // Atomic: the file replaced in place, no temporary left beside it; a second run rewrites it.
        let listing = { try FileManager.default.contentsOfDirectory(atPath: fixture.directory.path("metrics").path).sorted() }
        #expect(try listing() == ["dqmon.prom", "old.txt"])
        #expect(try dqmon(["check", "--all", "--now", "2026-11-25T13:00:00Z", "--prometheus-file", "metrics/dqmon.prom"], in: fixture).status == 1)
        #expect(try listing() == ["dqmon.prom", "old.txt"])
        #expect(try Self.parse(file)["dqmon_freshness_lag_seconds"]?.value(check) == 28_800.0)
    }

    /// Dataset names full of what the format must escape (backslash, double quote, line feed) and what it need not
    /// (braces, commas, equals signs, #, non-ASCII): every name comes back from the parser as written.
    @Test(.enabled(if: !PythonVirtualEnv.offline, "DQMON_TEST_OFFLINE=1: the output is parsed with prometheus_client from PyPI"))
    func hostileDatasetNamesRoundTripThroughTheParser() throws {
        let seed = UInt64.random(in: 0...UInt64.max)
        var random = PrometheusTestGenerator(seed: seed)
        let alphabet: [String] = ["\\", "\"", "\n", "{", "}", ",", "=", "#", " ", "a", "Z", "0", "_", "é", "日", "🦆", "\t", "'", "\\n", "\\\""]
        var names: Set<String> = []
        while names.count < 25 {
            let length = Int.random(in: 1...12, using: &random)
            let name = "d" + (0..<length).map { _ in alphabet.randomElement(using: &random)! }.joined()
            if !name.contains(".") { names.insert(name) }
        }
        let fixture = ProjectFixture(projectYAML: "version: 1\nwarehouses:\n  main: { type: sqlite, path: warehouse.sqlite }\n")
        var yaml = "version: 1\ndatasets:\n"
        for name in names.sorted() {
            yaml += "  - name: \(Self.yamlQuoted(name))\n    checks:\n      - volume: {}\n"
        }
        fixture.checks("hostile.yml", yaml)
        try fixture.warehouse().table("placeholder", timestamps: [])
        let output = try dqmon(["check", "--all", "--now", "2026-11-25T12:00:00Z", "--prometheus-file", "hostile.prom"], in: fixture)
        #expect(output.status == 3, "seed \(seed): \(output.stderr)")   // the tables do not exist: every check errors
        let families = try Self.parse(fixture.directory.path("hostile.prom"))
        let status = try #require(families["dqmon_check_status"], "seed \(seed)")
        let exported = Set(status.samples.compactMap { $0.labels["dataset"] })
        #expect(exported == names, "seed \(seed)")
        for name in names {
            #expect(status.value(["dataset": name, "status": "error"]) == 1, "seed \(seed): \(name.debugDescription)")
        }
    }

    /// The same over many more values, through the library's renderer directly (one parser call per batch).
    @Test(.enabled(if: !PythonVirtualEnv.offline, "DQMON_TEST_OFFLINE=1: the output is parsed with prometheus_client from PyPI"))
    func rendererEscapesAnyLabelValue() throws {
        let seed = UInt64.random(in: 0...UInt64.max)
        var random = PrometheusTestGenerator(seed: seed)
        var family = PrometheusTextfile.Family(name: "dqmon_test_value", help: "A help text with a \\ backslash\nand a line feed.")
        var values: [String] = []
        for index in 0..<400 {
            let length = Int.random(in: 0...20, using: &random)
            let scalars = (0..<length).compactMap { _ in Unicode.Scalar(UInt32.random(in: 1...0x2FF, using: &random)) }
            let value = "\(index):" + String(String.UnicodeScalarView(scalars))
            values.append(value)
            family.add([("value", value)], Double(index))
        }
        family.add([("value", "nan")], .nan)   // left out: never written
        let directory = TemporaryDirectory(prefix: "dqmon-prom")
        let file = directory.path("render.prom")
        try PrometheusTextfile.write(PrometheusTextfile.render([family]), to: file)
        let parsed = try #require(try Self.parse(file)["dqmon_test_value"], "seed \(seed)")
        #expect(parsed.samples.count == values.count, "seed \(seed)")
        for sample in parsed.samples {
            let index = Int(sample.value)
            #expect(values.indices.contains(index) && sample.labels["value"] == values[index], "seed \(seed): \(sample.labels["value"]?.debugDescription ?? "-")")
        }
        // Same state, same bytes.
        #expect(PrometheusTextfile.render([family]) == PrometheusTextfile.render([family]))
    }

    /// A file that cannot be written is one line naming the path and exit 3; the run, its results and its incident
    /// are recorded all the same.
    @Test func writeFailureKeepsTheRun() throws {
        let fixture = try project()
        let missing = try dqmon(["check", "--now", "2026-11-25T12:00:00Z", "--prometheus-file", "no/such/folder/dqmon.prom"], in: fixture)
        #expect(missing.status == 3)
        let path = fixture.directory.path("no/such/folder/dqmon.prom").standardizedFileURL.path
        let errorLines = missing.stderr.split(separator: "\n").filter { $0.contains("--prometheus-file") }
        #expect(errorLines == ["dqmon: error: --prometheus-file \(path): cannot write the metrics: its folder \(fixture.directory.path("no/such/folder").standardizedFileURL.path) does not exist; the run itself was recorded"])
        #expect(missing.stdout.contains("incident #1 opened: orders/freshness (critical)"))
        #expect(try dqmon(["incidents", "--status", "open"], in: fixture).stdout.contains("#1  critical  open"))
        #expect(try dqmon(["history", "orders/freshness", "--format", "json"], in: fixture).stdout.contains("\"fail\""))

        // A folder where the file should be: the rename fails, the temporary file is removed.
        _ = fixture.directory.write("taken/dqmon.prom/keep", "")
        let taken = try dqmon(["check", "--all", "--now", "2026-11-25T13:00:00Z", "--prometheus-file", "taken/dqmon.prom"], in: fixture)
        #expect(taken.status == 3)
        #expect(taken.stderr.contains("cannot rename .dqmon.prom."))
        #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.directory.path("taken").path) == ["dqmon.prom"])

        let usage = try dqmon(["check", "--dry-run", "--prometheus-file", "x.prom"], in: fixture)
        #expect(usage.status == 3)
        #expect(usage.stderr.contains("--prometheus-file does not apply to --dry-run"))
    }

    /// A double-quoted YAML scalar for any text.
    static func yamlQuoted(_ text: String) -> String {
        var quoted = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": quoted += "\\\\"
            case "\"": quoted += "\\\""
            case "\n": quoted += "\\n"
            case "\t": quoted += "\\t"
            default: quoted.unicodeScalars.append(scalar)
            }
        }
        return quoted + "\""
    }
}

/// SplitMix64, seeded; the seed is in every failure message.
private typealias PrometheusTestGenerator = SeededRandom  // DQMon's SplitMix64: the same sequence for the same seed
