import DQMon
import DQMonTestSupport
import Foundation
import Testing

/// Config parsing, URL redaction and the dialect's SQL: no server needed.
@Suite struct PostgresSettingsTests {
    func project(_ warehouse: String) -> ProjectFixture {
        ProjectFixture(projectYAML: """
            version: 1
            warehouses:
              prod: \(warehouse)
            """)
    }

    func load(_ warehouse: String, environment: [String: String] = [:]) throws(ConfigErrors) -> Configuration {
        let fixture = project(warehouse)
        return try ConfigLoader.load(configPath: fixture.configURL, environment: environment)
    }

    func errors(_ warehouse: String, environment: [String: String] = [:]) -> [String] {
        project(warehouse).configErrors(environment: environment)
    }

    @Test func parsesEveryKeyAndThePasswordFromTheEnvironment() throws {
        let configuration = try load(
            #"{ type: postgres, url: "postgres://monitor:${PG_PASSWORD}@db.internal:6543/analytics", schema: mart, sslmode: require, max_connections: 8, statement_timeout: 90s }"#,
            environment: ["PG_PASSWORD": "s3cr%2Ft"])
        let settings = try #require(configuration.project.warehouses.first?.settings as? PostgresSettings)
        #expect(settings.url.host == "db.internal")
        #expect(settings.url.port == 6543)
        #expect(settings.url.user == "monitor")
        #expect(settings.url.password == "s3cr/t")
        #expect(settings.url.database == "analytics")
        #expect(settings.schema == "mart")
        #expect(settings.sslMode == .require)
        #expect(settings.maxConnections == 8)
        #expect(settings.statementTimeout == Interval(seconds: 90))
        #expect(settings.defaultParallelism == 8)
        #expect(settings.url.redacted == "postgres://db.internal:6543")
    }

    @Test func defaults() throws {
        let configuration = try load(#"{ type: postgres, url: "postgresql://monitor@localhost/db" }"#)
        let settings = try #require(configuration.project.warehouses.first?.settings as? PostgresSettings)
        #expect(settings.schema == "public")
        #expect(settings.sslMode == .prefer)
        #expect(settings.maxConnections == 4)
        #expect(settings.statementTimeout == nil)
        #expect(settings.url.password == nil)
    }

    @Test func sslModeFromTheURLWhenNoKeyIsGiven() throws {
        let configuration = try load(#"{ type: postgres, url: "postgres://u:p@h/db?sslmode=verify-full" }"#)
        #expect((configuration.project.warehouses.first?.settings as? PostgresSettings)?.sslMode == .verifyFull)
    }

    @Test func unixSocketURL() throws {
        let url = try PostgresURL(parsing: "postgres://u@/db?host=/var/run/postgresql")
        #expect(url.socketDirectory == "/var/run/postgresql")
        #expect(url.redacted == "postgres://[/var/run/postgresql]")
    }

    @Test func badValuesAreErrorsThatNeverQuoteTheURL() {
        let found = errors(#"{ type: postgres, url: "mysql://admin:hunter22@db/x", sslmode: requir, max_connections: 0 }"#)
        #expect(found.count == 3)
        #expect(found.contains { $0.hasSuffix("'url' must start with postgres:// or postgresql://") })
        #expect(found.contains { $0.hasSuffix("unknown sslmode 'requir' (did you mean 'require'?); use one of: disable, prefer, require, verify-full") })
        #expect(found.contains { $0.hasSuffix("'max_connections' must be between 1 and 100, got 0") })
        #expect(!found.joined().contains("hunter22"))
    }

    @Test func missingPasswordVariableIsAConfigError() {
        let found = errors(#"{ type: postgres, url: "postgres://u:${PG_PASSWORD}@h/db" }"#)
        #expect(found.count == 1)
        #expect(found.first?.contains("environment variable 'PG_PASSWORD' is not set") == true)
    }

    @Test func keysOfOtherWarehouseTypesAreRejected() {
        let found = errors(#"{ type: postgres, url: "postgres://u@h/db", path: x.sqlite }"#)
        #expect(found.first?.contains("key 'path' does not apply to a postgres warehouse") == true)
    }

    @Test func dialectQuotesQualifiesAndReadsEpochs() {
        let dialect = PostgresDialect(defaultSchema: "mart")
        #expect(dialect.qualifiedName(TableName(parsing: "orders")) == #""mart"."orders""#)
        #expect(dialect.qualifiedName(TableName(parsing: #"Sales.Order"Lines"#)) == #""Sales"."Order""Lines""#)
        #expect(dialect.epochSeconds(of: #""ts""#) == #"CAST(EXTRACT(EPOCH FROM "ts") AS DOUBLE PRECISION)"#)
        #expect(dialect.epochSeconds(of: #""ts""#, declaredType: "bigint").hasPrefix(#"CAST(CASE WHEN "ts" > 100000000000"#))
        #expect(dialect.epochSeconds(of: #""ts""#, declaredType: "timestamptz") == dialect.epochSeconds(of: #""ts""#))
    }

    @Test func catalogIsOneStatementForEveryTable() {
        let statement = PostgresDialect().catalogQuery(for: [TableName(parsing: "a.orders"), TableName(parsing: "events")])
        #expect(statement.sql.contains("information_schema.columns"))
        #expect(statement.arguments == [.text("a"), .text("orders"), .text("public"), .text("events")])
        #expect(statement.inlined.contains("IN (('a', 'orders'), ('public', 'events'))"))
    }

    @Test func typeNamesAreNormalized() {
        #expect(PostgresTypes.normalize("timestamp with time zone") == "timestamptz")
        #expect(PostgresTypes.normalize("timestamp(3) without time zone") == "timestamp")
        #expect(PostgresTypes.normalize("character varying(20)") == "varchar")
        #expect(PostgresTypes.normalize("numeric(12,2)") == "numeric")
        #expect(PostgresTypes.normalize("int8") == "bigint")
        #expect(PostgresTypes.normalize("text") == "text")
    }
}
