import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `--select` / `--exclude` terms: a dataset name or glob (`analytics.*`), `tag:X`, `tier:N` or `owner:X`.
///
/// A dataset is selected when it matches any `--select` term (or there are none) and no `--exclude` term.
public struct Selection: Sendable, CustomStringConvertible {
    public enum Term: Sendable, Hashable {
        case dataset(String)
        case tag(String)
        case tier(Int)
        case owner(String)
    }

    public var select: [Term]
    public var exclude: [Term]

    public init(select: [Term] = [], exclude: [Term] = []) {
        self.select = select
        self.exclude = exclude
    }

    /// Parses one term; `tier:` must be followed by 1, 2 or 3.
    ///
    /// A `word:` prefix is a selector only when the word is letters (so `[[:alpha:]]*` stays a glob).
    /// Globs are shell patterns (`fnmatch`): `*`, `?`, `[abc]`, `[!abc]` and POSIX classes such as `[[:digit:]]`.
    public static func term(parsing text: String) throws(SelectionError) -> Term {
        guard let colon = text.firstIndex(of: ":"), text[..<colon].allSatisfy({ $0.isASCII && $0.isLetter }), colon > text.startIndex else {
            try checkGlob(text)
            return .dataset(text)
        }
        let selector = String(text[..<colon]), value = String(text[text.index(after: colon)...])
        let shown = ConfigText.quoted(text)
        switch selector {
        case "tag", "owner":
            guard !value.isEmpty else { throw SelectionError(message: "\(shown): '\(selector):' needs a value, e.g. --select \(selector):\(selector == "tag" ? "finance" : "team-orders")") }
            return selector == "tag" ? .tag(value) : .owner(value)
        case "tier":
            guard let tier = Int(value), (1...3).contains(tier) else {
                throw SelectionError(message: "\(shown): a tier is 1, 2 or 3, e.g. --select tier:1")
            }
            return .tier(tier)
        default:
            throw SelectionError(message: "\(shown): unknown selector '\(selector):'\(Suggestion.hint(for: selector, in: ["tag", "tier", "owner"])); use a dataset name or glob, tag:X, tier:N or owner:X")
        }
    }

    /// Rejects what `fnmatch` would silently take literally or never match: an empty pattern and an
    /// unclosed `[` (or `[:class:]`) bracket.
    public static func checkGlob(_ pattern: String) throws(SelectionError) {
        let shown = ConfigText.quoted(pattern)
        guard !pattern.isEmpty else { throw SelectionError(message: "'': an empty pattern matches nothing; give a dataset name or glob, tag:X, tier:N or owner:X") }
        var characters = Array(pattern)[...]
        while let character = characters.popFirst() {
            if character == "\\" { _ = characters.popFirst(); continue }
            guard character == "[" else { continue }
            try skipBracket(&characters, shown: shown)
        }
    }

    /// Consumes one bracket expression after its `[`: `!`/`^`, a leading `]`, `[:class:]` items, up to `]`.
    static func skipBracket(_ characters: inout ArraySlice<Character>, shown: String) throws(SelectionError) {
        let classes = ["alnum", "alpha", "blank", "cntrl", "digit", "graph", "lower", "print", "punct", "space", "upper", "xdigit"]
        if characters.first == "!" || characters.first == "^" { characters.removeFirst() }
        if characters.first == "]" { characters.removeFirst() }
        while let character = characters.popFirst() {
            if character == "]" { return }
            guard character == "[", characters.first == ":" else { continue }
            characters.removeFirst()
            let rest = String(characters)
            guard let end = rest.range(of: ":]") else { throw SelectionError(message: "\(shown): '[:' opens a character class that is not closed with ':]', e.g. [[:alpha:]]") }
            let name = String(rest[..<end.lowerBound])
            guard classes.contains(name) else {
                throw SelectionError(message: "\(shown): unknown character class '[:\(name):]'\(Suggestion.hint(for: name, in: classes)); use one of \(classes.joined(separator: ", "))")
            }
            characters.removeFirst(name.count + 2)
        }
        throw SelectionError(message: "\(shown): '[' is not closed with ']'; write e.g. 'orders_[0-9]*', or '\\[' for a literal '['")
    }

    public func includes(_ dataset: DatasetConfig) -> Bool {
        (select.isEmpty || select.contains { Self.matches($0, dataset) }) && !exclude.contains { Self.matches($0, dataset) }
    }

    static func matches(_ term: Term, _ dataset: DatasetConfig) -> Bool {
        switch term {
        case .dataset(let pattern): return fnmatch(pattern, dataset.name, 0) == 0
        case .tag(let tag): return dataset.tags.contains(tag)
        case .tier(let tier): return dataset.tier == tier
        case .owner(let owner): return dataset.owner == owner
        }
    }

    /// Terms that match no dataset, so that a typo in a scheduler's `--select` is not silent.
    public func unmatchedTerms(in datasets: [DatasetConfig]) -> [Term] {
        select.filter { term in !datasets.contains { Self.matches(term, $0) } }
    }

    public var description: String {
        var parts = select.map { "--select \($0)" }
        parts += exclude.map { "--exclude \($0)" }
        return parts.joined(separator: " ")
    }
}

extension Selection.Term: CustomStringConvertible {
    /// The term as the user writes it on the command line: `analytics.*`, `tag:finance`, `tier:1`.
    public var description: String {
        switch self {
        case .dataset(let name): return name
        case .tag(let tag): return "tag:\(tag)"
        case .tier(let tier): return "tier:\(tier)"
        case .owner(let owner): return "owner:\(owner)"
        }
    }
}

public struct SelectionError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
