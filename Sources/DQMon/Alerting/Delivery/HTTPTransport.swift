import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// What one attempt to send produced: an HTTP answer, a redirect that was not followed, or no answer at all.
public enum TransportResult: Sendable {
    case response(status: Int, retryAfter: String?, body: String)
    /// A 3xx answer. Deliveries never follow redirects (the body and signature would go to a host nobody
    /// configured, and a 302 would turn the POST into a GET): the user configures the final URL instead.
    case redirect(status: Int, location: String?)
    /// The network failed or the request timed out; `reason` may quote the URL, so it is scrubbed before use.
    case failure(reason: String, timedOut: Bool)
}

/// Sends one request. The real one is `URLSessionTransport`; both file and HTTP requests go through here.
public protocol AlertTransport: Sendable {
    func send(_ request: DeliveryRequest, timeout: TimeInterval) async -> TransportResult
}

/// HTTP through FoundationNetworking's URLSession; file requests append a line.
///
/// Redirects are refused, and at most `responseBodyLimit` bytes of a response body are kept (the rest is
/// discarded as it arrives, so a receiver answering with 100 MB costs no memory; reading it still counts
/// against the request's timeout).
public struct URLSessionTransport: AlertTransport {
    /// Response bodies are read up to 64 KiB: enough for any receiver's error message.
    public static let responseBodyLimit = 64 * 1_024

    public init() {}

    public func send(_ request: DeliveryRequest, timeout: TimeInterval) async -> TransportResult {
        switch request {
        case .appendLine(let path, let line):
            return Self.append(line, to: path)
        case .http(let url, let headers, let body):
            var urlRequest = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: timeout)
            urlRequest.httpMethod = "POST"
            for (name, value) in headers { urlRequest.setValue(value, forHTTPHeaderField: name) }
            // libcurl otherwise sends `Expect: 100-continue` for larger bodies and waits up to 1s for an answer.
            urlRequest.setValue("", forHTTPHeaderField: "Expect")
            urlRequest.httpBody = body
            let configuration = URLSessionConfiguration.ephemeral
            configuration.timeoutIntervalForRequest = timeout
            configuration.timeoutIntervalForResource = timeout
            let collector = ResponseCollector(limit: Self.responseBodyLimit, timeout: timeout)
            let session = URLSession(configuration: configuration, delegate: collector, delegateQueue: nil)
            defer { session.finishTasksAndInvalidate() }
            return await collector.run(session.dataTask(with: urlRequest))
        }
    }

    /// One line for a network failure. FoundationNetworking on Linux reports most libcurl failures as code -1
    /// (`unknown`) with libcurl's text in the description, so both are read.
    static func describe(_ error: any Error, timeout: TimeInterval) -> String {
        guard let error = error as? URLError else { return "network error: \(error.localizedDescription)" }
        let detail = (error as NSError).localizedDescription.replacingOccurrences(of: "\n", with: " ")
        let lowered = detail.lowercased()
        switch error.code {
        case .timedOut: return "timed out after \(Format.age(timeout))"
        case .cannotConnectToHost: return "connection refused"
        case .cannotFindHost, .dnsLookupFailed: return "host not found"
        case .networkConnectionLost: return "connection closed before the response was complete"
        case .badServerResponse where lowered.contains("empty reply"):
            return "connection closed without a response"
        case .badServerResponse: return "bad server response (\(detail.truncated(to: 120)))"
        case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasUnknownRoot,
             .serverCertificateHasBadDate, .serverCertificateNotYetValid, .clientCertificateRejected, .clientCertificateRequired:
            return tlsFailure(detail)
        default:
            break
        }
        if lowered.contains("ssl") || lowered.contains("tls") || lowered.contains("certificate") { return tlsFailure(detail) }
        if lowered.contains("transfer closed") || lowered.contains("connection reset") || lowered.contains("recv failure")
            || lowered.contains("partial") {
            return "connection closed before the response was complete (\(detail.truncated(to: 120)))"
        }
        return detail.isEmpty || detail == "(null)" ? "network error \(error.code.rawValue)" : "network error \(error.code.rawValue): \(detail.truncated(to: 160))"
    }

    static func tlsFailure(_ detail: String) -> String {
        let lowered = detail.lowercased()
        let why: String
        if lowered.contains("certificate") && (lowered.contains("verify") || lowered.contains("trust") || lowered.contains("issuer")) {
            why = "certificate not trusted"
        } else if lowered.contains("expired") {
            why = "certificate expired"
        } else if lowered.contains("wrong version number") {
            why = "the server did not answer with TLS: is the url https:// on a plain-HTTP port?"
        } else {
            why = detail.truncated(to: 160)
        }
        return "TLS handshake failed (\(why))"
    }

    static func append(_ line: String, to path: URL) -> TransportResult {
        do {
            try FileManager.default.createDirectory(at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
            if !FileManager.default.fileExists(atPath: path.path) { _ = FileManager.default.createFile(atPath: path.path, contents: nil) }
            let handle = try FileHandle(forWritingTo: path)
            defer { try? handle.close() }
            try handle.seekToEnd()
            try handle.write(contentsOf: Data((line + "\n").utf8))
            return .response(status: 200, retryAfter: nil, body: "")
        } catch {
            return .failure(reason: "cannot append to \(ConfigLoader.displayPath(path)): \(error.localizedDescription)", timedOut: false)
        }
    }
}

