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

    /// Scheme and host of a URL (`https://example.com/…`), `/…` for a relative path, `****` for anything else.
    public static func redact(_ value: String) -> String {
        if value.hasPrefix("/") { return "/…" }
        guard let components = URLComponents(string: value), let scheme = components.scheme, let host = components.host, !host.isEmpty else {
            return "****"
        }
        return "\(scheme)://\(host)/…"
    }

    /// Pieces shorter than this are not scrubbed on their own (they would blank out ordinary words).
    static let shortestScrubbed = 4

    /// `text` with every sensitive piece of the secrets replaced: the whole value and, for a URL, its userinfo
    /// (also as the Basic credentials a client sends), path, path segments of 8+ characters, query, query values
    /// and fragment, each as written, percent-decoded and JSON-escaped. Also scrubs every value a `${VAR}` expanded to in this process (`InterpolatedSecrets`).
    ///
    /// With `cut` (the text is the start of a longer body), a tail that is the beginning of a secret is dropped
    /// too, so a secret split by the size limit cannot leak its first half.
    public static func scrub(_ text: String, secrets: [Secret], cut: Bool = false) -> String {
        let replacements = self.replacements(for: secrets + InterpolatedSecrets.values.map(Secret.init))
        var output = text
        for (fragment, replacement) in replacements { output = output.replacingOccurrences(of: fragment, with: replacement) }
        if cut { output = dropPartialSecret(at: output, fragments: replacements.map(\.0)) }
        return output
    }

    /// Fragment → replacement, longest fragment first (a whole URL goes before its path).
    static func replacements(for secrets: [Secret]) -> [(String, String)] {
        var byFragment: [String: String] = [:]
        for secret in secrets where secret.revealed.count >= shortestScrubbed {
            for fragment in secret.sensitiveFragments where fragment.count >= shortestScrubbed && byFragment[fragment] == nil {
                byFragment[fragment] = fragment == secret.revealed || fragment.contains("://") ? secret.redacted : "****"
            }
        }
        return byFragment.sorted { $0.key.count != $1.key.count ? $0.key.count > $1.key.count : $0.key < $1.key }
    }

    /// Every substring of the value that would give it away, in the spellings an echoing server may use.
    var sensitiveFragments: Set<String> {
        var pieces: Set<String> = [revealed]
        if let components = URLComponents(string: revealed), components.scheme != nil, components.host != nil {
            pieces.formUnion([components.percentEncodedUser, components.percentEncodedPassword, components.percentEncodedQuery,
                              components.percentEncodedFragment].compactMap { $0 })
            if let url = URL(string: revealed) { pieces.insert(url.absoluteString) }
            let path = components.percentEncodedPath
            if path.count > 1 {
                pieces.insert(path)
                pieces.formUnion(path.split(separator: "/").map(String.init).filter { $0.count >= 8 })
            }
            for item in components.percentEncodedQueryItems ?? [] { if let value = item.value { pieces.insert(value) } }
            if let user = components.user {
                // HTTP clients send userinfo as `Authorization: Basic base64(user:password)`, which echoes too.
                pieces.insert(Data("\(user):\(components.password ?? "")".utf8).base64EncodedString())
            }
        }
        var spellings = pieces
        for piece in pieces {
            if let decoded = piece.removingPercentEncoding { spellings.insert(decoded) }
            spellings.insert(piece.replacingOccurrences(of: "/", with: "\\/"))
            if let encoded = piece.addingPercentEncoding(withAllowedCharacters: .alphanumerics) { spellings.insert(encoded) }
        }
        return spellings
    }

    /// Drops a tail of `text` that is the first 4+ characters of a fragment (a secret cut by a size limit).
    static func dropPartialSecret(at text: String, fragments: [String]) -> String {
        var longest = 0
        for fragment in fragments {
            var length = min(fragment.count - 1, text.count)
            while length >= shortestScrubbed {
                if text.hasSuffix(fragment.prefix(length)) {
                    longest = max(longest, length)
                    break
                }
                length -= 1
            }
        }
        return longest == 0 ? text : String(text.dropLast(longest)) + "****"
    }
}

/// The values `${VAR}` expanded to while config was loaded in this process (`EnvironmentInterpolation` records
/// them). dqmon treats every one as a secret: alert delivery scrubs them from error text and response bodies
/// before printing or storing them. Defaults (`${VAR:-default}` with VAR unset) are written in the config and
/// are not recorded.
public enum InterpolatedSecrets {
    private static let storage = Storage()

    /// Remembers `value` (values shorter than 4 characters are ignored: they would blank out ordinary words).
    public static func record(_ value: String) {
        guard value.count >= Secret.shortestScrubbed else { return }
        storage.insert(value)
    }

    public static var values: [String] { storage.all }

    private final class Storage: @unchecked Sendable {
        private let lock = NSLock()
        private var values: Set<String> = []

        func insert(_ value: String) { _ = lock.withLock { values.insert(value) } }
        var all: [String] { lock.withLock { Array(values) } }
    }
}
