import Foundation

/// `dqmon lineage DATASET`: the upstream and downstream trees of one dataset, each node with its current status
/// (its checks' latest results and open incidents, from the history), and the exposures it feeds.
///
/// Trees are drawn with an explicit stack (no recursion) and stop indenting at `maximumDepth` levels, saying how many
/// datasets are left out, so a chain of 10,000 datasets prints a bounded page. A dataset reached twice (a diamond)
/// is drawn once and then marked `(shown above)`. The JSON document is flat (one entry per dataset with its distance
/// and direct edges), so no consumer needs recursion either.
public enum LineageRenderer {
    public static let maximumDepth = 40

    public struct Input: Sendable {
        public var dataset: String
        public var graph: LineageGraph
        public var statuses: [String: DatasetLineageStatus]

        public init(dataset: String, graph: LineageGraph, statuses: [String: DatasetLineageStatus]) {
            self.dataset = dataset
            self.graph = graph
            self.statuses = statuses
        }

        /// Every dataset the trees show: the dataset, its upstream and its downstream.
        public static func datasets(of dataset: String, in graph: LineageGraph) -> [String] {
            [dataset] + graph.upstream(of: dataset).map(\.node.name) + graph.downstream(of: dataset).map(\.node.name)
        }
    }

    public static func text(_ input: Input) -> String {
        let graph = input.graph
        guard let root = graph.node(named: input.dataset) else { return "" }
        var lines = ["\(root.name)  \(describe(root, input))", ""]
        lines.append("Upstream (what \(root.name) is built from):")
        lines += graph.directUpstream(of: root.name).isEmpty ? ["  none declared"] : tree(from: root.name, input: input, downstream: false)
        lines += ["", "Downstream (what is built from \(root.name)):"]
        let hasDownstream = !graph.directDownstream(of: root.name).isEmpty || !graph.directExposures(of: root.name).isEmpty
        lines += hasDownstream ? tree(from: root.name, input: input, downstream: true) : ["  nothing declared"]
        let summary = graph.impact(of: root.name).summary
        if !summary.isEmpty { lines += ["", summary] }
        return lines.joined(separator: "\n")
    }

    /// `tier 1 · team-payments · fail · incident #3 critical, open 2h`
    static func describe(_ node: LineageGraph.Node, _ input: Input) -> String {
        let status = input.statuses[node.name]
        var parts = ["tier \(node.tier)", node.owner ?? "unowned", status?.worst?.rawValue ?? "not run yet"]
        for incident in status?.openIncidents.prefix(3) ?? [] {
            var text = "incident #\(incident.id) \(incident.severity.rawValue)"
            if let root = incident.causedBy { text += " (blocked by upstream #\(root))" }
            parts.append(text)
        }
        if let count = status?.openIncidents.count, count > 3 { parts.append("\(count - 3) more open") }
        return parts.joined(separator: " · ")
    }

    /// The tree below `start`, one line per node, drawn depth first with an explicit stack.
    static func tree(from start: String, input: Input, downstream: Bool) -> [String] {
        let graph = input.graph
        enum Item { case dataset(String, depth: Int), exposure(ExposureConfig, depth: Int) }
        var lines: [String] = []
        var shown: Set<String> = [start]
        var cut = 0
        var stack: [Item] = children(of: start, graph: graph, downstream: downstream, depth: 1).reversed().map { item in
            switch item {
            case .left(let name): return .dataset(name, depth: 1)
            case .right(let exposure): return .exposure(exposure, depth: 1)
            }
        }
        while let item = stack.popLast() {
            switch item {
            case .exposure(let exposure, let depth):
                lines.append(indent(depth) + "exposure \(exposure.displayName) (\(exposure.type), maturity \(exposure.maturity ?? "-"), owner \(exposure.owner ?? "unowned"))")
            case .dataset(let name, let depth):
                guard depth <= maximumDepth else {
                    cut += 1
                    continue
                }
                guard let node = graph.node(named: name) else { continue }
                guard shown.insert(name).inserted else {
                    lines.append(indent(depth) + "\(name) (shown above)")
                    continue
                }
                lines.append(indent(depth) + "\(name)  \(describe(node, input))")
                for child in children(of: name, graph: graph, downstream: downstream, depth: depth + 1).reversed() {
                    switch child {
                    case .left(let next): stack.append(.dataset(next, depth: depth + 1))
                    case .right(let exposure): stack.append(.exposure(exposure, depth: depth + 1))
                    }
                }
            }
        }
        // Datasets below the cut were never pushed: count what the walk reaches but the tree did not show.
        let reachable = downstream ? graph.downstream(of: start).count : graph.upstream(of: start).count
        cut = max(cut, reachable - (shown.count - 1))
        if cut > 0 { lines.append("  … \(cut) more dataset\(cut == 1 ? "" : "s") deeper than \(maximumDepth) levels ('--format json' lists them all)") }
        return lines
    }