/// The session delegate of one request: refuses redirects and keeps the first `limit` bytes of the body.
/// A longer body is read to its end (within the request timeout) and dropped as it arrives.
final class ResponseCollector: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    let limit: Int
    let timeout: TimeInterval
    private let lock = NSLock()
    private var continuation: CheckedContinuation<TransportResult, Never>?
    private var finished: TransportResult?
    private var response: HTTPURLResponse?
    private var redirect: HTTPURLResponse?
    private var body = Data()
    private var truncated = false

    init(limit: Int, timeout: TimeInterval) {
        self.limit = limit
        self.timeout = timeout
    }

    func run(_ task: URLSessionDataTask) async -> TransportResult {
        await withCheckedContinuation { continuation in
            lock.withLock { self.continuation = continuation }
            task.resume()
        }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                    newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void) {
        lock.withLock { redirect = response }
        completionHandler(nil)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
        lock.withLock { self.response = response as? HTTPURLResponse }
        completionHandler(.allow)
    }

    /// Keeps the first `limit` bytes and drops the rest as it arrives. The transfer is not cancelled: on Linux,
    /// FoundationNetworking goes on receiving a cancelled transfer and buffers it in memory instead.
    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        lock.withLock {
            if body.count < limit { body += data.prefix(limit - body.count) }
            else { truncated = true }
        }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        // A body cut at the limit counts as answered even if the rest of the transfer then failed.
        let answered = lock.withLock { redirect != nil || (response != nil && (error == nil || truncated || body.count >= limit)) }
        if answered || error == nil {
            finish(self.answered())
        } else if let error {
            let timedOut = (error as? URLError)?.code == .timedOut
            finish(.failure(reason: URLSessionTransport.describe(error, timeout: timeout), timedOut: timedOut))
        }
    }

    /// The answer as received so far: the redirect if one was refused, else the status and body.
    private func answered() -> TransportResult {
        lock.withLock {
            if let redirect {
                return .redirect(status: redirect.statusCode, location: redirect.value(forHTTPHeaderField: "Location"))
            }
            if let response, (300..<400).contains(response.statusCode) {
                return .redirect(status: response.statusCode, location: response.value(forHTTPHeaderField: "Location"))
            }
            return .response(status: response?.statusCode ?? 0, retryAfter: response?.value(forHTTPHeaderField: "Retry-After"),
                             body: String(decoding: body, as: UTF8.self))
        }
    }

    /// Resumes the caller once; later calls do nothing.
    private func finish(_ result: TransportResult) {
        let waiting = lock.withLock { () -> CheckedContinuation<TransportResult, Never>? in
            guard finished == nil else { return nil }
            finished = result
            defer { continuation = nil }
            return continuation
        }
        waiting?.resume(returning: result)
    }
}
