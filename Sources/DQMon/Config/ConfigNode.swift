import Foundation

/// A YAML node together with its file, so that every value keeps its line and column.
///
/// Accessors report problems to `diagnostics` and return nil instead of throwing, so loading goes on
/// and `dqmon validate` can list every error in one pass.
///
/// Config loading makes one `ConfigNode` per value read (tens of thousands on a large project), so the file, its
/// composed tree, the diagnostics and the environment live in one shared `ConfigFileContext`, and the node itself is
/// an index into the tree: copying a node retains one object.
public struct ConfigNode {
    let context: ConfigFileContext
    /// The node's index in `context.tree`.
    let index: Int

    public var file: String { context.file }
    var diagnostics: Diagnostics { context.diagnostics }
    var environment: [String: String] { context.environment }

    /// The root of `tree`, read from `file`.
    init(root tree: YAMLTree, file: String, diagnostics: Diagnostics, environment: [String: String]) {
        self.init(context: ConfigFileContext(file: file, tree: tree, diagnostics: diagnostics, environment: environment),
                  index: tree.root)
    }

    init(context: ConfigFileContext, index: Int) {
        self.context = context
        self.index = index
    }

    private var yaml: YAMLTree.Node { context.tree.nodes[index] }

    /// Whether this is a single value, a list, a mapping (or an alias, which dqmon does not support).
    var kind: YAMLTree.Kind { yaml.kind }

    /// A single value's text as written (before `${VAR}` expansion); nil for a list or a mapping.
    public var string: String? { context.tree.string(at: index) }

    /// The keys and values of a mapping in the order written; nil for anything else.
    public var entries: ConfigEntries? {
        let node = yaml
        guard node.kind == .mapping else { return nil }
        return ConfigEntries(context: context, start: node.start, count: node.count)
    }

    public var location: SourceLocation {
        let node = yaml
        return SourceLocation(file: file, line: node.line == 0 ? 1 : node.line, column: node.line == 0 ? 1 : node.column)
    }

    /// Reports `message` at this node. A value that came from `${VAR}` is shown as written, never expanded:
    /// the variable may hold a secret.
    public func error(_ message: String) {
        diagnostics.report(withoutExpandedValues(message), at: location)
    }

    func withoutExpandedValues(_ message: String) -> String {
        guard kind == .scalar, let written = string, written.contains("${"),
              case .success(let expanded) = EnvironmentInterpolation.expand(written, environment: environment),
              expanded != written, expanded.count >= 3 else { return message }
        let raw = ConfigText.quoted(written).dropFirst().dropLast()
        let shown = ConfigText.quoted(expanded).dropFirst().dropLast()
        return message.replacingOccurrences(of: shown, with: raw)
    }

    func child(_ index: Int) -> ConfigNode {
        ConfigNode(context: context, index: index)
    }

    /// True for `~`, `null` and an empty value.
    public var isNull: Bool {
        let node = yaml
        guard node.kind == .scalar else { return false }
        let text = context.tree.texts[node.start]
        return (text.isEmpty && node.style == .plain) || text == "~" || text == "null"
    }

    /// The scalar's text with `${VAR}` and `${VAR:-default}` substituted; nil (and an error) for lists and maps.
    public func text(describing what: @autoclosure () -> String) -> String? {
        guard kind == .scalar, let written = string else {
            error("\(what()) must be a single value, not a \(kindName)")
            return nil
        }
        switch EnvironmentInterpolation.expand(written, environment: environment) {
        case .success(let value):
            return value
        case .failure(let problem):
            error(problem.message)
            return nil
        }
    }

    /// The items of a sequence; a single scalar counts as a list of one.
    public func items(describing what: @autoclosure () -> String) -> [ConfigNode]? {
        let node = yaml
        switch node.kind {
        case .sequence: return context.tree.children[node.start..<node.start + node.count].map(child)
        case .scalar: return isNull ? [] : [self]
        case .mapping:
            error("\(what()) must be a list, not a mapping")
            return nil
        case .alias:
            error("\(what()) uses a YAML alias, which dqmon does not support")
            return nil
        }
    }

    /// Reads a mapping, reporting keys that are not in `allowed` (with a did-you-mean) and duplicate keys.
    public func fields(of what: String, allowed: [String]) -> ConfigFields? {
        fields(of: what, allowed: allowed, alsoAllowed: [])
    }

