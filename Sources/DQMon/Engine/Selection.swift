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
    public static func term(parsing text: String) throws(SelectionError) -> Term {
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return .dataset(text) }
        switch parts[0] {
        case "tag": return .tag(parts[1])
        case "owner": return .owner(parts[1])
        case "tier":
            guard let tier = Int(parts[1]), (1...3).contains(tier) else {
                throw SelectionError(message: "'\(text)': a tier is 1, 2 or 3, e.g. --select tier:1")
            }
            return .tier(tier)
        default:
            throw SelectionError(message: "'\(text)': unknown selector '\(parts[0]):'\(Suggestion.hint(for: parts[0], in: ["tag", "tier", "owner"])); use a dataset name or glob, tag:X, tier:N or owner:X")
        }
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
        let render = { (term: Term) -> String in
            switch term {
            case .dataset(let name): return name
            case .tag(let tag): return "tag:\(tag)"
            case .tier(let tier): return "tier:\(tier)"
            case .owner(let owner): return "owner:\(owner)"
            }
        }
        var parts = select.map { "--select \(render($0))" }
        parts += exclude.map { "--exclude \(render($0))" }
        return parts.joined(separator: " ")
    }
}

public struct SelectionError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
