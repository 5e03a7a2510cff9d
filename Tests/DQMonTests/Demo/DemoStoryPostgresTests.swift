import DQMon
import DQMonTestSupport
import Foundation
import Testing

/// `dqmon demo --postgres URL` tells the same story as the SQLite demo, corrections included: the copy receives the
/// corrected statuses (upsert by primary key) and loses the deleted orphan payments, so the incidents resolve there at
/// the same runs. Into a database of its own (the demo writes schema public).
@Suite(.enabled(if: PostgresTestServer.isAvailable,
                "DQMON_TEST_POSTGRES_URL is not set: run scripts/test, which starts a throwaway PostgreSQL 15 cluster"))
struct DemoStoryPostgresTests {
    @Test func theCopyCarriesCorrectionsAndDeletionsSoTheRuleIncidentsResolve() async throws {
        let database = "dqmon_demo_story_\(UInt32.random(in: 0...UInt32.max))"
        let admin = try await PostgresTestServer.adminSession()
        try await admin.execute("CREATE DATABASE \(database)")
        do {
            var components = try #require(URLComponents(string: PostgresTestServer.urlText ?? ""))
            components.path = "/\(database)"
            let url = try #require(components.string)
            var settings = try PostgresTestServer.settings()
            settings.url.database = database
            let session = try await PostgresSession.open(settings: settings, warehouse: "copy")
            try await DemoCopyStory.expect(days: 5, demoArguments: ["--postgres", url], url: url,
                                           warehouseYAML: #"demo: { type: postgres, url: "${DQMON_DEMO_URL}", schema: public, sslmode: disable }"#,
                                           rows: { try await session.rows(SQLStatement($0)) })
            await session.close()
        } catch {
            Issue.record(error)
        }
        try await admin.execute("DROP DATABASE \(database) WITH (FORCE)")
        await admin.close()
    }
}
