import DQMon
import DQMonTestSupport
import Foundation
import Testing

/// A property of the grouped statement (issue 19), checked through `dqmon check` on SQLite, the real PostgreSQL and
/// MariaDB: over random segment counts, volumes and `max_segments` (seeded; the seed is in every message), with NULL
/// and hostile segment values (quotes, unicode, `=`, `]`, `,`, `%other`, `other`, a newline, 120 characters), every
/// built-in metric records, for each of the `max_segments` largest segments, the metric over its rows, and for
/// `[other]` the metric over the rest's rows as `SegmentedMetric.foldable` documents it (distinct_count: the sum of
/// the rest's distinct counts). `dqmon history --segment` finds a random segment by the form results show.
enum SegmentFoldProperty {
    static let seed: UInt64 = ProcessInfo.processInfo.environment["DQMON_TEST_SEED"].flatMap { UInt64($0) } ?? 1_919
    static let now = ProjectFixture.now
    static let pool: [String?] = ["DE", "it's", "a=b", "x]y", "[z", "日本", "café", "%other", "other", "a,b c", "NULL", nil,
                                  "\"dq\"", "line\nbreak", "back\\slash", "emoji🙂", String(repeating: "long", count: 30), "x%41"]

    struct Row {
        let segment: String?
        let amount: Double?
        let age: Int
    }

    /// How a warehouse takes the rows: its table DDL and literals (hex-encoded text, so no value needs escaping).
    struct Target {
        let name: String
        let createTable: String
        let literal: (String?) -> String
        let timestamp: (Date) -> String
        let execute: (String) async throws -> Void
        let project: (_ checks: String) -> ProjectFixture
    }

    static func hex(_ text: String) -> String { text.utf8.map { String(format: "%02X", $0) }.joined() }

    /// The metrics checked, by check name: (history name, YAML).
    static let metrics: [(name: String, history: String, yaml: String)] = [
        ("rows", "row_count", "metric: row_count"),
        ("day", "row_count_1d", "metric: row_count_1d, column: created_at"),
        ("nulls", "null_rate(amount)", "metric: null_rate(amount)"),
        ("avg", "mean(amount)", "metric: mean(amount)"),
        ("kinds", "distinct_count(amount)", "metric: distinct_count(amount)"),
        ("lag", "freshness_lag_seconds", "metric: freshness_lag_seconds, column: created_at"),
    ]

    static func value(_ metric: String, of rows: [Row]) -> Double? {
        let amounts = rows.compactMap(\.amount)
        switch metric {
        case "row_count": return Double(rows.count)
        case "row_count_1d": return Double(rows.filter { $0.age < 86_400 }.count)
        case "null_rate(amount)": return Double(rows.count - amounts.count) / Double(rows.count)
        case "mean(amount)": return amounts.isEmpty ? nil : amounts.reduce(0, +) / Double(amounts.count)
        case "distinct_count(amount)": return Double(Set(amounts).count)
        default: return rows.map { Double($0.age) }.min()
        }
    }

    /// `other`'s value: the metric over the rest's rows, except distinct_count (the sum of the segments' counts).
    static func otherValue(_ metric: String, of groups: [[Row]]) -> Double? {
        if metric == "distinct_count(amount)" { return groups.map { value(metric, of: $0) ?? 0 }.reduce(0, +) }
        return value(metric, of: groups.flatMap { $0 })
    }

    static func run(_ target: Target, rounds: Int) async throws {
        var generator = SeededRandom(seed: seed)
        for round in 0..<rounds {
            let where_ = "\(target.name) seed \(seed) round \(round)"
            let segments = Array(pool.shuffled(using: &generator).prefix(Int.random(in: 1...9, using: &generator)))
            let volumes = Array((1...25).shuffled(using: &generator).prefix(segments.count))
            let maxSegments = Int.random(in: 1...5, using: &generator)
            var groups: [[Row]] = []
            for (segment, volume) in zip(segments, volumes) {
                groups.append((0..<volume).map { _ in
                    let age = Bool.random(using: &generator) ? Int.random(in: 60...86_000, using: &generator) : Int.random(in: 87_000...172_000, using: &generator)
                    return Row(segment: segment, amount: Int.random(in: 0..<10, using: &generator) < 3 ? nil : Double(Int.random(in: 0...6, using: &generator)), age: age)
                })
            }
            let table = "events_\(round)"
            try await target.execute(target.createTable.replacingOccurrences(of: "$TABLE", with: table))
            let values = groups.flatMap { $0 }.map { row in
                "(\(target.literal(row.segment)), \(row.amount.map { String($0) } ?? "NULL"), \(target.timestamp(now.addingTimeInterval(-Double(row.age)))))"
            }
            try await target.execute("INSERT INTO $TABLE (seg, amount, created_at) VALUES \(values.joined(separator: ", "))"
                .replacingOccurrences(of: "$TABLE", with: table))
            let checks = metrics.map { "      - anomaly: { name: \($0.name), \($0.yaml), group_by: seg, max_segments: \(maxSegments) }" }
            let fixture = target.project(ProjectFixture.checksYAML(dataset: table, checks: checks.joined(separator: "\n") + "\n"))
            let output = try dqmon(["check", "--all", "--format", "json", "--now", ISO8601.string(from: now)], in: fixture)
            #expect(output.status == 0, "\(where_): \(output.stdout) \(output.stderr)")

            let ranked = groups.sorted { $0.count > $1.count }
            let judged = Array(ranked.prefix(maxSegments)), rest = Array(ranked.dropFirst(maxSegments))
            let store = try HistoryStore(path: fixture.historyURL)
            for metric in metrics {
                let series = try store.segmentSeries([.init(dataset: table, metric: SegmentKey.prefix(metric.history)): now.addingTimeInterval(-86_400)])
                var expectedKeys: Set<String> = []
                for group in judged {
                    let key = SegmentKey.key(metric: metric.history, segment: Segment(columns: ["seg"], values: [group[0].segment]))
                    guard let expected = value(metric.history, of: group) else { continue }
                    expectedKeys.insert(key)
                    let recorded = series[.init(dataset: table, metric: key)]?.last?.value
                    #expect(recorded.map { abs($0 - expected) <= 1e-6 * max(1, abs(expected)) + 0.01 } == true,
                            "\(where_) \(metric.history) \(key): recorded \(String(describing: recorded)), expected \(expected)")
                }
                let others = series.filter { SegmentKey.isOther($0.key.metric, metric: metric.history) }
                if !rest.isEmpty, let expected = otherValue(metric.history, of: rest) {
                    let recorded = others.first?.value.last?.value
                    #expect(others.count == 1 && recorded.map { abs($0 - expected) <= 1e-6 * max(1, abs(expected)) + 0.01 } == true,
                            "\(where_) \(metric.history) [other] of \(rest.count): recorded \(String(describing: recorded)), expected \(expected)")
                    expectedKeys.formUnion(others.keys.map(\.metric))
                }
                #expect(Set(series.keys.map(\.metric)) == expectedKeys, "\(where_) \(metric.history): \(series.keys.map(\.metric).sorted())")
            }
            // The segment as results show it finds its series.
            let pick = Segment(columns: ["seg"], values: [judged[Int.random(in: 0..<judged.count, using: &generator)][0].segment])
            let shown = rest.isEmpty || Bool.random(using: &generator) ? pick.shown : "other"
            let history = try dqmon(["history", "\(table)/anomaly/rows", "--segment", shown, "--now", ISO8601.string(from: now)], in: fixture)
            #expect(history.status == 0 && history.stdout.contains(": 1 point, newest first"), "\(where_) --segment \(shown): \(history.stdout) \(history.stderr)")
        }
    }
}

