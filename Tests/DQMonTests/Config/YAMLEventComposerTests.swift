@testable import DQMon
import DQMonTestSupport
import Foundation
import Testing
import Yams

/// Config loading's YAML tree must be exactly what Yams composes (kinds, strings, styles, marks, in order), whether the
/// event composer built it or Yams' own tree was converted; where the event composer is not sure, it steps aside.
/// Compared node by node with `Yams.compose` over the fuzz corpus, its mutants and generated YAML.
///
/// Reproduce a failure with the seed it prints: `DQMON_FUZZ_SEED=<seed> swift test --filter YAMLEventComposerTests`.
@Suite struct YAMLEventComposerTests {
    static var seed: UInt64 { ConfigFuzzTests.seed ^ 0xC0DE }

    /// Every difference between Yams' tree of `text` and dqmon's (from the event composer, and converted from Yams'),
    /// or an empty list. Where Yams throws or finds no document, the event composer must have stepped aside (nil).
    static func differences(_ text: String) -> [String] {
        let fast = YAMLEventComposer.compose(text)
        let reference: Node?
        do {
            reference = try Yams.compose(yaml: text, .basic)
        } catch {
            return fast == nil ? [] : ["Yams throws (\(error)) but the event composer made a tree"]
        }
        guard let reference else { return fast == nil ? [] : ["Yams finds no document but the event composer made a tree"] }
        let expected = dump(reference)
        var problems: [String] = []
        let converted = YAMLTree(converting: reference)
        if let problem = compare(dump(converted, converted.root), expected, "converted from Yams") { problems.append(problem) }
        if let fast, let problem = compare(dump(fast, fast.root), expected, "event composer") { problems.append(problem) }
        return problems
    }

    static func compare(_ tree: String, _ reference: String, _ what: String) -> String? {
        let (a, b) = (tree.split(separator: "\n", omittingEmptySubsequences: false), reference.split(separator: "\n", omittingEmptySubsequences: false))
        guard a != b else { return nil }
        let line = zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(a.count, b.count)
        let shown = { (lines: [Substring]) in lines[max(0, line - 3)..<min(lines.count, line + 2)].joined(separator: "\n") }
        return "trees differ at dump line \(line + 1):\n--- \(what):\n\(shown(a))\n--- Yams:\n\(shown(b))"
    }

    /// Kind, style, mark and text (a collection's `string` too) of every node of a Yams tree, in order.
    static func dump(_ node: Node, indent: String = "") -> String {
        switch node {
        case .scalar(let scalar):
            return "\(indent)scalar style=\(scalar.style.rawValue) at=\(describe(scalar.mark)) \(scalar.string.debugDescription)\n"
        case .sequence(let sequence):
            return "\(indent)seq style=\(sequence.style.rawValue) at=\(describe(sequence.mark)) string=\(node.string.debugDescription)\n"
                + sequence.map { dump($0, indent: indent + "  ") }.joined()
        case .mapping(let mapping):
            return "\(indent)map style=\(mapping.style.rawValue) at=\(describe(mapping.mark)) string=\(node.string.debugDescription)\n"
                + mapping.map { dump($0.key, indent: indent + "  ? ") + dump($0.value, indent: indent + "  : ") }.joined()
        case .alias(let alias):
            return "\(indent)alias at=\(describe(alias.mark))\n"
        }
    }

    /// The same dump of dqmon's tree.
    static func dump(_ tree: YAMLTree, _ index: Int, indent: String = "") -> String {
        let node = tree.nodes[index]
        let at = node.line == 0 ? "none" : "\(node.line):\(node.column)"
        let children = tree.children[node.start..<node.start + (node.kind == .mapping ? 2 * node.count : node.count)]
        switch node.kind {
        case .scalar:
            return "\(indent)scalar style=\(node.style.rawValue) at=\(at) \(tree.texts[node.start].debugDescription)\n"
        case .sequence:
            return "\(indent)seq style=\(node.style.rawValue) at=\(at) string=\(tree.string(at: index).debugDescription)\n"
                + children.map { dump(tree, $0, indent: indent + "  ") }.joined()
        case .mapping:
            return "\(indent)map style=\(node.style.rawValue) at=\(at) string=\(tree.string(at: index).debugDescription)\n"
                + stride(from: children.startIndex, to: children.endIndex, by: 2).map {
                    dump(tree, children[$0], indent: indent + "  ? ") + dump(tree, children[$0 + 1], indent: indent + "  : ")
                }.joined()
        case .alias:
            return "\(indent)alias at=\(at)\n"
        }
    }

