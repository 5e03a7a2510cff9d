import Foundation

/// A webhook URL, routing key or signing secret read from config.
///
/// Printing, interpolating or dumping a `Secret` shows only its redacted form (scheme and host for URLs,
/// `****` otherwise), so no error, log line, table or history row can leak it by accident.
/// Code that must send it reads `revealed` explicitly.
public struct Secret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public let revealed: String

    public init(_ value: String) { revealed = value }

    public var isEmpty: Bool { revealed.isEmpty }

    /// `https://hooks.slack.com/…` for a URL, `****` for anything else.
    public var redacted: String { Self.redact(revealed) }

    public var description: String { redacted }
    public var debugDescription: String { redacted }
    public var customMirror: Mirror { Mirror(self, children: ["redacted": redacted]) }

    public static func redact(_ value: String) -> String {
        guard let components = URLComponents(string: value), let scheme = components.scheme, let host = components.host, !host.isEmpty else {
            return "****"
        }
        return "\(scheme)://\(host)/…"
    }

    /// `text` with every occurrence of the secrets replaced by their redacted form (for transport errors,
    /// which may quote the URL they failed on).
    public static func scrub(_ text: String, secrets: [Secret]) -> String {
        var output = text
        for secret in secrets where secret.revealed.count >= 4 {
            output = output.replacingOccurrences(of: secret.revealed, with: secret.redacted)
            if let url = URL(string: secret.revealed) {
                output = output.replacingOccurrences(of: url.absoluteString, with: secret.redacted)
                if !url.path.isEmpty, url.path.count > 1 { output = output.replacingOccurrences(of: url.path, with: "/…") }
            }
        }
        return output
    }
}
