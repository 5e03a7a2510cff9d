import Foundation
import PostgresNIO

/// Turns postgres-nio and NIO errors into `WarehouseError`s that name the warehouse and the cause in words
/// an on-call engineer can act on. Messages never hold the URL or the password (only `url.redacted`).
struct PostgresFailures: Sendable {
    let warehouse: String
    let endpoint: String
    let user: String
    let statementTimeout: Interval?
    let connectTimeout: Interval
    let secrets: [String]

    init(warehouse: String, settings: PostgresSettings) {
        self.warehouse = warehouse
        endpoint = settings.url.redacted
        user = settings.url.user
        statementTimeout = settings.statementTimeout
        connectTimeout = settings.connectTimeout
        secrets = [settings.url.password].compactMap { $0 }
    }

    /// Runs `body`, mapping whatever it throws.
    func catching<T>(_ body: () async throws -> T) async throws(WarehouseError) -> T {
        do {
            return try await body()
        } catch let error as WarehouseError {
            throw error
        } catch {
            throw map(error)
        }
    }

    func map(_ error: any Error) -> WarehouseError {
        let (kind, message) = classify(error)
        return WarehouseError(warehouse: warehouse, kind: kind, message: SecretRedaction.scrub(message, secrets: secrets))
    }

    /// The handshake did not finish within `connect_timeout`.
    struct ConnectDeadlineExceeded: Error {}

    func classify(_ error: any Error) -> (WarehouseError.Kind, String) {
        if error is ConnectDeadlineExceeded {
            return (.unavailable, "server down or unreachable: no answer from \(endpoint) within connect_timeout (\(connectTimeout))")
        }
        if let error = error as? PSQLError { return classify(error) }
        if error is NIOSSLError { return (.unavailable, "TLS failed with \(endpoint): \(error) (check sslmode and the server's certificate)") }
        if let error = error as? ChannelError, case .connectTimeout = error {
            return (.unavailable, "server down or unreachable: no answer from \(endpoint) within connect_timeout (\(connectTimeout))")
        }
        return (.unavailable, "cannot use \(endpoint): \(Self.brief(error))")
    }

    func classify(_ error: PSQLError) -> (WarehouseError.Kind, String) {
        switch error.code {
        case .server:
            return classifyServer(state: error.serverInfo?[.sqlState] ?? "", message: error.serverInfo?[.message] ?? "server error")
        case .sslUnsupported:
            return (.unavailable, "TLS required (sslmode require or verify-full) but the server at \(endpoint) does not offer TLS (use sslmode: prefer or disable, or enable ssl on the server)")
        case .failedToAddSSLHandler, .receivedUnencryptedDataAfterSSLRequest:
            return (.unavailable, "TLS failed with \(endpoint): \(error.underlying.map(Self.brief) ?? "\(error.code)")")
        case .connectionError:
            return (.unavailable, connectionFailure(error.underlying))
        case .serverClosedConnection, .uncleanShutdown:
            return (.unavailable, "connection dropped: the server at \(endpoint) closed the connection mid-run")
        case .clientClosedConnection, .poolClosed:
            return (.unavailable, "connection to \(endpoint) was closed before the query finished")
        case .queryCancelled:
            return (.timeout, "query cancelled")
        case .authMechanismRequiresPassword:
            return (.unavailable, "the server at \(endpoint) asks user '\(user)' for a password, but 'url' has none")
        case .saslError, .unsupportedAuthMechanism:
            return (.unavailable, "authentication failed for user '\(user)' at \(endpoint) (\(error.code))")
        default:
            return (.query, "\(error.code)")
        }
    }

    /// SQLSTATE classes: https://www.postgresql.org/docs/15/errcodes-appendix.html
    func classifyServer(state: String, message: String) -> (WarehouseError.Kind, String) {
        switch state {
        case "28P01":
            return (.unavailable, "wrong password for user '\(user)' at \(endpoint) (password authentication failed; check the password in 'url')")
        case "28000":
            return (.unavailable, "user '\(user)' may not connect to \(endpoint): \(message)")
        case "3D000":
            return (.unavailable, "database not found at \(endpoint): \(message)")
        case "53300":
            return (.unavailable, "the server at \(endpoint) has no free connections: \(message) (lower max_connections)")
        case "57014" where message.contains("statement timeout"):
            let limit = statementTimeout.map { " (\($0))" } ?? ""
            return (.timeout, "statement timeout: the query ran longer than statement_timeout\(limit)")
        case "57014":
            return (.timeout, "query cancelled by the server: \(message)")
        case "57P01", "57P02", "57P03":
            return (.unavailable, "connection dropped: the server at \(endpoint) terminated the session mid-run (\(message))")
        case "25006":
            return (.query, "\(message): dqmon runs every statement in a read-only transaction, so a check's sql: may only read")
        case "42P01":
            return (.query, "relation missing: \(message)")
        case "42501":
            return (.query, "permission denied: \(message) (grant SELECT to user '\(user)')")
        default:
            return (.query, "\(message) (SQLSTATE \(state))")
        }
    }

    func connectionFailure(_ underlying: (any Error)?) -> String {
        let cause = underlying.map(Self.brief) ?? "connection failed"
        if cause.localizedCaseInsensitiveContains("refused") {
            return "server down or unreachable: connection refused by \(endpoint)"
        }
        if let error = underlying as? ChannelError, case .connectTimeout = error {
            return "server down or unreachable: no answer from \(endpoint) within connect_timeout (\(connectTimeout))"
        }
        return "server down or unreachable: cannot connect to \(endpoint) (\(cause))"
    }

    /// A one-line description of an underlying error.
    static func brief(_ error: any Error) -> String {
        let text = String(describing: error).replacingOccurrences(of: "\n", with: " ")
        return text.count > 200 ? String(text.prefix(200)) + "…" : text
    }
}