    /// `fields(of:allowed:)` over the keys of two lists, `allowed` then `alsoAllowed` (e.g. a check type's keys and the
    /// keys every check takes), without joining them for every mapping read: the joined list is made only for a
    /// did-you-mean.
    func fields(of what: String, allowed: [String], alsoAllowed: [String]) -> ConfigFields? {
        guard let mapping = entries else {
            error("\(what) must be a mapping of keys to values, not a \(kindName)")
            return nil
        }
        // A mapping holds a few keys: a linear scan of the accepted ones beats hashing every key. Only accepted keys
        // are kept, so the scan is bounded by the allowed list however long the mapping is.
        var entries: [ConfigFields.Entry] = []
        entries.reserveCapacity(Swift.min(mapping.count, allowed.count + alsoAllowed.count))
        let tree = context.tree
        for pair in 0..<mapping.count {
            let keyIndex = tree.children[mapping.start + 2 * pair], valueIndex = tree.children[mapping.start + 2 * pair + 1]
            let name = tree.string(at: keyIndex) ?? ""
            if ConfigFields.position(of: name, in: entries) != nil {
                child(keyIndex).error("duplicate key '\(name)' in \(what)")
                continue
            }
            guard allowed.contains(name) || alsoAllowed.contains(name) else {
                child(keyIndex).error("unknown key '\(name)' in \(what)\(Suggestion.hint(for: name, in: allowed + alsoAllowed))")
                continue
            }
            entries.append(ConfigFields.Entry(name: name, key: keyIndex, value: valueIndex))
        }
        return ConfigFields(owner: self, what: what, entries: entries)
    }

    var kindName: String {
        switch kind {
        case .scalar: return "single value"
        case .sequence: return "list"
        case .mapping: return "mapping"
        case .alias: return "alias"
        }
    }
}

/// The keys and values of one mapping, in the order written, as nodes of their file.
public struct ConfigEntries: RandomAccessCollection {
    let context: ConfigFileContext
    /// Where the mapping's keys and values start in the tree's `children` (alternating).
    let start: Int
    public let count: Int

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }

    public subscript(position: Int) -> (key: ConfigNode, value: ConfigNode) {
        let children = context.tree.children
        return (ConfigNode(context: context, index: children[start + 2 * position]),
                ConfigNode(context: context, index: children[start + 2 * position + 1]))
    }
}

/// What every node of one config file shares: the file's display path, its composed tree, where errors go, and the
/// variables `${VAR}` expands from. One per file read (and one more per half of a list read on two threads).
final class ConfigFileContext {
    let file: String
    let tree: YAMLTree
    let diagnostics: Diagnostics
    let environment: [String: String]

    init(file: String, tree: YAMLTree, diagnostics: Diagnostics, environment: [String: String]) {
        self.file = file
        self.tree = tree
        self.diagnostics = diagnostics
        self.environment = environment
    }
}

/// The keys of one YAML mapping, with typed accessors that report wrong types at the value's position.
public struct ConfigFields {
    public let owner: ConfigNode
    public let what: String
    /// The accepted keys in the order they were written (few: looked up by a linear scan).
    let entries: [Entry]

    /// One accepted key: its name, where the key was written, and its value.
    struct Entry {
        let name: String
        /// The key's and the value's nodes in the file's tree.
        let key: Int
        let value: Int
    }

    /// Keys in the order they were written.
    public var order: [String] { entries.map(\.name) }

    public subscript(key: String) -> ConfigNode? {
        position(of: key).map { owner.child(entries[$0].value) }
    }

    public func has(_ key: String) -> Bool { position(of: key) != nil }

    /// Where `key` is in `entries`, comparing names in place (a `for entry in entries` loop copies every entry, node
    /// included, which was 5% of loading a large project).
    private func position(of key: String) -> Int? { Self.position(of: key, in: entries) }

    static func position(of key: String, in entries: [Entry]) -> Int? {
        var index = entries.startIndex
        while index < entries.endIndex {
            if entries[index].name == key { return index }
            index += 1
        }
        return nil
    }

    /// The same fields without the keys outside `keys` (already reported by the caller).
    func restricted(to keys: [String]) -> ConfigFields {
        ConfigFields(owner: owner, what: what, entries: entries.filter { keys.contains($0.name) })
    }

