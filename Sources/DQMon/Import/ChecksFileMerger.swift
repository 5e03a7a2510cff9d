import Foundation
import Yams

/// Updates a checks file that `dqmon import dbt` wrote earlier, keeping what the user wrote in it.
///
/// The rule: entries (datasets, exposures) carrying a `dbt:` key are dbt's. On a re-run each is rewritten from the
/// manifest: `name`, `dbt` and every key dbt gives a value this time (owner, description, tags, upstream,
/// warehouse…) take dbt's values, and the check named `dbt` is replaced. Everything else is the user's and is
/// kept as written, comments included: their own datasets and exposures (no `dbt:` key), keys dbt does not set on
/// a generated entry (`tier`, `runbook`, `every`, `sla`…), and their own checks under a generated dataset.
/// An entry whose dbt unique id is gone from the manifest is removed. A user dataset with the name of a dbt
/// relation wins: that relation is not imported (and said so).
///
/// Text is kept by line ranges taken from the YAML parser's marks and re-indented as a block; where a range cannot
/// be told apart (two keys on one line, in flow style) the value is re-serialized instead (comments there are lost).
public enum ChecksFileMerger {
    public struct Summary: Sendable, Equatable {
        public var added: [String] = []
        public var updated: [String] = []
        public var removed: [String] = []
        /// User entries kept, and generated ones skipped because a user entry has their name.
        public var keptUserEntries = 0
        public var shadowed: [String] = []
    }

