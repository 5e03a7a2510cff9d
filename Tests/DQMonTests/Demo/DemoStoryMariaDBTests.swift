import DQMon
import DQMonTestSupport
import Foundation
import Testing

/// `dqmon demo --mysql URL` on the real MariaDB tells the same story as the SQLite demo, corrections included: the copy
/// receives the corrected statuses (upsert by primary key) and loses the deleted orphan payments.
@Suite(.enabled(if: MariaDBTestServer.isAvailable,
                "DQMON_TEST_MYSQL_URL is not set: run scripts/test, which starts a throwaway MariaDB server (Debian: mariadb-server, libmariadb3)"))
struct DemoStoryMariaDBTests {
    @Test func theCopyCarriesCorrectionsAndDeletionsSoTheRuleIncidentsResolve() async throws {
        try await withTemporaryDatabase("demostory") { db in
            let server = try MariaDBTestServer.url
            let url = "mysql://\(server.user):\(server.password ?? "")@\(server.host):\(server.port)/\(db.name)"
            try await DemoCopyStory.expect(days: 5, demoArguments: ["--mysql", url], url: url,
                                           warehouseYAML: #"demo: { type: mysql, url: "${DQMON_DEMO_URL}" }"#,
                                           rows: { try await db.rows($0) })
        }
    }
}
