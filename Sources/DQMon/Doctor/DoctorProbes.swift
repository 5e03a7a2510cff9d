import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The two read-only questions `dqmon doctor` asks a warehouse: its server version and its clock.
/// A warehouse type whose dialect does not adopt this is reported as "not asked" (types added by a registry).
protocol DoctorProbing {
    /// One row, one text column: the product and version, e.g. `PostgreSQL 16.4`.
    var serverVersionQuery: SQLStatement { get }
    /// One row, one number: the server's current time as UTC epoch seconds (the wall clock, not the transaction's).
    var clockQuery: SQLStatement { get }
}

extension SQLiteDialect: DoctorProbing {
    var serverVersionQuery: SQLStatement { SQLStatement("SELECT 'SQLite ' || sqlite_version()") }
    var clockQuery: SQLStatement { SQLStatement("SELECT (julianday('now') - 2440587.5) * 86400.0") }
}

extension PostgresDialect: DoctorProbing {
    var serverVersionQuery: SQLStatement { SQLStatement("SELECT 'PostgreSQL ' || current_setting('server_version')") }
    var clockQuery: SQLStatement { SQLStatement("SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) AS double precision)") }
}

extension MySQLDialect: DoctorProbing {
    var serverVersionQuery: SQLStatement { SQLStatement("SELECT CONCAT(@@version_comment, ' ', VERSION())") }
    var clockQuery: SQLStatement { SQLStatement("SELECT CAST(UNIX_TIMESTAMP(SYSDATE(6)) AS DOUBLE)") }
}

/// Whether a receiver's host answers, without sending it anything it would post.
///
/// An HTTP receiver gets one `HEAD` request for its origin (`https://hooks.slack.com/`): never the webhook's own
/// path, which carries its token, and never a POST. Any HTTP answer, whatever its status, shows that DNS, the
/// network path, the proxy and TLS work; it does not prove that the webhook itself is valid (only a real message
/// would, see `dqmon alerts test`). A file receiver is checked for a writable file or folder, without writing.
enum ReceiverProbe {
    enum Outcome {
        case answered(status: Int, origin: String)
        case writable(path: String)
        case failed(reason: String)
        case notTried(reason: String)
    }

    static func probe(_ receiver: ReceiverConfig, timeout: TimeInterval) async -> Outcome {
        guard receiver.isEnabled else { return .notTried(reason: "disabled: its url is an unset ${VAR:-}") }
        switch receiver.settings.request(body: "", webhookID: "doctor", sentAt: Date(timeIntervalSince1970: 0)) {
        case .appendLine(let path, _):
            return fileOutcome(path)
        case .http(let url, _, _):
            guard var origin = URLComponents(url: url, resolvingAgainstBaseURL: false) else {
                return .notTried(reason: "its url cannot be split into a host")
            }
            origin.user = nil
            origin.password = nil
            origin.path = "/"
            origin.query = nil
            origin.fragment = nil
            guard let originURL = origin.url else { return .notTried(reason: "its url cannot be split into a host") }
            return await head(originURL, timeout: timeout)
        }
    }

    static func fileOutcome(_ path: URL) -> Outcome {
        let display = ConfigLoader.displayPath(path)
        var candidate = path
        while !FileManager.default.fileExists(atPath: candidate.path), candidate.path != "/" {
            candidate = candidate.deletingLastPathComponent()
        }
        if FileManager.default.isWritableFile(atPath: candidate.path) { return .writable(path: display) }
        return .failed(reason: "\(ConfigLoader.displayPath(candidate)) is not writable")
    }

    static func head(_ url: URL, timeout: TimeInterval) async -> Outcome {
        var request = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: timeout)
        request.httpMethod = "HEAD"
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.timeoutIntervalForResource = timeout
        let collector = ResponseCollector(limit: 1_024, timeout: timeout)
        let session = URLSession(configuration: configuration, delegate: collector, delegateQueue: nil)
        defer { session.finishTasksAndInvalidate() }
        let origin = url.absoluteString
        switch await collector.run(session.dataTask(with: request)) {
        case .response(let status, _, _): return .answered(status: status, origin: origin)
        case .redirect(let status, _): return .answered(status: status, origin: origin)
        case .failure(let reason, _): return .failed(reason: reason)
        }
    }
}
