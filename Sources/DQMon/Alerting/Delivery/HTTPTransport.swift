import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// What one attempt to send produced: an HTTP answer, or no answer at all.
public enum TransportResult: Sendable {
    case response(status: Int, retryAfter: String?, body: String)
    /// The network failed or the request timed out; `reason` may quote the URL, so it is scrubbed before use.
    case failure(reason: String, timedOut: Bool)
}

/// Sends one request. The real one is `URLSessionTransport`; both file and HTTP requests go through here.
public protocol AlertTransport: Sendable {
    func send(_ request: DeliveryRequest, timeout: TimeInterval) async -> TransportResult
}

/// HTTP through FoundationNetworking's URLSession; file requests append a line.
public struct URLSessionTransport: AlertTransport {
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
            let session = URLSession(configuration: configuration)
            defer { session.finishTasksAndInvalidate() }
            do {
                let (data, response) = try await session.data(for: urlRequest)
                let http = response as? HTTPURLResponse
                return .response(status: http?.statusCode ?? 0, retryAfter: http?.value(forHTTPHeaderField: "Retry-After"),
                                 body: String(decoding: data.prefix(2_000), as: UTF8.self))
            } catch {
                let timedOut = (error as? URLError)?.code == .timedOut
                return .failure(reason: timedOut ? "timed out after \(Format.age(timeout))" : Self.describe(error), timedOut: timedOut)
            }
        }
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? URLError {
            switch error.code {
            case .cannotConnectToHost: return "connection refused"
            case .networkConnectionLost: return "connection closed before an answer"
            case .cannotFindHost: return "host not found"
            case .badServerResponse: return "bad server response"
            default: return "network error \(error.code.rawValue)"
            }
        }
        return "network error: \(error.localizedDescription)"
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
