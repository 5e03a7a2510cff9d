import Foundation

/// Decides what an attempt's result means, and how long to wait before the next one.
///
/// Transient (retry): no answer (network, timeout), 5xx, 408, 429 (honouring `Retry-After`, capped at
/// `retryAfterCap`). Permanent: any other 4xx, a redirect (never followed: the user configures the final URL),
/// or an answer the receiver does not accept. Backoff is "full jitter" (AWS architecture blog): a uniformly
/// random wait in [0, min(cap, base × 2^attempt)].
public struct Retrier: Sendable {
    public enum Verdict: Sendable, Equatable {
        case delivered(status: Int)
        case transient(reason: String, status: Int?, retryAfter: TimeInterval?)
        case permanent(reason: String, status: Int?)
    }

    public var base: TimeInterval = 0.5
    public var cap: TimeInterval = 8

    public init(base: TimeInterval = 0.5, cap: TimeInterval = 8) {
        self.base = base
        self.cap = cap
    }

    /// The longest a receiver's `Retry-After` may park a notification: one hour. A larger value (or an HTTP date
    /// further away) waits one hour, and the next `dqmon check` after that tries again.
    public static let retryAfterCap: TimeInterval = 3_600

    public static func classify(_ result: TransportResult, accepts: (Int, String) -> Bool, now: Date = Date()) -> Verdict {
        switch result {
        case .failure(let reason, _):
            return .transient(reason: reason, status: nil, retryAfter: nil)
        case .redirect(let status, let location):
            let target = location.map { " to \(Secret.redact($0))" } ?? ""
            return .permanent(reason: "HTTP \(status) redirect\(target) not followed (set the receiver's url to the final address)", status: status)
        case .response(let status, let retryAfter, let body):
            let excerpt = body.isEmpty ? "" : ": " + body.replacingOccurrences(of: "\n", with: " ").truncated(to: 200)
            if (200..<300).contains(status) {
                return accepts(status, body) ? .delivered(status: status) : .permanent(reason: "HTTP \(status) not accepted\(excerpt)", status: status)
            }
            if status == 429 || status == 408 || (500..<600).contains(status) {
                return .transient(reason: "HTTP \(status)\(excerpt)", status: status, retryAfter: retryAfter.flatMap { parseRetryAfter($0, now: now) })
            }
            return .permanent(reason: "HTTP \(status)\(excerpt)", status: status)
        }
    }

    /// `Retry-After` as delay-seconds (digits) or an HTTP date, within [0, `retryAfterCap`]; nil if unreadable.
    static func parseRetryAfter(_ value: String, now: Date) -> TimeInterval? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        if !trimmed.isEmpty, trimmed.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
            // Digits only: too many of them is simply "longer than the cap" (no Double/Int overflow).
            guard trimmed.count <= 9, let seconds = Double(trimmed) else { return retryAfterCap }
            return min(seconds, retryAfterCap)
        }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: trimmed) else { return nil }
        let wait = date.timeIntervalSince(now)
        return wait.isFinite ? min(max(0, wait), retryAfterCap) : nil
    }

    /// The wait before attempt `attempt + 1` (attempt counts from 0).
    public func backoff(attempt: Int) -> TimeInterval {
        let ceiling = min(cap, base * pow(2, Double(min(attempt, 30))))
        return TimeInterval.random(in: 0...ceiling)
    }
}