    static func describe(_ mark: Mark?) -> String { mark.map { "\($0.line):\($0.column)" } ?? "none" }

    @Test func everySeedIsComposedByTheEventsAsYamsComposesIt() {
        var composed = 0
        for seed in FuzzProject.seeds {
            let problems = Self.differences(seed.text)
            #expect(problems.isEmpty, "\(seed.path): \(problems.joined(separator: "\n"))")
            if YAMLEventComposer.compose(seed.text) != nil { composed += 1 }
        }
        // The demo's files are plain YAML: the fast path must take them, or this test compares nothing.
        #expect(composed * 10 >= FuzzProject.seeds.count * 9, "only \(composed) of \(FuzzProject.seeds.count) seeds took the event composer")
    }

    @Test func mutantsGiveYamsTreeOrStepAside() {
        var random = SeededRandom(seed: Self.seed)
        var mutator = ConfigMutator()
        let seeds = FuzzProject.seeds
        var failures: [String] = []
        var composed = 0
        let iterations = 600
        for iteration in 0..<iterations {
            let seed = seeds[Int.random(in: 0..<seeds.count, using: &random)]
            let text = String(decoding: mutator.mutate(Data(seed.text.utf8), using: &random), as: UTF8.self)
            if YAMLEventComposer.compose(text) != nil { composed += 1 }
            for problem in Self.differences(text) where failures.count < 3 {
                failures.append("seed \(Self.seed) iteration \(iteration) (\(seed.path)): \(problem)\n--- text:\n\(text.prefix(1_500))")
            }
        }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n\n"))")
        #expect(composed > iterations / 10, "only \(composed) mutants took the event composer (seed \(Self.seed))")
    }

    @Test func generatedDocumentsGiveYamsTreeOrStepAside() {
        var random = SeededRandom(seed: Self.seed ^ 0x6E4)
        var failures: [String] = []
        for iteration in 0..<400 where failures.count < 3 {
            let text = YAMLGenerator.document(using: &random)
            for problem in Self.differences(text) {
                failures.append("seed \(Self.seed ^ 0x6E4) iteration \(iteration): \(problem)\n--- text:\n\(text.prefix(1_500))")
            }
        }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n\n"))")
    }

    /// What the event composer leaves to Yams, and forms it must get exactly right.
    @Test(arguments: [
        "a: &x 1\nb: *x\n", "a: !!str 1\n", "! a: 1\n", "a: !custom {b: 1}\n", "? [a]\n: 1\n", "? {a: 1}\n: 2\n",
        "a: 1\na: 2\n", "a: 1\n\"a\": 2\n", "'a': 1\na: 2\n", "--- 1\n--- 2\n", "", "# only a comment\n", "---\n...\n",
        "a: [1, 2\n", "a: b: c\n", "\ta: 1\n", "a: \"\\uD800\"\n", "a: \"\\0 and \\x41 \\u00e9 \\U0001F600\"\n",
        "\u{FEFF}version: 1\n", "a: 1\r\nb:\r\n  - x\r\n", "ключ: значение\nb: '😀 é'\n", "a: |\n  two\n  lines\n", "a: >-\n  folded\n  text\n",
        "- \n- ~\n- null\n- ''\n- \"\"\n", "a:\n", "{a: 1, b: [x, {c: d}], e: }\n", "[a, b, [c, [d]]]\n", "plain\n", "\"quoted\"\n",
        "%YAML 1.1\n---\na: 1\n", "%TAG !e! tag:example.com,2000:\n---\na: !e!x 1\n", "a: 1 # comment\n# end\n",
        "long: " + String(repeating: "x", count: 5_000) + "\n", "a: \u{FEFF}50%\n", "a: '\u{FEFF}x'\n", "\u{FEFF}: 1\n", "a: x\u{FEFF}\n",
    ])
    func edgeCasesGiveYamsTreeOrStepAside(_ text: String) {
        let problems = Self.differences(text)
        #expect(problems.isEmpty, "\(text.debugDescription): \(problems.joined(separator: "\n"))")
    }

    @Test func bigMappingsFindDuplicatesPastTheLinearScan() {
        let keys = (0..<40).map { "key\($0): \($0)" }
        #expect(YAMLEventComposer.compose(keys.joined(separator: "\n")) != nil)
        for duplicate in [0, 15, 16, 17, 39] {
            let text = (keys + ["key\(duplicate): again"]).joined(separator: "\n")
            #expect(YAMLEventComposer.compose(text) == nil, "key\(duplicate) repeated")
            #expect(Self.differences(text).isEmpty)
        }
    }
}

