import Foundation

/// A checks file that dqmon writes (`dqmon import dbt`, `dqmon init`): datasets and exposures whose values are
/// already rendered as one-line YAML, so the writer and the merger only arrange lines.
public struct GeneratedChecksFile: Sendable, Equatable {
    public var header: [String]
    public var datasets: [GeneratedEntry]
    public var exposures: [GeneratedEntry]

    public init(header: [String], datasets: [GeneratedEntry], exposures: [GeneratedEntry] = []) {
        self.header = header
        self.datasets = datasets
        self.exposures = exposures
    }
}

/// One dataset or exposure. `marker` is the `dbt:` key (the dbt unique id) that tells the merger which entries it
/// generated; `fields` are `key: value` lines in order (values rendered by `YAMLText`), after `name:`.
public struct GeneratedEntry: Sendable, Equatable {
    public var name: String
    public var marker: String?
    public var fields: [Field]
    /// Datasets only (nil for exposures): the checks, one flow mapping per line.
    public var checks: [GeneratedCheck]?

    public init(name: String, marker: String? = nil, fields: [Field] = [], checks: [GeneratedCheck]? = nil) {
        self.name = name
        self.marker = marker
        self.fields = fields
        self.checks = checks
    }

    public struct Field: Sendable, Equatable {
        public var key: String
        public var value: String
        public var comment: String?

        public init(_ key: String, _ value: String, comment: String? = nil) {
            self.key = key
            self.value = value
            self.comment = comment
        }
    }

    /// The keys this entry writes (the merger replaces these and keeps the others).
    public var writtenKeys: Set<String> {
        Set(["name"] + (marker == nil ? [] : [GeneratedEntry.markerKey]) + fields.map(\.key))
    }

    public static let markerKey = "dbt"
}

/// A check as one line, e.g. `freshness: { name: dbt, column: _loaded_at, warn_after: 2h }`, with an optional
/// comment written above it (what a threshold was proposed from).
public struct GeneratedCheck: Sendable, Equatable {
    public var text: String
    public var comment: String?

    public init(_ text: String, comment: String? = nil) {
        self.text = text
        self.comment = comment
    }
}

/// Renders values as YAML that reads back as exactly the same string, whatever it holds: quotes, `: `, ` #`,
/// a leading `- `, `{`, `[`, `*`, `&`, `!`, `%`, `@`, a backquote, YAML 1.1 booleans (`yes`, `off`), numbers,
/// control characters, line breaks. `${` is written `$${`, which dqmon's interpolation reads back as `${`.
public enum YAMLText {
    /// A plain scalar where that is unambiguous, else a double-quoted one.
    /// A byte-order mark (U+FEFF) is dropped: YAML parsers drop it at the start of a scalar, so it could not round-trip.
    public static func scalar(_ text: String) -> String {
        let escaped = text.replacingOccurrences(of: "\u{feff}", with: "").replacingOccurrences(of: "${", with: "$${")
        return isSafePlain(escaped) ? escaped : doubleQuoted(escaped)
    }

    /// `[a, b, "c d"]`.
    public static func flowList(_ items: [String]) -> String {
        "[" + items.map(scalar).joined(separator: ", ") + "]"
    }

    /// `{ key: value, … }` from already rendered values.
    public static func flowMapping(_ pairs: [(String, String)]) -> String {
        "{ " + pairs.map { "\($0.0): \($0.1)" }.joined(separator: ", ") + " }"
    }

    static let reservedWords: Set<String> = ["true", "false", "yes", "no", "on", "off", "y", "n", "null", "~"]

    /// Letters, digits and `_ . / @ -` (not first), not a reserved word or a number: read back as the same string.
    static func isSafePlain(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, first.isASCIILetterOrUnderscore else { return false }
        guard text.unicodeScalars.allSatisfy({ $0.isASCIILetterOrUnderscore || ("0"..."9").contains($0) || "./@-".unicodeScalars.contains($0) }) else {
            return false
        }
        return !reservedWords.contains(text.lowercased())
    }

    static func doubleQuoted(_ text: String) -> String {
        var output = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\t": output += "\\t"
            case "\r": output += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7f || (0x80...0x9f).contains(scalar.value)
                    || scalar == "\u{2028}" || scalar == "\u{2029}" {
                    output += String(format: "\\u%04X", scalar.value)
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        return output + "\""
    }
}

extension Unicode.Scalar {
    fileprivate var isASCIILetterOrUnderscore: Bool { ("a"..."z").contains(self) || ("A"..."Z").contains(self) || self == "_" }
}

extension GeneratedChecksFile {
    /// The file's text: header comments, `version: 1`, `datasets:`, and `exposures:` when there are any.
    public var text: String {
        var lines = header + ["version: 1"]
        lines += datasets.isEmpty ? ["datasets: []"] : ["datasets:"] + datasets.flatMap { $0.lines }
        if !exposures.isEmpty { lines += ["exposures:"] + exposures.flatMap { $0.lines } }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension GeneratedEntry {
    /// `  - name: …` and the entry's keys, indented for an item of a top-level list.
    public var lines: [String] {
        var lines = ["  - name: \(YAMLText.scalar(name))"]
        if let marker { lines.append("    \(Self.markerKey): \(YAMLText.scalar(marker))") }
        for field in fields { lines.append("    \(field.key): \(field.value)" + (field.comment.map { "  # \($0)" } ?? "")) }
        if let checks { lines += checkLines(checks) }
        return lines
    }

    func checkLines(_ checks: [GeneratedCheck]) -> [String] {
        guard !checks.isEmpty else { return ["    checks: []"] }
        return ["    checks:"] + checks.flatMap { check in
            (check.comment.map { ["      # \($0)"] } ?? []) + ["      - \(check.text)"]
        }
    }
}
