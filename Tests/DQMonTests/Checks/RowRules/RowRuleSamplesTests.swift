import DQMon
import DQMonTestSupport
import Foundation
import GRDB
import Testing

/// Failing-row samples (`samples: N`, `sample_columns:`) through the real `dqmon` binary on SQLite: off by default,
/// at most N rows and only the listed columns, NULLs kept, stored with the result, shown by `dqmon history` and
/// `dqmon incidents show`, removed by `dqmon prune`, and bad settings as config errors at file:line:column.
struct RowRuleSamplesTests {
    static let now = "2026-11-25T12:00:00Z"

    static func scenario(_ checks: String) throws -> ProjectFixture {
        let project = ProjectFixture()
        let warehouse = try project.warehouse()
        for statement in RowRuleScenario.statements(table: "\"Orders\"", timestamp: "text") { try warehouse.execute(statement) }
        project.checks("orders.yml", "version: 1\ndatasets:\n  - name: Orders\n    checks:\n" + checks)
        return project
    }

    static func storedSampleCount(_ project: ProjectFixture) throws -> Int {
        try HistoryStore(path: project.historyURL).read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM result_samples") ?? -1 }
    }

    static func historyJSON(_ checkID: String, in project: ProjectFixture) throws -> [[String: Any]] {
        let output = try dqmon(["history", checkID, "--format", "json", "--now", now], in: project)
        #expect(output.status == 0, "\(output.stderr)")
        let document = try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any]
        return document?["results"] as? [[String: Any]] ?? []
    }

    @Test func samplesAreOffByDefault() throws {
        let project = try Self.scenario("      - missing: { column: Status, missing_values: ['', 'N/A'] }\n")
        let dryRun = try dqmon(["check", "--all", "--dry-run", "--now", Self.now], in: project)
        #expect(!dryRun.stdout.contains("failing-row samples"), "no sample statement without samples: \(dryRun.stdout)")
        let run = try RowRuleScenario.results(in: project)
        #expect(run.results["Orders/missing"]?.status == "fail", "\(run.output)")
        #expect(try Self.storedSampleCount(project) == 0)
        let history = try Self.historyJSON("Orders/missing", in: project)
        #expect(history.count == 1 && history[0]["samples"] == nil || history[0]["samples"] is NSNull, "\(history)")
        let text = try dqmon(["history", "Orders/missing", "--now", Self.now], in: project)
        #expect(!text.stdout.contains("Failing-row samples"), "\(text.stdout)")
    }

    @Test func atMostNRowsOfOnlyTheSampleColumnsWithNullsKept() throws {
        let project = try Self.scenario("""
                  - missing: { column: Status, missing_values: ['', 'N/A'], samples: 2, sample_columns: [id, Status] }
                  - accepted_values: { column: Status, values: [paid, refunded, void], samples: 10 }
                  - duplicates: { name: line, columns: [order_id, line_no], samples: 5, sample_columns: [id, order_id, line_no] }
                  - references: { column: order_id, to_dataset: Placed, to_column: id, samples: 5, sample_columns: [id, order_id] }
                  - sql: { query: 'select id, amount from "Orders" where amount < 0', samples: 3 }
                  - range: { column: amount, min: -10, max: 10000, samples: 5 }
              - name: Placed
                checks:
                  - volume: { min_rows: 1 }

            """)
        let run = try RowRuleScenario.results(in: project)
        #expect(run.results["Orders/missing"]?.message == "3 of 8 rows (37.5%) have Status missing (NULL, '', 'N/A') (fail > 0)", "\(run.output)")
        let missing = try Self.historyJSON("Orders/missing", in: project)
        let sample = missing.first?["samples"] as? [String: Any]
        #expect(sample?["columns"] as? [String] == ["id", "Status"], "\(missing)")
        let rows = sample?["rows"] as? [[Any]] ?? []
        #expect(rows.count == 2, "at most samples: 2 rows: \(rows)")
        for row in rows {
            #expect(row.count == 2)
            let status = row.last
            #expect(status is NSNull || ["", "N/A"].contains(status as? String), "only failing rows: \(row)")
        }

        let accepted = try Self.historyJSON("Orders/accepted_values", in: project).first?["samples"] as? [String: Any]
        #expect(accepted?["columns"] as? [String] == ["Status"], "the check's column by default")
        #expect(Set((accepted?["rows"] as? [[String]] ?? []).map { $0[0] }) == ["lost", "", "N/A"], "\(String(describing: accepted))")

        let line = try Self.historyJSON("Orders/duplicates/line", in: project).first?["samples"] as? [String: Any]
        #expect(line?["rows"] as? [[String]] == [["6", "4", "1"], ["5", "4", "1"]] || line?["rows"] as? [[String]] == [["5", "4", "1"], ["6", "4", "1"]],
                "both rows of the repeated key: \(String(describing: line))")

        let references = try Self.historyJSON("Orders/references", in: project).first?["samples"] as? [String: Any]
        #expect(Set((references?["rows"] as? [[String]] ?? []).map { $0[0] }) == ["5", "6", "7"], "\(String(describing: references))")

        let sql = try Self.historyJSON("Orders/sql", in: project).first?["samples"] as? [String: Any]
        #expect(sql?["rows"] as? [[String]] == [["3", "-5"]], "\(String(describing: sql))")

        #expect(Self.historyJSONHasNoSamples(try Self.historyJSON("Orders/range", in: project)), "a passing check takes no sample")
        #expect(try Self.storedSampleCount(project) == 5)

        let text = try dqmon(["history", "Orders/missing", "--now", Self.now], in: project)
        #expect(text.stdout.contains("Failing-row samples (result at 2026-11-25T12:00:00Z): 2 rows"), "\(text.stdout)")
        #expect(text.stdout.contains("NULL") || text.stdout.contains("N/A"), "\(text.stdout)")

        let dryRun = try dqmon(["check", "--all", "--dry-run", "--now", Self.now], in: project)
        #expect(dryRun.stdout.contains("""
            SELECT "id", "Status" FROM "Orders" WHERE ("Status" IS NULL OR CAST("Status" AS TEXT) IN ('', 'N/A')) LIMIT 2;
            """), "\(dryRun.stdout)")
        #expect(dryRun.stdout.contains("SELECT * FROM (select id, amount from \"Orders\" where amount < 0) AS dqmon_failing LIMIT 3;"), "\(dryRun.stdout)")
    }

    static func historyJSONHasNoSamples(_ results: [[String: Any]]) -> Bool {
        results.allSatisfy { $0["samples"] == nil || $0["samples"] is NSNull }
    }

    @Test func incidentsShowTheSamplesOfItsResult() throws {
        let project = try Self.scenario("      - missing: { column: Status, missing_values: ['', 'N/A'], samples: 5, sample_columns: [id, Status] }\n")
        _ = try RowRuleScenario.results(in: project)
        let text = try dqmon(["incidents", "show", "1", "--now", Self.now], in: project)
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("Failing-row samples (result at 2026-11-25T12:00:00Z): 3 rows"), "\(text.stdout)")
        #expect(text.stdout.contains("NULL"), "a NULL shows as NULL: \(text.stdout)")
        let json = try dqmon(["incidents", "show", "1", "--format", "json", "--now", Self.now], in: project)
        let document = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        let samples = document?["samples"] as? [String: Any]
        #expect(samples?["columns"] as? [String] == ["id", "Status"], "\(json.stdout)")
        let rows = samples?["rows"] as? [[Any]] ?? []
        #expect(rows.count == 3 && rows.contains { $0[1] is NSNull }, "NULL stays null: \(rows)")
    }

    @Test func pruneRemovesSamplesWithTheirRuns() throws {
        let project = try Self.scenario("      - missing: { column: Status, samples: 5 }\n")
        _ = try RowRuleScenario.results(in: project)
        #expect(try Self.storedSampleCount(project) == 1)
        let prune = try dqmon(["prune", "--now", "2028-01-01T00:00:00Z"], in: project)
        #expect(prune.status == 0, "\(prune.stdout)\(prune.stderr)")
        #expect(prune.stdout.contains("pruned 1 run"), "\(prune.stdout)")
        #expect(try Self.storedSampleCount(project) == 0, "ON DELETE CASCADE from runs through results")
    }

    @Test func longValuesAreCutTo200Characters() throws {
        let project = ProjectFixture()
        let warehouse = try project.warehouse()
        try warehouse.execute("CREATE TABLE notes (id integer, body text)")
        try warehouse.execute("INSERT INTO notes VALUES (1, '\(String(repeating: "é", count: 5_000))'), (2, 'short'), (3, NULL)")
        project.checks("notes.yml", """
            version: 1
            datasets:
              - name: notes
                checks:
                  - accepted_values: { column: body, values: [ok], allow_null: false, samples: 100, sample_columns: [id, body] }
            """)
        _ = try RowRuleScenario.results(in: project)
        let sample = try Self.historyJSON("notes/accepted_values", in: project).first?["samples"] as? [String: Any]
        let rows = sample?["rows"] as? [[Any]] ?? []
        #expect(rows.count == 3, "\(rows)")
        let long = rows.first { ($0[0] as? String) == "1" }?[1] as? String ?? ""
        #expect(long.count == FailingRowSamples.maximumValueLength && long.hasSuffix("…"), "\(long.count)")
        #expect(rows.contains { ($0[1] as? String) == "short" } && rows.contains { $0[1] is NSNull })
    }

    @Test func anUnknownSampleColumnLeavesTheStatusAndSaysSo() throws {
        let project = try Self.scenario("      - missing: { column: Status, samples: 5, sample_columns: [id, stauts] }\n")
        let run = try RowRuleScenario.results(in: project)
        #expect(run.results["Orders/missing"]?.status == "fail")
        #expect(run.results["Orders/missing"]?.message.hasSuffix("(samples not taken: sample column 'stauts' not found in Orders (did you mean 'Status'?); the status is unchanged)") == true,
                "\(run.output)")
        #expect(try Self.storedSampleCount(project) == 0)
    }
}

/// Bad `samples:` and `sample_columns:` values: one config error at the value's file:line:column, exit 3.
@Suite struct RowRuleSamplesConfigTests {
    static let cases: [(check: String, expected: String)] = [
        ("missing: { column: status, samples: -1 }",
         "checks/orders.yml:5:45: 'samples' must be a number of failing rows to fetch, 0 to 100 (0: none), got '-1'"),
        ("missing: { column: status, samples: 101 }",
         "checks/orders.yml:5:45: 'samples' must be a number of failing rows to fetch, 0 to 100 (0: none), got '101'"),
        ("missing: { column: status, samples: 99999999999999999999 }",
         "checks/orders.yml:5:45: 'samples' must be a number of failing rows to fetch, 0 to 100 (0: none), got '99999999999999999999'"),
        ("missing: { column: status, samples: five }",
         "checks/orders.yml:5:45: 'samples' must be a number of failing rows to fetch, 0 to 100 (0: none), got 'five'"),
        ("missing: { column: status, samples: 2.5 }",
         "checks/orders.yml:5:45: 'samples' must be a number of failing rows to fetch, 0 to 100 (0: none), got '2.5'"),
        ("missing: { column: status, samples: [5] }",
         "checks/orders.yml:5:45: 'samples' must be a single value, not a list"),
        ("missing: { column: status, samples: 5, sample_columns: [] }",
         "checks/orders.yml:5:64: 'sample_columns' is empty: list the columns to show, e.g. sample_columns: [order_id, status]"),
        ("missing: { column: status, samples: 5, sample_columns: [id, id] }",
         "checks/orders.yml:5:64: 'sample_columns' lists a column twice: id, id"),
        ("missing: { column: status, sample_columns: [id] }",
         "checks/orders.yml:5:52: 'sample_columns' needs 'samples: N' (how many failing rows to fetch, 1 to 100)"),
        ("sql: { query: 'select 1', samples: x }",
         "checks/orders.yml:5:44: 'samples' must be a number of failing rows to fetch, 0 to 100 (0: none), got 'x'"),
    ]

    @Test(arguments: cases.indices)
    func reportsExactMessage(_ index: Int) {
        let testCase = Self.cases[index]
        #expect(ProjectFixture.configErrors(checks: RowRuleConfigTests.file(testCase.check)) == [testCase.expected])
    }

    @Test func samplesOnEveryRowRuleTypeParse() {
        for check in ["missing: { column: a, samples: 3 }", "accepted_values: { column: a, values: [x], samples: 3, sample_columns: [a, b] }",
                      "range: { column: a, min: 0, samples: 100 }", "pattern: { column: a, regex: x, samples: 1 }",
                      "duplicates: { columns: [a, b], samples: 0 }", "sql: { query: 'select 1', samples: 3 }"] {
            #expect(ProjectFixture.configErrors(checks: RowRuleConfigTests.file(check)).isEmpty, "\(check)")
        }
    }

    @Test func checkExitsThreeAndRunsNothing() throws {
        let fixture = ProjectFixture()
        try fixture.warehouse().table("orders", timestamps: [ProjectFixture.now])
        fixture.checks("orders.yml", RowRuleConfigTests.file("missing: { column: updated_at, samples: 1000 }"))
        let output = try dqmon(["check", "--all", "--now", "2026-11-25T12:00:00Z"], in: fixture)
        #expect(output.status == 3)
        #expect(output.stderr.contains("checks/orders.yml:5:49: 'samples' must be a number of failing rows to fetch, 0 to 100"), "\(output.stderr)")
        #expect(!FileManager.default.fileExists(atPath: fixture.historyURL.path), "nothing was run or recorded")
    }
}