/// Random YAML documents over the forms config files use and some they should not: block and flow collections,
/// plain, quoted, literal and folded scalars, comments, empty values, unicode, tabs, anchors, tags, repeated keys.
enum YAMLGenerator {
    static let words = ["name", "checks", "a", "b", "version", "1", "2h", "50%", "", "~", "null", "true", "x y", "é", "😀",
                        "a:b", "#", "-", "[", "{", "'", "\"", "\\", "${VAR}", "  pad  ", "\t", "0x1F", "1e3", "-5m"]

    static func document(using random: inout SeededRandom) -> String {
        block(depth: 0, indent: "", using: &random)
    }

    static func block(depth: Int, indent: String, using random: inout SeededRandom) -> String {
        var text = ""
        let isList = depth > 0 && Bool.random(using: &random)
        for _ in 0..<Int.random(in: 1...5, using: &random) {
            let lead = isList ? indent + "- " : indent + key(using: &random) + ":"
            switch Int.random(in: 0..<10, using: &random) {
            case 0 where depth < 4:
                text += (isList ? indent + "-" : lead) + "\n" + block(depth: depth + 1, indent: indent + "  ", using: &random)
            case 1: text += lead + " " + flow(depth: 0, using: &random) + "\n"
            case 2: text += lead + " |\n" + indent + "  line one\n" + indent + "  line two\n"
            case 3: text += lead + "\n"
            case 4: text += lead + " " + scalar(using: &random) + " # note\n"
            case 5: text += lead + " " + rare(using: &random) + "\n"
            default: text += lead + " " + scalar(using: &random) + "\n"
            }
        }
        return text
    }

    static func flow(depth: Int, using random: inout SeededRandom) -> String {
        let count = Int.random(in: 0...4, using: &random)
        if Bool.random(using: &random) {
            let items = (0..<count).map { _ in depth < 3 && Int.random(in: 0..<4, using: &random) == 0 ? flow(depth: depth + 1, using: &random) : scalar(using: &random) }
            return "[" + items.joined(separator: ", ") + "]"
        }
        let items = (0..<count).map { _ in
            key(using: &random) + ": " + (depth < 3 && Int.random(in: 0..<4, using: &random) == 0 ? flow(depth: depth + 1, using: &random) : scalar(using: &random))
        }
        return "{" + items.joined(separator: ", ") + "}"
    }

    static func key(using random: inout SeededRandom) -> String {
        let word = words[Int.random(in: 0..<words.count, using: &random)]
        return Int.random(in: 0..<3, using: &random) == 0 ? "'" + word.replacingOccurrences(of: "'", with: "''") + "'" : word
    }

    static func scalar(using random: inout SeededRandom) -> String {
        let word = words[Int.random(in: 0..<words.count, using: &random)]
        switch Int.random(in: 0..<4, using: &random) {
        case 0: return "'" + word.replacingOccurrences(of: "'", with: "''") + "'"
        case 1: return "\"" + word.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        default: return word
        }
    }

    static func rare(using random: inout SeededRandom) -> String {
        ["&anchor 1", "*anchor", "!!str 5", "!tag x", "\"\\u00e9\\t\"", "'it''s'", "[a, [b, {c: d}]]", "{a: 1, a: 2}", "? x"][Int.random(in: 0..<9, using: &random)]
    }
}