    enum Child { case left(String), right(ExposureConfig) }

    static func children(of name: String, graph: LineageGraph, downstream: Bool, depth: Int) -> [Child] {
        if downstream {
            return graph.directDownstream(of: name).map { .left($0.name) } + graph.directExposures(of: name).map { .right($0) }
        }
        return graph.directUpstream(of: name).map { .left($0.name) }
    }

    static func indent(_ depth: Int) -> String { String(repeating: "  ", count: depth) + "└─ " }

    /// The flat JSON document (version 1).
    public static func json(_ input: Input) -> String {
        let graph = input.graph
        guard let root = graph.node(named: input.dataset) else { return "{}" }
        func entry(_ node: LineageGraph.Node, distance: Int) -> JSONValue {
            let status = input.statuses[node.name]
            let incidents: [JSONValue] = (status?.openIncidents ?? []).map { incident in
                .object([("id", .number(Double(incident.id))), ("check_id", .string(incident.checkID)),
                         ("severity", .string(incident.severity.rawValue)),
                         ("caused_by", incident.causedBy.map { .number(Double($0)) } ?? .null)])
            }
            let checks: [JSONValue] = (status?.latest ?? [:]).sorted { $0.key < $1.key }.map {
                .object([("check_id", .string($0.key)), ("status", .string($0.value.rawValue))])
            }
            return .object([
                ("dataset", .string(node.name)), ("tier", .number(Double(node.tier))), ("owner", node.owner.map(JSONValue.string) ?? .null),
                ("distance", .number(Double(distance))), ("status", status?.worst.map { .string($0.rawValue) } ?? .null),
                ("checks", .array(checks)), ("open_incidents", .array(incidents)),
                ("upstream", .array(graph.directUpstream(of: node.name).map { .string($0.name) })),
                ("downstream", .array(graph.directDownstream(of: node.name).map { .string($0.name) })),
                ("exposures", .array(graph.directExposures(of: node.name).map { .string($0.name) })),
            ])
        }
        let impact = graph.impact(of: root.name)
        let exposures: [JSONValue] = graph.exposures(fedBy: root.name).map { exposure in
            .object([("name", .string(exposure.name)), ("type", .string(exposure.type)), ("owner", exposure.owner.map(JSONValue.string) ?? .null),
                     ("maturity", exposure.maturity.map(JSONValue.string) ?? .null), ("url", exposure.url.map(JSONValue.string) ?? .null),
                     ("depends_on", .array(exposure.dependsOn.map { .string($0.name) }))])
        }
        return JSONValue.object([
            ("version", .string("1")),
            ("dataset", entry(root, distance: 0)),
            ("upstream", .array(graph.upstream(of: root.name).map { entry($0.node, distance: $0.distance) })),
            ("downstream", .array(graph.downstream(of: root.name).map { entry($0.node, distance: $0.distance) })),
            ("exposures", .array(exposures)),
            ("impact", .object([("summary", .string(impact.summary)), ("effective_tier", .number(Double(impact.effectiveTier)))])),
        ]).serialized()
    }
}
