import DQMon
import DQMonTestSupport
import Foundation
import Testing

/// URL parsing and redaction, config keys, the type normalizer and the dialect's SQL: no server needed.
@Suite struct MySQLSettingsTests {
    func errors(_ warehouse: String, environment: [String: String] = [:]) -> [String] {
        ProjectFixture(projectYAML: "version: 1\nwarehouses:\n  shop: \(warehouse)\n").configErrors(environment: environment)
    }

    @Test func parsesTheURLAndRedactsIt() throws {
        let url = try MySQLURL(parsing: "mysql://monitor:s3cr%2Ft@db.internal:3307/shop")
        #expect(url.host == "db.internal")
        #expect(url.port == 3307)
        #expect(url.user == "monitor")
        #expect(url.password == "s3cr/t")
        #expect(url.database == "shop")
        #expect(url.socket == nil)
        #expect(url.redacted == "mysql://db.internal:3307")
        #expect("\(url)" == url.redacted)
        #expect(String(reflecting: url) == url.redacted)
        let socket = try MySQLURL(parsing: "mariadb://monitor@localhost/shop?socket=/run/mysqld/mysqld.sock")
        #expect(socket.socket == "/run/mysqld/mysqld.sock")
        #expect(socket.port == 3306)
        #expect(socket.password == nil)
        #expect(socket.redacted == "mysql://[/run/mysqld/mysqld.sock]")
    }

    @Test func badURLsSayWhyWithoutRepeatingThePassword() {
        let cases: [(String, String)] = [
            ("postgres://u:pw-secret@h/db", "must start with mysql:// or mariadb://"),
            ("mysql://:pw-secret@h/db", "has no user name (expected mysql://user:password@host:3306/database)"),
            ("mysql://u:pw-secret@h", "has no database name after the host (expected mysql://user:password@host:3306/database)"),
            ("mysql://u:pw-secret@h:70000/db", "has port 70000: a port is 1 to 65535 (expected mysql://user:password@host:3306/database)"),
            ("mysql://u:pw-secret@h/db?sslmode=require", "has an unknown parameter '?sslmode=' (only ?socket=/path/to/mysqld.sock; TLS is the 'ssl_mode' key)"),
            ("mysql://u:pw-secret@h/db?socket=relative.sock", "has '?socket=' that is not an absolute path (e.g. ?socket=/run/mysqld/mysqld.sock)"),
        ]
        for (text, reason) in cases {
            #expect(throws: MySQLURL.ParseError.self) { try MySQLURL(parsing: text) }
            do {
                _ = try MySQLURL(parsing: text)
            } catch {
                #expect(error.reason == reason, "\(text)")
                #expect(!error.reason.contains("pw-secret"))
            }
        }
    }

    @Test(.enabled(if: MySQLSettings.clientLibraryProblem == nil, "libmariadb.so.3 is not installed (Debian: libmariadb3)"))
    func configKeysAndTheirErrors() throws {
        let fixture = ProjectFixture(projectYAML: """
            version: 1
            warehouses:
              shop: { type: mysql, url: "mysql://monitor:${MY_PASSWORD}@db:3306/shop", ssl_mode: required, max_connections: 8, statement_timeout: 90s, connect_timeout: 3s }
            """)
        let configuration = try ConfigLoader.load(configPath: fixture.configURL, environment: ["MY_PASSWORD": "pa55-word"])
        let settings = try #require(configuration.project.warehouses.first?.settings as? MySQLSettings)
        #expect(settings.url.password == "pa55-word")
        #expect(settings.sslMode == .required)
        #expect(settings.maxConnections == 8)
        #expect(settings.defaultParallelism == 8)
        #expect(settings.statementTimeout == Interval(seconds: 90))
        #expect(settings.connectTimeout == Interval(seconds: 3))
        #expect(errors(#"{ type: mysql, url: "mysql://u:${P}@h/db", ssl_mode: require }"#, environment: ["P": "pa55-word"])
            == ["dqmon.yml:3:62: unknown ssl_mode 'require' (did you mean 'required'?); use one of: disabled, preferred, required, verify_identity"])
        let bad = errors(#"{ type: mysql, url: "mysql://u:${P}@h" }"#, environment: ["P": "pa55-word"])
        #expect(bad == ["dqmon.yml:3:29: 'url' has no database name after the host (expected mysql://user:password@host:3306/database)"])
        #expect(errors("{ type: mysql }") == ["dqmon.yml:3:9: warehouse 'shop' needs 'url'"])
    }

    /// Without the client library, `dqmon validate` and `dqmon check` say in one line which package to install, exit 3;
    /// a project without a mysql warehouse never loads it.
    @Test func withoutTheClientLibraryValidateAndCheckNameThePackage() throws {
        let fixture = ProjectFixture(projectYAML: """
            version: 1
            warehouses:
              main: { type: sqlite, path: warehouse.sqlite }
              shop: { type: mysql, url: "mysql://u:${P}@127.0.0.1/db" }
            default_warehouse: main
            history: { path: .dqmon/history.sqlite }
            """)
        fixture.checks("a.yml", "version: 1\ndatasets:\n  - name: orders\n    checks:\n      - volume: {}\n")
        let missing = ["DQMON_MYSQL_LIBRARY": fixture.root.appendingPathComponent("no/libmariadb.so.3").path, "P": "pa55-word"]
        for command in [["validate"], ["check", "--all"]] {
            let output = try dqmon(command, in: fixture, environment: missing)
            #expect(output.status == 3, "\(command): \(output.stderr)")
            let line = "dqmon.yml:4:17: type 'mysql' needs the MariaDB client library \(fixture.root.path)/no/libmariadb.so.3, which is not installed: install Debian's package libmariadb3 (apt-get install libmariadb3)"
            #expect(output.stderr.split(separator: "\n").first.map(String.init) == line, "\(output.stderr)")
            #expect(!(output.stdout + output.stderr).contains("pa55-word"))
        }
        try fixture.directory.write("dqmon.yml", String(contentsOf: fixture.configURL, encoding: .utf8)
            .replacingOccurrences(of: "  shop: { type: mysql, url: \"mysql://u:${P}@127.0.0.1/db\" }\n", with: ""))
        let sqliteOnly = try dqmon(["validate"], in: fixture, environment: missing)
        #expect(sqliteOnly.status == 0, "\(sqliteOnly.stderr)")
    }

