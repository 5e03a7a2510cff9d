import DQMon
import DQMonTestSupport
import Foundation
import Testing

/// `dqmon check`, `validate` and `history` as a scheduler runs them: the real binary, real files, exit codes.
@Suite struct CheckCommandTests {
    static let now = "2026-11-25T12:00:00Z"

    /// A project with one fresh table and one stale table (`stale` fails at 6h, warns at 2h).
    func project(staleAgo: TimeInterval = 3 * 3_600) throws -> ProjectFixture {
        let fixture = ProjectFixture()
        fixture.checks("tables.yml", """
            version: 1
            datasets:
              - name: fresh
                tags: [core]
                checks:
                  - freshness: { column: updated_at, warn_after: 2h, error_after: 6h }
                  - volume: { min_rows: 5 }
              - name: stale
                checks:
                  - freshness: { column: updated_at, warn_after: 2h, error_after: 6h }
            """)
        let warehouse = try fixture.warehouse()
        try warehouse.table("fresh", timestamps: WarehouseFixture.spread(10, over: 3_600, endingAt: ProjectFixture.now))
        try warehouse.table("stale", timestamps: [ProjectFixture.now.addingTimeInterval(-staleAgo)])
        return fixture
    }

    @Test func warningsExitZeroUnlessFailOnWarn() throws {
        let fixture = try project(staleAgo: 3 * 3_600)
        let output = try dqmon(["check", "--now", Self.now], in: fixture)
        #expect(output.status == 0)
        #expect(output.stdout.contains("stale    freshness  warn"))
        #expect(output.stdout.contains("3 checks at 2026-11-25T12:00:00Z: 2 pass, 1 warn, 0 fail, 0 error"))
        #expect(try dqmon(["check", "--now", Self.now, "--fail-on", "warn"], in: fixture).status == 2)
    }

    @Test func failureExitsOneOrZeroWithFailOnNever() throws {
        let fixture = try project(staleAgo: 7 * 3_600)
        #expect(try dqmon(["check", "--now", Self.now], in: fixture).status == 1)
        #expect(try dqmon(["check", "--now", Self.now, "--fail-on", "never"], in: fixture).status == 0)
        #expect(try dqmon(["check", "--now", Self.now, "--fail-on", "warn"], in: fixture).status == 1)
    }

    @Test func erroredCheckExitsThreeEvenWithFailOnNever() throws {
        let fixture = try project()
        fixture.checks("missing.yml", """
            version: 1
            datasets:
              - name: ghost
                checks: [ volume: {} ]
            """)
        let output = try dqmon(["check", "--now", Self.now, "--fail-on", "never"], in: fixture)
        #expect(output.status == 3)
        #expect(output.stdout.contains("table 'ghost' not found in warehouse 'main'"))
    }

    @Test func invalidConfigExitsThreeAndRunsNothing() throws {
        let fixture = try project()
        fixture.checks("bad.yml", """
            version: 1
            datasets:
              - name: other
                checks:
                  - freshness: { column: updated_at, warn_after: 6hours }
                  - volume: { min_rows: lots }
            """)
        for command in [["check"], ["validate"]] {
            let output = try dqmon(command, in: fixture)
            #expect(output.status == 3)
            #expect(output.stderr == """
                checks/bad.yml:5:54: 'warn_after' is not a valid duration: '6hours' (write a number and a unit: 90s, 15m, 6h, 2d)
                checks/bad.yml:6:29: 'min_rows' must be a whole number, got 'lots'
                dqmon: error: 2 configuration errors; nothing was run

                """)
        }
        #expect(!FileManager.default.fileExists(atPath: fixture.historyURL.path))
    }

    @Test func validateAcceptsAGoodConfig() throws {
        let output = try dqmon(["validate"], in: try project())
        #expect(output.status == 0)
        #expect(output.stdout == "configuration is valid: 1 warehouse(s), 2 dataset(s), 3 check(s)\n")
    }

    @Test func usageErrorsExitThree() throws {
        let fixture = try project()
        #expect(try dqmon(["check", "--fail-on", "sometimes"], in: fixture).status == 3)
        #expect(try dqmon(["check", "--now", "yesterday"], in: fixture).stderr.contains("--now 'yesterday' is not an ISO 8601 time"))
        let selection = try dqmon(["check", "--select", "tagz:core"], in: fixture)
        #expect(selection.status == 3)
        #expect(selection.stderr == "dqmon: error: --select/--exclude 'tagz:core': unknown selector 'tagz:' (did you mean 'tag'?); use a dataset name or glob, tag:X, tier:N or owner:X\n")
    }

    @Test func jsonOutputFollowsTheDocumentedSchema() throws {
        let output = try dqmon(["check", "--now", Self.now, "--format", "json", "--select", "tag:core"], in: try project())
        let document = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])
        #expect(document["version"] as? String == "1")
        let run = try #require(document["run"] as? [String: Any])
        #expect(run["evaluated_at"] as? String == Self.now)
        #expect(run["exit_code"] as? Int == 0)
        let results = try #require(document["results"] as? [[String: Any]])
        #expect(results.map { $0["check_id"] as? String } == ["fresh/freshness", "fresh/volume"])
        #expect(results[1]["observed"] as? Double == 10)
        #expect(results[1]["status"] as? String == "pass")
        #expect((document["summary"] as? [String: Int])?["pass"] == 2)
    }

    @Test func historyShowsOneCheckOverTime() throws {
        let fixture = try project()
        for hour in 0..<3 {
            _ = try dqmon(["check", "--now", "2026-11-25T1\(2 + hour):00:00Z"], in: fixture)
        }
        let output = try dqmon(["history", "stale/freshness"], in: fixture)
        #expect(output.status == 0)
        #expect(output.stdout.hasPrefix("stale/freshness: 3 results, newest first\n"))
        #expect(output.stdout.contains("2026-11-25T14:00:00Z  warn    5h"))
        #expect(output.stdout.contains("2026-11-25T12:00:00Z  warn    3h"))
        let unknown = try dqmon(["history", "stale/freshnes"], in: fixture)
        #expect(unknown.status == 3)
        #expect(unknown.stderr.contains("unknown check id 'stale/freshnes' (did you mean 'stale/freshness'?)"))
    }

    @Test func dryRunPrintsSQLAndWritesNothing() throws {
        let fixture = try project()
        let output = try dqmon(["check", "--dry-run", "--now", Self.now], in: fixture)
        #expect(output.status == 0)
        // One statement per dataset, each ending with its table's last subquery.
        #expect(output.stdout.split(separator: "\n").filter { $0.hasPrefix("SELECT") && $0.contains("FROM \"fresh\"") }.count == 1)
        #expect(output.stdout.split(separator: "\n").filter { $0.hasPrefix("SELECT") && $0.contains("FROM \"stale\"") }.count == 1)
        #expect(!FileManager.default.fileExists(atPath: fixture.historyURL.path))
    }

    @Test func versionAndHelp() throws {
        let fixture = try project()
        #expect(try dqmon(["--version"], in: fixture).stdout == "\(DQMonVersion.current) (development build)\n")
        let help = try dqmon(["check", "--help"], in: fixture)
        #expect(help.status == 0)
        #expect(help.stdout.contains("--fail-on"))
    }
}
