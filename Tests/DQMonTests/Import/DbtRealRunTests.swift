import DQMon
import DQMonTestSupport
import Foundation
import Testing

/// REAL dbt (dbt-core and dbt-postgres from PyPI, pinned in scripts/lib/reference/dbt-requirements.txt): `dbt parse`
/// on the sample project, then `dqmon import dbt` and `dqmon validate`; with the throwaway PostgreSQL, `dbt run` builds
/// the models and `dqmon check` runs the imported checks against them.
@Suite(.disabled(if: PythonVirtualEnv.offline, "DQMON_TEST_OFFLINE=1: these tests install dbt from PyPI"))
struct DbtRealRunTests {
    static let sample = PythonVirtualEnv.repositoryRoot.appendingPathComponent("Tests/Fixtures/dbt-sample")

    /// A copy of the sample project (dbt writes target/, logs/ and .user.yml beside it) and dbt's environment.
    static func dbt(_ arguments: [String], in folder: TemporaryDirectory, environment: [String: String] = [:]) throws -> (status: Int32, stdout: String) {
        let venv = try PythonVirtualEnv.shared(requirements: "dbt-requirements.txt")
        let project = folder.path("project")
        if !FileManager.default.fileExists(atPath: project.path) {
            try FileManager.default.copyItem(at: sample, to: project)
            try? FileManager.default.removeItem(at: project.appendingPathComponent("manifests"))
        }
        let process = Process()
        process.executableURL = venv.executable("dbt")
        process.arguments = arguments + ["--profiles-dir", project.path, "--project-dir", project.path,
                                         "--target-path", folder.path("target").path, "--log-path", folder.path("logs").path]
        process.currentDirectoryURL = project
        process.environment = ProcessInfo.processInfo.environment.merging(environment.merging(["DBT_SEND_ANONYMOUS_USAGE_STATS": "false"]) { $1 }) { $1 }
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }

    @Test func dbtParseThenImportThenValidate() throws {
        let folder = TemporaryDirectory(prefix: "dqmon-dbt")
        let parse = try Self.dbt(["parse"], in: folder)
        #expect(parse.status == 0, "\(parse.stdout)")
        let fixture = DbtImportTests.project()
        let imported = try dqmon(["import", "dbt", folder.path("target/manifest.json").path], in: fixture)
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.contains("(schema v12): 7 added"), "\(imported.stdout)")
        let validate = try dqmon(["validate"], in: fixture)
        #expect(validate.status == 0, "\(validate.stderr)\n\(DbtImportTests.generated(fixture))")
    }
}

/// `dbt run` on the throwaway PostgreSQL, then `dqmon check` on what dqmon imported: the dbt filter works as `where:`.
@Suite(.enabled(if: PostgresTestServer.isAvailable && !PythonVirtualEnv.offline,
                "needs DQMON_TEST_POSTGRES_URL (scripts/test starts a throwaway PostgreSQL) and PyPI for dbt"))
struct DbtPostgresTests {
    @Test func importedFreshnessChecksRunOnTheModelsDbtBuilt() async throws {
        try await withTemporarySchema("raw") { raw in
            let models = "an_" + raw.name.dropFirst(4)
            try await raw.execute(#"CREATE TABLE "\#(raw.name)".orders (id int, customer_id int, amount numeric, status text, _loaded_at timestamp)"#)
            // The latest real order is 3h old (warn after 2h); a test order 1 minute old is left out by dbt's filter.
            try await raw.execute(#"INSERT INTO "\#(raw.name)".orders VALUES (1, 1, 10, 'ok', '2026-11-25 09:00:00'), (2, 1, 5, 'test', '2026-11-25 11:59:00')"#)
            try await raw.execute(#"CREATE TABLE "\#(raw.name)".payments (id int, order_id int, amount numeric, created_at timestamp)"#)
            try await raw.execute(#"INSERT INTO "\#(raw.name)".payments VALUES (1, 1, 10, '2026-11-25 11:50:00')"#)
            try await raw.execute(#"CREATE TABLE "\#(raw.name)".customers (id int)"#)
            let url = try #require(URLComponents(string: PostgresTestServer.urlText ?? ""))
            let folder = TemporaryDirectory(prefix: "dqmon-dbt")
            let run = try DbtRealRunTests.dbt(["run"], in: folder, environment: [
                "DBT_PG_HOST": url.host ?? "127.0.0.1", "DBT_PG_PORT": String(url.port ?? 5432), "DBT_PG_USER": url.user ?? "",
                "DBT_PG_PASSWORD": url.password ?? "", "DBT_PG_DBNAME": String(url.path.dropFirst()),
                "DBT_RAW_SCHEMA": raw.name, "DBT_SCHEMA": String(models)])
            #expect(run.status == 0, "\(run.stdout)")
            let fixture = PostgresProjectFixture(warehouses: "  pg: { type: postgres, url: \"${DQMON_TEST_POSTGRES_URL}\", sslmode: disable }")
            let imported = try dqmon(["import", "dbt", folder.path("target/manifest.json").path], in: fixture.project)
            #expect(imported.status == 0, "\(imported.stderr)")
            #expect(try dqmon(["validate"], in: fixture.project).status == 0)
            let check = try dqmon(["check", "--all", "--now", "2026-11-25T12:00:00Z", "--no-alerts", "--format", "json"], in: fixture.project)
            #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
            let results = check.checkResults ?? [:]
            #expect(results["\(raw.name).orders/freshness/dbt"]?["status"] as? String == "warn", "\(check.stdout)")
            #expect(results["\(raw.name).payments/freshness/dbt"]?["status"] as? String == "pass", "\(check.stdout)")
            try await raw.execute(#"DROP SCHEMA IF EXISTS "\#(models)" CASCADE"#)
        }
    }
}
