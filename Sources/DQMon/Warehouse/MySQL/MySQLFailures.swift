import Foundation

/// Turns Connector/C error numbers into `WarehouseError`s that name the warehouse and the cause in words an
/// on-call engineer can act on. Messages never hold the URL or the password (only `url.redacted`).
///
/// Error numbers: client 2000-2999 (`errmsg.h`), server 1000-1999 and 3000+ (MySQL and MariaDB share most).
struct MySQLFailures: Sendable {
    let warehouse: String
    let endpoint: String
    let user: String
    let database: String
    let statementTimeout: Interval?
    let connectTimeout: Interval
    let secrets: [String]

    init(warehouse: String, settings: MySQLSettings) {
        self.warehouse = warehouse
        endpoint = settings.url.redacted
        user = settings.url.user
        database = settings.url.database
        statementTimeout = settings.statementTimeout
        connectTimeout = settings.connectTimeout
        secrets = [settings.url.password].compactMap { $0 }
    }

    func error(_ kind: WarehouseError.Kind, _ message: String) -> WarehouseError {
        WarehouseError(warehouse: warehouse, kind: kind, message: SecretRedaction.scrub(message, secrets: secrets))
    }

    /// Error numbers after which the connection is gone: the pool never hands the session out again.
    static let connectionLost: Set<UInt32> = [2006, 2013, 2055, 1927, 4031, 1053]

    /// A failure while connecting: every kind is `.unavailable` (the warehouse cannot be used at all).
    func connecting(_ code: UInt32, _ message: String) -> WarehouseError {
        switch code {
        // 111 ECONNREFUSED; 115 is what Connector/C reports for a refused non-blocking connect (with connect_timeout).
        // A missing socket file (2) is refused too. Connector/C reports TCP as 2002 or 2003 depending on the version.
        case 2002 where ["(111)", "(115)", "(2)"].contains(where: message.contains),
             2003 where ["(111)", "(115)"].contains(where: message.contains):
            return error(.unavailable, "server down or unreachable: connection refused by \(endpoint)")
        case 2013,
             2003 where message.contains("(110)"):
            return error(.unavailable, "server down or unreachable: no answer from \(endpoint) within connect_timeout (\(connectTimeout))")
        case 2002, 2003, 2005:
            return error(.unavailable, "server down or unreachable: cannot connect to \(endpoint) (\(message))")
        case 1045:
            return error(.unavailable, "wrong password for user '\(user)' at \(endpoint) (access denied; check the password in 'url', and that the user may connect from this host)")
        case 1044:
            return error(.unavailable, "user '\(user)' may not use database '\(database)' at \(endpoint): \(message)")
        case 1049:
            return error(.unavailable, "database not found at \(endpoint): \(message) (check the database in 'url')")
        case 1040, 1203:
            return error(.unavailable, "the server at \(endpoint) has no free connections: \(message) (lower max_connections)")
        case 2026:
            return error(.unavailable, "TLS failed with \(endpoint): \(message) (check ssl_mode and the server's certificate)")
        case 2059, 1251:
            return error(.unavailable, "authentication failed for user '\(user)' at \(endpoint): \(message)")
        default:
            return error(.unavailable, "cannot use \(endpoint): \(message) (MySQL error \(code))")
        }
    }

    /// A failure of one statement on an open connection.
    func statement(_ code: UInt32, _ message: String) -> WarehouseError {
        switch code {
        case 1969, 3024:
            let limit = statementTimeout.map { " (\($0))" } ?? ""
            return error(.timeout, "statement timeout: the query ran longer than statement_timeout\(limit)")
        case 1317:
            return error(.timeout, "query interrupted by the server: \(message)")
        case _ where Self.connectionLost.contains(code):
            return error(.unavailable, "connection dropped: the server at \(endpoint) closed the connection mid-run (\(message))")
        case 1792:
            return error(.query, "\(message): dqmon runs every statement in a read-only transaction, so a check's sql: may only read")
        case 1146:
            return error(.query, "relation missing: \(message)")
        case 1142, 1143, 1227:
            return error(.query, "permission denied: \(message) (grant SELECT to user '\(user)')")
        default:
            return error(.query, "\(message) (MySQL error \(code))")
        }
    }
}