    public static func merge(existing text: String, generated: GeneratedChecksFile, file: String) throws(DQMonError) -> (text: String, summary: Summary) {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw DQMonError("\(file): cannot update it: it is not valid YAML (\(DbtManifestReader.oneLine(String(describing: error)))); fix it, or write elsewhere with --output")
        }
        guard let root else { return (generated.text, Summary(added: generated.datasets.map(\.name) + generated.exposures.map(\.name))) }
        guard case .mapping(let mapping) = root else {
            throw DQMonError("\(file): cannot update it: it is not a checks file (a mapping with 'version' and 'datasets'); fix it, or write elsewhere with --output")
        }
        var merger = Merger(lines: text.split(separator: "\n", omittingEmptySubsequences: false).map { String($0.hasSuffix("\r") ? $0.dropLast() : $0) },
                            mapping: mapping, file: file)
        let merged = try merger.merge(generated)
        do {
            _ = try Yams.compose(yaml: merged)
        } catch {
            throw DQMonError("\(file): the update would not be valid YAML (\(DbtManifestReader.oneLine(String(describing: error)))); the file was left unchanged: please report this")
        }
        return (merged, merger.summary)
    }

    /// One merge: the existing file's lines and top-level mapping.
    struct Merger {
        let lines: [String]
        let mapping: Node.Mapping
        let file: String
        var summary = Summary()

        init(lines: [String], mapping: Node.Mapping, file: String) {
            self.lines = lines
            self.mapping = mapping
            self.file = file
        }

        mutating func merge(_ generated: GeneratedChecksFile) throws(DQMonError) -> String {
            let topLevel = mapping.map { ($0.key, $0.value) }
            let firstKeyLine = topLevel.compactMap { $0.0.mark?.line }.min() ?? (lines.count + 1)
            let preamble = lines.prefix(max(firstKeyLine - 1, 0)).filter { !generated.header.contains($0) }
            var output = generated.header + trimmedTrailingBlanks(Array(preamble)) + ["version: 1"]
            let datasets = try mergeList("datasets", generated.datasets, hasChecks: true)
            output += datasets.isEmpty ? ["datasets: []"] : ["datasets:"] + datasets
            let exposures = try mergeList("exposures", generated.exposures, hasChecks: false)
            if !exposures.isEmpty { output += ["exposures:"] + exposures }
            for (index, pair) in topLevel.enumerated() where !["version", "datasets", "exposures"].contains(pair.0.string ?? "") {
                output += try chunk(of: index, in: topLevel.map(\.0), end: lines.count, indent: 0, node: .mapping(Node.Mapping([pair])))
            }
            return output.joined(separator: "\n") + "\n"
        }

        /// The merged items of the top-level list `key`, as lines.
        mutating func mergeList(_ key: String, _ fresh: [GeneratedEntry], hasChecks: Bool) throws(DQMonError) -> [String] {
            let items = topLevelItems(key)
            let userNames = Set(items.filter { marker(of: $0) == nil }.compactMap { field("name", of: $0)?.string })
            let freshByID = Dictionary(fresh.compactMap { entry in entry.marker.map { ($0, entry) } }, uniquingKeysWith: { first, _ in first })
            var placed = Set<String>()
            var output: [String] = []
            let end = endLine(ofTopLevel: key)
            for (index, item) in items.enumerated() {
                let itemEnd = index + 1 < items.count ? (items[index + 1].mark?.line ?? end + 1) - 1 : end
                guard let id = marker(of: item) else {
                    summary.keptUserEntries += 1
                    output += try chunk(of: index, in: items, end: end, indent: 2, node: .sequence(Node.Sequence([item])), isItem: true)
                    continue
                }
                guard let entry = freshByID[id], !userNames.contains(entry.name) else {
                    if freshByID[id] == nil { summary.removed.append(field("name", of: item)?.string ?? id) }
                    continue
                }
                placed.insert(id)
                summary.updated.append(entry.name)
                output += try mergedEntry(entry, existing: item, itemEnd: itemEnd)
            }
            for entry in fresh where !placed.contains(entry.marker ?? "") {
                if userNames.contains(entry.name) {
                    summary.shadowed.append(entry.name)
                    continue
                }
                summary.added.append(entry.name)
                output += entry.lines
            }
            return output
        }

        /// A generated entry rewritten from the manifest, with the user's keys and checks of the existing one.
        func mergedEntry(_ entry: GeneratedEntry, existing item: Node, itemEnd: Int) throws(DQMonError) -> [String] {
            guard case .mapping(let itemMapping) = item else { return entry.lines }
            let keys = itemMapping.map(\.key)
            var userLines: [String] = []
            var userChecks: [String] = []
            for (index, pair) in itemMapping.enumerated() {
                let key = pair.key.string ?? ""
                if key == "checks", entry.checks != nil {
                    userChecks = try userCheckLines(pair.value, end: keyEnd(index, keys: keys, itemEnd: itemEnd))
                } else if !entry.writtenKeys.contains(key) {
                    userLines += try chunk(of: index, in: keys, end: itemEnd, indent: 4, node: .mapping(Node.Mapping([pair])))
                }
            }
            var withoutChecks = entry
            withoutChecks.checks = nil
            var lines = withoutChecks.lines + userLines
            if let checks = entry.checks {
                let generatedLines = entry.checkLines(checks)
                lines += userChecks.isEmpty ? generatedLines : (checks.isEmpty ? ["    checks:"] : generatedLines) + userChecks
            }
            return lines
        }

        /// The user's checks under a generated dataset: every check item but the one named `dbt`.
        func userCheckLines(_ checks: Node, end: Int) throws(DQMonError) -> [String] {
            guard case .sequence(let sequence) = checks else { return [] }
            let items = Array(sequence)
            var lines: [String] = []
            for (index, item) in items.enumerated() where !isGeneratedCheck(item) {
                lines += try chunk(of: index, in: items, end: end, indent: 6, node: .sequence(Node.Sequence([item])), isItem: true)
            }
            return lines
        }

        func isGeneratedCheck(_ item: Node) -> Bool {
            guard case .mapping(let check) = item, check.count == 1, let settings = check.first?.value else { return false }
            return field("name", of: settings)?.string == "dbt"
        }

        func keyEnd(_ index: Int, keys: [Node], itemEnd: Int) -> Int {
            let later = keys.compactMap(\.mark?.line).filter { $0 > (keys[index].mark?.line ?? Int.max) }
            return (later.min() ?? itemEnd + 1) - 1
        }

        /// The lines of sibling `index` (from its line to the next sibling's, or `end`), moved to `indent`;
        /// `node` re-serialized when siblings share a line (flow style). Comment lines right above a sibling belong
        /// to it. A list item keeps its dash; a key that starts an item (`- tier: 1` first in it) has the dash blanked.
        func chunk(of index: Int, in siblings: [Node], end: Int, indent: Int, node: Node, isItem: Bool = false) throws(DQMonError) -> [String] {
            let starts = siblings.map { $0.mark?.line ?? 0 }
            let distinct = zip(starts, starts.dropFirst()).allSatisfy { $0 < $1 } && starts.allSatisfy { $0 >= 1 }
            guard distinct, starts[index] <= lines.count else { return try serialized(node, indent: indent) }
            let markLine = starts[index]
            let first = commentedStart(markLine, after: index > 0 ? starts[index - 1] : 0)
            let stop = min(index + 1 < starts.count ? commentedStart(starts[index + 1], after: markLine) - 1 : end, lines.count)
            guard stop >= markLine, let column = siblings[index].mark?.column else { return try serialized(node, indent: indent) }
            var block = Array(lines[(first - 1)..<stop])
            let markOffset = markLine - first
            if !isItem {
                var scalars = Array(block[markOffset].unicodeScalars)
                for position in 0..<min(column - 1, scalars.count) { scalars[position] = " " }
                block[markOffset] = String(String.UnicodeScalarView(scalars))
            }
            let currentIndent = block[markOffset].prefix { $0 == " " }.count
            return trimmedTrailingBlanks(ChecksFileMerger.reindent(block, by: indent - currentIndent))
        }

        /// `line`, or the first of the comment lines right above it (not above `floor`).
        func commentedStart(_ line: Int, after floor: Int) -> Int {
            var start = line
            while start - 1 > floor, start - 2 < lines.count, lines[start - 2].trimmingCharacters(in: .whitespaces).hasPrefix("#") { start -= 1 }
            return start
        }

        func serialized(_ node: Node, indent: Int) throws(DQMonError) -> [String] {
            let text: String
            do {
                text = try Yams.serialize(node: node, width: -1)
            } catch {
                throw DQMonError("\(file): cannot re-write an entry (\(DbtManifestReader.oneLine(String(describing: error)))); the file was left unchanged")
            }
            let body = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).filter { $0 != "..." }
            return trimmedTrailingBlanks(ChecksFileMerger.reindent(body, by: indent))
        }

        func topLevelItems(_ key: String) -> [Node] {
            guard let value = mapping[key], case .sequence(let sequence) = value else { return [] }
            return Array(sequence)
        }

        /// The last line of the top-level key's value: the line before the next top-level key, or the last line.
        func endLine(ofTopLevel key: String) -> Int {
            guard let start = mapping.first(where: { $0.key.string == key })?.key.mark?.line else { return lines.count }
            let later = mapping.compactMap(\.key.mark?.line).filter { $0 > start }
            return (later.min() ?? lines.count + 1) - 1
        }

        func marker(of item: Node) -> String? { field(GeneratedEntry.markerKey, of: item)?.string }

        func field(_ key: String, of node: Node) -> Node? {
            guard case .mapping(let mapping) = node else { return nil }
            return mapping[key]
        }
    }

    /// Every line shifted right by `delta` spaces (left, when negative, as far as its leading spaces allow).
    static func reindent(_ lines: [String], by delta: Int) -> [String] {
        lines.map { line in
            guard !line.allSatisfy({ $0 == " " }) else { return "" }
            if delta >= 0 { return String(repeating: " ", count: delta) + line }
            let removable = min(-delta, line.prefix { $0 == " " }.count)
            return String(line.dropFirst(removable))
        }
    }
}

/// `lines` without the blank lines at their end.
func trimmedTrailingBlanks(_ lines: [String]) -> [String] {
    var lines = lines
    while let last = lines.last, last.trimmingCharacters(in: .whitespaces).isEmpty { lines.removeLast() }
    return lines
}