    @Test func typeNormalizer() {
        let types = MySQLTypeNormalizer()
        let cases: [(String, String)] = [
            ("int(11)", "integer"), ("INT", "integer"), ("mediumint(8)", "integer"), ("int(10) unsigned", "integer unsigned"),
            ("tinyint(1)", "boolean"), ("bool", "boolean"), ("tinyint(4)", "smallint"), ("tinyint", "smallint"),
            ("tinyint(1) unsigned", "smallint unsigned"), ("smallint(6)", "smallint"), ("bigint(20)", "bigint"),
            ("bigint(20) unsigned zerofill", "bigint unsigned"), ("decimal(12,2)", "numeric"), ("NUMERIC(5)", "numeric"),
            ("float", "real"), ("double", "double precision"), ("double(10,2)", "double precision"),
            ("varchar(255)", "text"), ("longtext", "text"), ("char(3)", "char"), ("varbinary(16)", "binary"), ("blob", "binary"),
            ("datetime", "datetime"), ("datetime(6)", "datetime"), ("timestamp", "timestamp"), ("timestamp(3)", "timestamp"),
            ("date", "date"), ("time(3)", "time"), ("year(4)", "year"), ("json", "json"), ("bit(1)", "bit"),
            ("enum('new','paid')", "enum('new','paid')"), ("ENUM('new', 'paid')", "enum('new','paid')"),
            ("enum('it''s','a b')", "enum('it''s','a b')"), ("set('x','y')", "set('x','y')"),
        ]
        for (declared, normalized) in cases { #expect(types.normalize(declared) == normalized, "\(declared)") }
        // Spelling never matters: case, whitespace and display widths of every integer and decimal spelling.
        for (declared, normalized) in cases where !declared.lowercased().hasPrefix("enum") && !declared.lowercased().hasPrefix("set") {
            #expect(types.normalize("  " + declared.uppercased() + " ") == normalized, "\(declared)")
        }
        #expect(KnownTypeNames.misspelling("mediumnit") == "mediumint")
    }

    @Test func dialectQuotesWithBackticksAndQualifiesWithTheDatabase() {
        let dialect = MySQLDialect(defaultSchema: "shop")
        #expect(dialect.quote("we`ird") == "`we``ird`")
        #expect(dialect.qualifiedName(TableName(parsing: "orders")) == "`shop`.`orders`")
        #expect(dialect.qualifiedName(TableName(parsing: "mart.Order Lines")) == "`mart`.`Order Lines`")
        let probe = dialect.rowsSinceProbe(TimestampColumn(name: "t", declaredType: "datetime(3)", isIndexed: true),
                                           cutoff: 1_764_072_000.25, in: "`shop`.`orders`")
        #expect(probe == SQLStatement("SELECT count(*) FROM `shop`.`orders` WHERE `t` >= CAST(? AS DATETIME(6))",
                                      arguments: [.text("2025-11-25 12:00:00.250000")]))
        #expect(dialect.latestTimestampProbe(TimestampColumn(name: "t", declaredType: "varchar(30)", isIndexed: true), in: "x") == nil)
        #expect(dialect.latestTimestampProbe(TimestampColumn(name: "t", declaredType: "datetime", isIndexed: false), in: "x") == nil)
    }

    /// The cutoff's wall time is exact to the microsecond (rounded up, so `>=` keeps the window's rows) for every
    /// cutoff DATETIME can hold, and nil outside it. Bounded, seeded loop.
    @Test func cutoffWallTimeOverManyValues() throws {
        let dialect = MySQLDialect(defaultSchema: "d")
        var generator = SeededRandom(seed: 0x15_15)
        let column = TimestampColumn(name: "t", declaredType: "datetime(6)", isIndexed: true)
        for _ in 0..<5_000 {
            let cutoff = Double.random(in: -30_000_000_000...253_000_000_000, using: &generator)
            let micros = Int64((cutoff * 1_000_000).rounded(.up))
            let probe = try #require(dialect.rowsSinceProbe(column, cutoff: cutoff, in: "x"), "seed 0x1515 cutoff \(cutoff)")
            guard case .text(let text) = probe.arguments.first else { Issue.record("no text bound for \(cutoff)"); continue }
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "UTC")
            formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
            let seconds = try #require(formatter.date(from: String(text.prefix(19))), "\(text)").timeIntervalSince1970
            let fraction = try #require(Int64(text.suffix(6)))
            #expect(Int64(seconds) * 1_000_000 + fraction == micros, "seed 0x1515 cutoff \(cutoff) -> \(text)")
        }
        for outside in [-40_000_000_000.0, 300_000_000_000, .infinity, -.infinity, .nan] {
            #expect(dialect.rowsSinceProbe(column, cutoff: outside, in: "x") == nil)
        }
    }
}
