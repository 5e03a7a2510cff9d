import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A real HTTP/1.1 server on 127.0.0.1 (a random free port) for alert delivery tests.
///
/// It records every request (method, path, headers, body) and answers as scripted: a status with optional
/// headers and body, too slowly (past the client's timeout), by closing the connection without an answer or
/// halfway through one, by echoing the request (a receiver that leaks what it was sent), or with a huge body.
/// One-shot answers queued with `enqueue` are used first, in order; then `defaultAnswer`.
/// Each connection is served on its own thread, so a slow answer never blocks the next request.
public final class TestHTTPReceiver: @unchecked Sendable {
    public struct Request: Sendable {
        public var method: String
        public var path: String
        /// Header names lowercased.
        public var headers: [String: String]
        public var body: String
        public var json: Any? { try? JSONSerialization.jsonObject(with: Data(body.utf8)) }
    }

    public enum Answer: Sendable {
        case status(Int, body: String = "", headers: [(String, String)] = [])
        /// Waits `seconds` before answering 200, so the client times out first.
        case slow(seconds: Double)
        /// Closes the connection without answering.
        case close
        /// Answers `status` with a body that echoes the request: its request line (path and query), headers and body.
        case echo(Int)
        /// Answers `status` with a body of `bytes` bytes, streamed in 64 KiB chunks (the receiver holds one chunk).
        case largeBody(Int, bytes: Int)
        /// Sends the status line, headers and `Content-Length: 1000`, then 10 bytes, then closes: a response cut off.
        case cutOff

        public static let ok = Answer.status(200, body: "ok")
        public static func retryAfter(_ seconds: Int) -> Answer { .status(429, body: "rate limited", headers: [("Retry-After", String(seconds))]) }
    }

    public let port: UInt16
    private let listener: Int32
    private let lock = NSLock()
    private var recorded: [Request] = []
    private var queued: [Answer] = []
    private var fallback: Answer = .ok
    private var stopped = false

    public init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ReceiverError(message: "socket() failed") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 64) == 0 else {
            close(fd)
            throw ReceiverError(message: "bind/listen on 127.0.0.1 failed")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        port = UInt16(bigEndian: address.sin_port)
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    deinit { stop() }

    /// `http://127.0.0.1:PORT/path`.
    public func url(_ path: String = "/hook") -> String { "http://127.0.0.1:\(port)\(path)" }

    public var requests: [Request] { lock.withLock { recorded } }

    public var defaultAnswer: Answer {
        get { lock.withLock { fallback } }
        set { lock.withLock { fallback = newValue } }
    }

    public func enqueue(_ answers: Answer...) { lock.withLock { queued += answers } }

    public func reset() { lock.withLock { recorded = []; queued = [] } }

    /// Stops listening. Idempotent: closing the descriptor twice could close a file another thread has
    /// since opened under the same number (a history database, in parallel tests).
    public func stop() {
        let first = lock.withLock { () -> Bool in
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func acceptLoop() {
        while true {
            let connection = accept(listener, nil, nil)
            if connection < 0 {
                if errno == EINTR { continue }
                return
            }
            let thread = Thread { [self] in serve(connection) }
            thread.start()
        }
    }

    private func nextAnswer() -> Answer {
        lock.withLock { queued.isEmpty ? fallback : queued.removeFirst() }
    }

    private func serve(_ connection: Int32) {
        defer { close(connection) }
        guard let request = read(connection) else { return }
        let answer = nextAnswer()
        lock.withLock { recorded.append(request) }
        switch answer {
        case .close:
            return
        case .slow(let seconds):
            Thread.sleep(forTimeInterval: seconds)
            write(connection, status: 200, body: "ok", headers: [])
        case .status(let status, let body, let headers):
            write(connection, status: status, body: body, headers: headers)
        case .echo(let status):
            let headers = request.headers.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: "\n")
            write(connection, status: status, body: "\(request.method) \(request.path)\n\(headers)\n\n\(request.body)", headers: [])
        case .largeBody(let status, let bytes):
            writeLarge(connection, status: status, bytes: bytes)
        case .cutOff:
            let text = "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nonly-a-bit"
            sendAll(connection, Array(text.utf8))
        }
    }

    private func writeLarge(_ connection: Int32, status: Int, bytes: Int) {
        let head = "HTTP/1.1 \(status) \(Self.reason(status))\r\nContent-Length: \(bytes)\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n"
        guard sendAll(connection, Array(head.utf8)) else { return }
        let chunk = [UInt8](repeating: UInt8(ascii: "x"), count: 65_536)
        var left = bytes
        while left > 0 {
            guard sendAll(connection, Array(chunk.prefix(left))) else { return }
            left -= min(left, chunk.count)
        }
    }

    /// Sends every byte (or stops when the peer is gone); false if the connection failed.
    @discardableResult
    private func sendAll(_ connection: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { send(connection, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
            if sent <= 0 { return false }
            offset += sent
        }
        return true
    }

    private func read(_ connection: Int32) -> Request? {
        var buffer = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 65_536)
        var headerEnd: Int?
        var continued = false
        while true {
            if let end = headerEnd {
                let head = String(decoding: buffer[..<end], as: UTF8.self)
                let headers = Self.headers(head)
                if headers["expect"]?.lowercased() == "100-continue", !continued {
                    continued = true
                    let reply = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)
                    _ = reply.withUnsafeBytes { send(connection, $0.baseAddress, reply.count, Int32(MSG_NOSIGNAL)) }
                }
                let length = Int(headers["content-length"] ?? "0") ?? 0
                if buffer.count - (end + 4) >= length {
                    let line = head.split(separator: "\r\n").first.map(String.init) ?? ""
                    let parts = line.split(separator: " ").map(String.init)
                    let body = String(decoding: buffer[(end + 4)..<(end + 4 + length)], as: UTF8.self)
                    return Request(method: parts.first ?? "", path: parts.count > 1 ? parts[1] : "", headers: headers, body: body)
                }
            }
            let count = recv(connection, &chunk, chunk.count, 0)
            if count <= 0 { return nil }
            buffer += chunk[0..<count]
            if buffer.first == 0x16 {
                // A TLS ClientHello on this plain-HTTP port: answer in plain HTTP at once, as web servers do.
                sendAll(connection, Array("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".utf8))
                return nil
            }
            if headerEnd == nil, let range = Self.find([13, 10, 13, 10], in: buffer) { headerEnd = range }
        }
    }

    private static func headers(_ head: String) -> [String: String] {
        var headers: [String: String] = [:]
        for line in head.split(separator: "\r\n").dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return headers
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for index in 0...(haystack.count - needle.count) where Array(haystack[index..<(index + needle.count)]) == needle { return index }
        return nil
    }

    private func write(_ connection: Int32, status: Int, body: String, headers: [(String, String)]) {
        var text = "HTTP/1.1 \(status) \(Self.reason(status))\r\nContent-Length: \(body.utf8.count)\r\nContent-Type: text/plain\r\nConnection: close\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        text += "\r\n" + body
        sendAll(connection, Array(text.utf8))
    }

    private static func reason(_ status: Int) -> String {
        [200: "OK", 202: "Accepted", 301: "Moved Permanently", 302: "Found", 307: "Temporary Redirect", 308: "Permanent Redirect", 400: "Bad Request", 404: "Not Found", 408: "Request Timeout", 410: "Gone",
         429: "Too Many Requests", 500: "Internal Server Error", 503: "Service Unavailable"][status] ?? "Status"
    }

    public struct ReceiverError: Error, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }
}
