import Foundation
import Logging

/// Structured events for log aggregators (`--log-format json`), through swift-log.
///
/// `json`: every event is one JSON object on one line of stderr: `time` (UTC, milliseconds), `level`, `event`
/// (`run.start`, `run.end`, `warehouse.connect`, `dataset.query`, `alert.attempt`, `lock.wait`, `lock.acquired`,
/// `lock.timeout`, `history.verify`, `error`, `note`), `message`, then the event's fields in key order. Every string is scrubbed of
/// secrets (`Secret.scrub`: each `${VAR}` value this process expanded) before it is written.
/// `text` (the default): events are dropped; stderr keeps its human-readable `dqmon: ...` lines.
///
/// Not `LoggingSystem.bootstrap`: that may be called once per process and would also take over other libraries'
/// loggers. dqmon's events go through a `Logger` of its own, made with the handler the format asks for.
public enum DQMonLog {
    public enum Format: String, Sendable, CaseIterable {
        case text, json
    }

    private static let state = Mutex()

    /// Chooses where events go; call before the first event (the CLI does it while parsing its options).
    public static func bootstrap(_ format: Format, stream: @escaping @Sendable (String) -> Void = writeToStandardError) {
        state.set(format == .json ? Logger(label: "dqmon") { label in JSONLogHandler(label: label, write: stream) } : nil)
    }

    /// Whether events are written as JSON (the CLI then writes its own error lines as JSON events too).
    public static var isJSON: Bool { state.get() != nil }

    /// Logs one event; `fields` become keys of the JSON object (numbers, strings, booleans).
    public static func event(_ name: String, level: Logger.Level = .info, _ message: String, _ fields: [String: LogValue] = [:]) {
        guard let logger = state.get() else { return }
        var metadata: Logger.Metadata = ["event": .string(name)]
        for (key, value) in fields { metadata[key] = value.metadata }
        logger.log(level: level, "\(message)", metadata: metadata)
    }

    @Sendable public static func writeToStandardError(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// A field's value: kept a number or a boolean in the JSON.
    public enum LogValue: Sendable {
        case string(String)
        case number(Double)
        case bool(Bool)

        var metadata: Logger.MetadataValue {
            switch self {
            case .string(let text): return .string(text)
            case .number(let value): return .stringConvertible(value)
            case .bool(let value): return .stringConvertible(value)
            }
        }
    }

    /// The logger in effect, behind a lock (set once per process by the CLI; tests may set it again).
    final class Mutex: @unchecked Sendable {
        private let lock = NSLock()
        private var logger: Logger?
        func get() -> Logger? { lock.withLock { logger } }
        func set(_ value: Logger?) { lock.withLock { logger = value } }
    }
}

extension DQMonLog.LogValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral, ExpressibleByBooleanLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

/// One JSON object per log record, secrets scrubbed from every string.
struct JSONLogHandler: LogHandler {
    let label: String
    let write: @Sendable (String) -> Void
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(level: Logger.Level, message: Logger.Message, metadata explicit: Logger.Metadata?, source: String, file: String,
             function: String, line: UInt) {
        var fields = metadata.merging(explicit ?? [:]) { $1 }
        let event = fields.removeValue(forKey: "event").map(Self.text) ?? "log"
        var object: [(String, JSONValue)] = [
            ("time", .string(Self.timestamp(Date()))), ("level", .string(level.rawValue)), ("event", .string(Self.scrub(event))),
            ("message", .string(Self.scrub(message.description))),
        ]
        for key in fields.keys.sorted() {
            guard let value = fields[key] else { continue }
            object.append((key, Self.json(value)))
        }
        write(JSONValue.object(object).serialized())
    }

    static func json(_ value: Logger.MetadataValue) -> JSONValue {
        switch value {
        case .string(let text): return .string(scrub(text))
        case .stringConvertible(let convertible):
            if let number = convertible as? Double { return number.isFinite ? .number(number) : .string(Format.nonFinite(number)) }
            if let flag = convertible as? Bool { return .bool(flag) }
            return .string(scrub(convertible.description))
        case .array(let values): return .array(values.map(json))
        case .dictionary(let values): return .object(values.keys.sorted().compactMap { key in values[key].map { (key, json($0)) } })
        }
    }

    static func text(_ value: Logger.MetadataValue) -> String {
        if case .string(let text) = value { return text }
        return value.description
    }

    static func scrub(_ text: String) -> String { Secret.scrub(text, secrets: []) }

    /// `2026-11-25T12:00:00.123Z`.
    static func timestamp(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970
        let whole = seconds.rounded(.down)
        let millis = min(999, max(0, Int(((seconds - whole) * 1000).rounded(.down))))
        let base = ISO8601.string(from: Date(timeIntervalSince1970: whole))
        guard base.hasSuffix("Z") else { return base }
        return String(base.dropLast()) + "." + String(format: "%03d", millis) + "Z"
    }
}

/// The events the library emits, one function each, so the call sites stay one line.
extension DQMonLog {
    static func warehouseConnected(_ name: String, type: String, since started: Date, error: WarehouseError?) {
        var fields: [String: LogValue] = ["warehouse": .string(name), "type": .string(type), "ms": .number(milliseconds(since: started))]
        if let error { fields["error"] = .string(error.message) }
        event("warehouse.connect", level: error == nil ? .info : .error,
              error == nil ? "connected to warehouse '\(name)'" : "cannot connect to warehouse '\(name)'", fields)
    }

    static func alertAttempt(_ id: Int64, receiver: String, attempt: Int, result: TransportResult, since started: Date) {
        var fields: [String: LogValue] = ["notification_id": .number(Double(id)), "receiver": .string(receiver),
                                          "attempt": .number(Double(attempt)), "ms": .number(milliseconds(since: started))]
        let outcome: String
        switch result {
        case .response(let status, _, _):
            fields["http_status"] = .number(Double(status))
            outcome = (200..<300).contains(status) ? "answered 2xx" : "answered \(status)"
        case .redirect(let status, _):
            fields["http_status"] = .number(Double(status))
            outcome = "redirect \(status) (not followed)"
        case .failure(let reason, let timedOut):
            fields["error"] = .string(reason)
            fields["timed_out"] = .bool(timedOut)
            outcome = "no answer: \(reason)"
        }
        fields["outcome"] = .string(outcome)
        event("alert.attempt", "alert #\(id) to '\(receiver)', attempt \(attempt): \(outcome)", fields)
    }

    static func lockWait(_ path: String, timeout: TimeInterval) {
        event("lock.wait", level: .notice, "waiting for the history lock \(path) (held by another dqmon process)",
              ["lock": .string(path), "timeout_s": .number(timeout)])
    }

    static func lockAcquired(_ path: String, since started: Date) {
        event("lock.acquired", "took the history lock \(path) after waiting", ["lock": .string(path), "waited_ms": .number(milliseconds(since: started))])
    }

    static func lockGaveUp(_ path: String, since started: Date) {
        event("lock.timeout", level: .error, "gave up waiting for the history lock \(path)",
              ["lock": .string(path), "waited_ms": .number(milliseconds(since: started))])
    }

    static func historyVerified(_ path: String, fullCheck: Bool, reason: String, since started: Date) {
        event("history.verify", fullCheck ? "checked the history \(path) with quick_check (\(reason))" : "history \(path) not re-checked: \(reason)",
              ["history": .string(path), "quick_check": .bool(fullCheck), "reason": .string(reason), "ms": .number(milliseconds(since: started))])
    }

    public static func milliseconds(since started: Date) -> Double {
        (Date().timeIntervalSince(started) * 1000).rounded()
    }
}