@Suite struct SegmentFoldSQLiteTests {
    @Test func foldedValuesAreTheMetricOverTheRestsRows() async throws {
        let fixture = ProjectFixture()
        let warehouse = try fixture.warehouse()
        let target = SegmentFoldProperty.Target(
            name: "sqlite", createTable: "CREATE TABLE $TABLE (id INTEGER PRIMARY KEY, seg TEXT, amount REAL, created_at TEXT)",
            literal: { $0.map { "CAST(X'\(SegmentFoldProperty.hex($0))' AS TEXT)" } ?? "NULL" },
            timestamp: { "'\(WarehouseFixture.text($0))'" },
            execute: { try warehouse.execute($0) },
            project: { checks in
                fixture.checks("events.yml", checks)
                return fixture
            })
        try await SegmentFoldProperty.run(target, rounds: 12)
    }
}

@Suite(.enabled(if: PostgresTestServer.isAvailable,
                "DQMON_TEST_POSTGRES_URL is not set: run scripts/test, which starts a throwaway PostgreSQL cluster"))
struct SegmentFoldPostgresTests {
    @Test func foldedValuesAreTheMetricOverTheRestsRows() async throws {
        try await withTemporarySchema("fold") { db in
            let fixture = PostgresProjectFixture(
                warehouses: #"  pg: { type: postgres, url: "${DQMON_TEST_POSTGRES_URL}", sslmode: disable, schema: \#(db.name) }"#)
            let target = SegmentFoldProperty.Target(
                name: "postgres",
                createTable: "CREATE TABLE \"\(db.name)\".$TABLE (id serial PRIMARY KEY, seg text, amount double precision, created_at timestamp)",
                literal: { $0.map { "convert_from(decode('\(SegmentFoldProperty.hex($0))', 'hex'), 'UTF8')" } ?? "NULL" },
                timestamp: { "timestamp '\(WarehouseFixture.text($0))'" },
                execute: { try await db.execute($0.replacingOccurrences(of: "INSERT INTO events_", with: "INSERT INTO \"\(db.name)\".events_")) },
                project: { checks in
                    fixture.checks("events.yml", checks)
                    return fixture.project
                })
            try await SegmentFoldProperty.run(target, rounds: 6)
        }
    }
}

@Suite(.enabled(if: MariaDBTestServer.isAvailable,
                "DQMON_TEST_MYSQL_URL is not set: run scripts/test, which starts a throwaway MariaDB server"))
struct SegmentFoldMariaDBTests {
    @Test func foldedValuesAreTheMetricOverTheRestsRows() async throws {
        try await withTemporaryDatabase("fold") { db in
            let text = try #require(MariaDBTestServer.urlText)
            var url = try #require(URLComponents(string: text))
            url.path = "/" + db.name
            let project = ProjectFixture(projectYAML: """
                version: 1
                warehouses:
                  my: { type: mysql, url: "${SEGMENT_FOLD_MYSQL_URL}", ssl_mode: disabled }
                default_warehouse: my
                history: { path: .dqmon/history.sqlite }
                """)
            project.environment["SEGMENT_FOLD_MYSQL_URL"] = url.string
            let target = SegmentFoldProperty.Target(
                name: "mariadb",
                createTable: "CREATE TABLE $TABLE (id bigint AUTO_INCREMENT PRIMARY KEY, seg varchar(300) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin, "
                    + "amount double, created_at datetime)",
                literal: { $0.map { "CONVERT(X'\(SegmentFoldProperty.hex($0))' USING utf8mb4)" } ?? "NULL" },
                timestamp: { "'\(WarehouseFixture.text($0))'" },
                execute: { try await db.execute($0) },
                project: { checks in
                    project.checks("events.yml", checks)
                    return project
                })
            try await SegmentFoldProperty.run(target, rounds: 6)
        }
    }
}
