import Foundation
import Yams

/// A YAML node together with its file, so that every value keeps its line and column.
///
/// Accessors report problems to `diagnostics` and return nil instead of throwing, so loading goes on
/// and `dqmon validate` can list every error in one pass.
public struct ConfigNode {
    public let node: Node
    public let file: String
    let diagnostics: Diagnostics
    let environment: [String: String]

    init(node: Node, file: String, diagnostics: Diagnostics, environment: [String: String]) {
        self.node = node
        self.file = file
        self.diagnostics = diagnostics
        self.environment = environment
    }

    public var location: SourceLocation {
        let mark = node.mark
        return SourceLocation(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1)
    }

    /// Reports `message` at this node. A value that came from `${VAR}` is shown as written, never expanded:
    /// the variable may hold a secret.
    public func error(_ message: String) {
        diagnostics.report(withoutExpandedValues(message), at: location)
    }

    func withoutExpandedValues(_ message: String) -> String {
        guard case .scalar(let scalar) = node, scalar.string.contains("${"),
              case .success(let expanded) = EnvironmentInterpolation.expand(scalar.string, environment: environment),
              expanded != scalar.string, expanded.count >= 3 else { return message }
        let raw = ConfigText.quoted(scalar.string).dropFirst().dropLast()
        let shown = ConfigText.quoted(expanded).dropFirst().dropLast()
        return message.replacingOccurrences(of: shown, with: raw)
    }

    func child(_ node: Node) -> ConfigNode {
        ConfigNode(node: node, file: file, diagnostics: diagnostics, environment: environment)
    }

    /// True for `~`, `null` and an empty value.
    public var isNull: Bool {
        if case .scalar(let scalar) = node { return (scalar.string.isEmpty && scalar.style == .plain) || scalar.string == "~" || scalar.string == "null" }
        return false
    }

    /// The scalar's text with `${VAR}` and `${VAR:-default}` substituted; nil (and an error) for lists and maps.
    public func text(describing what: String) -> String? {
        guard case .scalar(let scalar) = node else {
            error("\(what) must be a single value, not a \(kindName)")
            return nil
        }
        switch EnvironmentInterpolation.expand(scalar.string, environment: environment) {
        case .success(let value):
            return value
        case .failure(let problem):
            error(problem.message)
            return nil
        }
    }

    /// The items of a sequence; a single scalar counts as a list of one.
    public func items(describing what: String) -> [ConfigNode]? {
        switch node {
        case .sequence(let sequence): return sequence.map(child)
        case .scalar: return isNull ? [] : [self]
        case .mapping:
            error("\(what) must be a list, not a mapping")
            return nil
        case .alias:
            error("\(what) uses a YAML alias, which dqmon does not support")
            return nil
        }
    }

    /// Reads a mapping, reporting keys that are not in `allowed` (with a did-you-mean) and duplicate keys.
    public func fields(of what: String, allowed: [String]) -> ConfigFields? {
        guard case .mapping(let mapping) = node else {
            error("\(what) must be a mapping of keys to values, not a \(kindName)")
            return nil
        }
        var entries: [String: (key: ConfigNode, value: ConfigNode)] = [:]
        var order: [String] = []
        for (keyNode, valueNode) in mapping {
            let key = child(keyNode)
            let name = keyNode.string ?? ""
            if entries[name] != nil {
                key.error("duplicate key '\(name)' in \(what)")
                continue
            }
            guard allowed.contains(name) else {
                key.error("unknown key '\(name)' in \(what)\(Suggestion.hint(for: name, in: allowed))")
                continue
            }
            entries[name] = (key, child(valueNode))
            order.append(name)
        }
        return ConfigFields(owner: self, what: what, entries: entries, order: order)
    }

    var kindName: String {
        switch node {
        case .scalar: return "single value"
        case .sequence: return "list"
        case .mapping: return "mapping"
        case .alias: return "alias"
        }
    }
}

/// The keys of one YAML mapping, with typed accessors that report wrong types at the value's position.
public struct ConfigFields {
    public let owner: ConfigNode
    public let what: String
    let entries: [String: (key: ConfigNode, value: ConfigNode)]
    /// Keys in the order they were written.
    public let order: [String]

    public subscript(key: String) -> ConfigNode? { entries[key]?.value }

    public func has(_ key: String) -> Bool { entries[key] != nil }

    /// The same fields without the keys outside `keys` (already reported by the caller).
    func restricted(to keys: [String]) -> ConfigFields {
        ConfigFields(owner: owner, what: what, entries: entries.filter { keys.contains($0.key) }, order: order.filter(keys.contains))
    }

    public func keyLocation(_ key: String) -> SourceLocation { entries[key]?.key.location ?? owner.location }

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
        let trimmed = text.trimmingCharacters(in: .whitespaces)
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
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let allowed = Set("0123456789.+-eE")
        guard !trimmed.isEmpty, trimmed.allSatisfy(allowed.contains), let value = Double(trimmed), value.isFinite else {
            node.error("'\(key)' must be \(meaning), got \(ConfigText.quoted(text))")
            return nil
        }
        guard range.contains(value) else {
            node.error("'\(key)' must be \(meaning) between \(Self.plain(range.lowerBound)) and \(Self.plain(range.upperBound)), got \(ConfigText.quoted(text))")
            return nil
        }
        return value == 0 ? 0 : value
    }

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
