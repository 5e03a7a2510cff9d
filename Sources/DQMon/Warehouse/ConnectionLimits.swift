/// The connection keys every server warehouse shares (`max_connections`, `statement_timeout`, `connect_timeout`),
/// read and bounded the same way for PostgreSQL and MySQL, so a limit means the same on both. SQLite's
/// `max_connections` and `dqmon check --parallel` take the same range (`maxConnectionsRange`).
public struct ConnectionLimits {
    /// `statement_timeout` is at most a day: PostgreSQL stores it as 32-bit milliseconds (about 24.8 days), and a
    /// monitoring query that runs longer than a day is a mistake to report, not to wait for.
    static let maximumStatementTimeout = Interval(seconds: 86_400)
    /// `connect_timeout` is at most an hour.
    static let maximumConnectTimeout = Interval(seconds: 3_600)
    static let defaultMaxConnections = 4
    /// What `max_connections` may be, for every warehouse type, and `--parallel` too: the one place the range is written.
    public static let maxConnectionsRange = 1...100
    static let defaultConnectTimeout = Interval(seconds: 10)

    let maxConnections: Int
    let statementTimeout: Interval?
    let connectTimeout: Interval

    /// Reads the keys from a warehouse's fields; a bad value is reported at its location and falls back to the
    /// default so the other keys are still checked.
    init(_ fields: ConfigFields) {
        maxConnections = fields.int("max_connections", in: Self.maxConnectionsRange) ?? Self.defaultMaxConnections
        statementTimeout = fields.interval("statement_timeout", atMost: Self.maximumStatementTimeout)
        connectTimeout = fields.interval("connect_timeout", atMost: Self.maximumConnectTimeout) ?? Self.defaultConnectTimeout
    }
}