    public func keyLocation(_ key: String) -> SourceLocation {
        guard let index = position(of: key) else { return owner.location }
        return owner.child(entries[index].key).location
    }

    /// Reports `<what> needs '<key>'` at the mapping when the key is absent.
    public func require(_ key: String) -> ConfigNode? {
        guard let value = self[key] else {
            owner.error("\(what) needs '\(key)'")
            return nil
        }
        return value
    }

    public func string(_ key: String) -> String? {
        self[key]?.text(describing: "'\(key)'")
    }

    public func int(_ key: String, in range: ClosedRange<Int>? = nil) -> Int? {
        guard let node = self[key], let text = node.text(describing: "'\(key)'") else { return nil }
        let trimmed = text.trimmingConfigWhitespace()
        guard let value = Int(trimmed) else {
            // All digits but no Int: too many of them. Say the range rather than "not a whole number".
            let digits = trimmed.first == "-" || trimmed.first == "+" ? trimmed.dropFirst() : Substring(trimmed)
            if let range, !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) {
                node.error("'\(key)' must be between \(range.lowerBound) and \(range.upperBound), got \(ConfigText.quoted(text))")
            } else {
                node.error("'\(key)' must be a whole number, got \(ConfigText.quoted(text))")
            }
            return nil
        }
        if let range, !range.contains(value) {
            node.error("'\(key)' must be between \(range.lowerBound) and \(range.upperBound), got \(value)")
            return nil
        }
        return value
    }

    /// A finite decimal number (`3`, `2.5`, `1e6`) within `range`; `inf`, `nan` and hexadecimal forms are errors.
    public func number(_ key: String, in range: ClosedRange<Double>, meaning: String) -> Double? {
        guard let node = self[key], let text = node.text(describing: "'\(key)'") else { return nil }
        let trimmed = text.trimmingConfigWhitespace()
        guard !trimmed.isEmpty, trimmed.allSatisfy(Self.numberCharacters.contains), let value = Double(trimmed), value.isFinite else {
            node.error("'\(key)' must be \(meaning), got \(ConfigText.quoted(text))")
            return nil
        }
        guard range.contains(value) else {
            node.error("'\(key)' must be \(meaning) between \(Self.plain(range.lowerBound)) and \(Self.plain(range.upperBound)), got \(ConfigText.quoted(text))")
            return nil
        }
        return value == 0 ? 0 : value
    }

    private static let numberCharacters = Set("0123456789.+-eE")

    /// `3`, `0.1`, `1000000000000000`: a bound as a user would write it.
    static func plain(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e16 ? String(Int64(value)) : "\(value)"
    }

    public func bool(_ key: String) -> Bool? {
        guard let node = self[key], let text = node.text(describing: "'\(key)'") else { return nil }
        switch text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default:
            node.error("'\(key)' must be true or false, got '\(text)'")
            return nil
        }
    }

    /// A duration of at most `maximum` (ten years unless the key has a tighter limit, e.g. timeouts).
    public func interval(_ key: String, atMost maximum: Interval = .maximum) -> Interval? {
        guard let node = self[key], let text = node.text(describing: "'\(key)'") else { return nil }
        switch Interval.parse(text, maximum: maximum) {
        case .success(let interval): return interval
        case .failure(let error):
            node.error(error.message(for: "'\(key)'", text: text))
            return nil
        }
    }

    /// A percentage within `range` (in percent; 0%...100% unless the key allows more, e.g. a change).
    public func percentage(_ key: String, in range: ClosedRange<Double> = Percentage.unitRange) -> Percentage? {
        guard let node = self[key], let text = node.text(describing: "'\(key)'") else { return nil }
        return ConfigFields.percentage(text, key: key, node: node, in: range)
    }

    static func percentage(_ text: String, key: String, node: ConfigNode, in range: ClosedRange<Double> = Percentage.unitRange) -> Percentage? {
        switch Percentage.parse(text, range: range) {
        case .success(let percentage): return percentage
        case .failure(let error):
            node.error(error.message(for: "'\(key)'", text: text))
            return nil
        }
    }

    public func stringList(_ key: String) -> [String]? {
        guard let node = self[key], let items = node.items(describing: "'\(key)'") else { return nil }
        return items.compactMap { $0.text(describing: "each item of '\(key)'") }
    }
}
