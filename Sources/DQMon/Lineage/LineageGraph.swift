import Foundation

/// The declared lineage of a project: datasets linked by `upstream:`, and the exposures that read them.
///
/// Built once when the configuration loads (`Configuration.lineage`). Every walk is iterative (a breadth-first
/// queue or an explicit stack), so a chain of 10,000 datasets costs no recursion depth. Names that are not
/// datasets (reported by `LineageValidation`) are left out of the graph.
///
/// Thread safety: an immutable value.
public struct LineageGraph: Sendable {
    /// One dataset in the graph.
    public struct Node: Sendable, Hashable {
        public var name: String
        public var tier: Int
        public var owner: String?

        public init(name: String, tier: Int, owner: String?) {
            self.name = name
            self.tier = tier
            self.owner = owner
        }
    }

    /// A dataset reached by a walk, with how many edges away it is.
    public struct Reached: Sendable, Hashable {
        public var node: Node
        public var distance: Int
    }

    /// An edge that closes a cycle: `dataset` names `upstream` in its `upstream:`, and `path` is the cycle from
    /// `upstream` back to it, each step reading "is built from" (`[a, b, c, a]`).
    public struct Cycle: Sendable, Hashable {
        public var dataset: String
        public var upstream: String
        /// Where `upstream` was written in `dataset`'s list, when known.
        public var location: SourceLocation?
        public var path: [String]
    }

    public private(set) var nodes: [Node] = []
    public private(set) var exposures: [ExposureConfig] = []
    var index: [String: Int] = [:]
    /// `upstreamEdges[i]`: the datasets node i is built from, in the order written (duplicates removed).
    var upstreamEdges: [[Int]] = []
    var upstreamLocations: [[SourceLocation?]] = []
    var downstreamEdges: [[Int]] = []
    /// `exposuresOf[i]`: exposures that read node i directly.
    var exposuresOf: [[Int]] = []
    /// How many upstream edges the graph has (counted once: `isEmpty` is asked per alert event).
    private var edgeCount = 0

    public static let empty = LineageGraph()

    init() {}

    /// The graph of `datasets` (config order) and `exposures`. A name written twice keeps its first tier and owner and
    /// the union of its upstream lists.
    public init(datasets: [DatasetConfig], exposures: [ExposureConfig]) {
        self.init(nodes: datasets.map { (Node(name: $0.name, tier: $0.tier, owner: $0.owner), $0.upstream) }, exposures: exposures)
    }

    /// The graph from nodes and the references each one's `upstream:` holds.
    public init(nodes entries: [(Node, [LineageReference])], exposures: [ExposureConfig]) {
        for (node, _) in entries where index[node.name] == nil {
            index[node.name] = nodes.count
            nodes.append(node)
        }
        upstreamEdges = Array(repeating: [], count: nodes.count)
        upstreamLocations = Array(repeating: [], count: nodes.count)
        downstreamEdges = Array(repeating: [], count: nodes.count)
        exposuresOf = Array(repeating: [], count: nodes.count)
        for (node, references) in entries {
            let from = index[node.name]!
            for reference in references {
                guard let to = index[reference.name], !upstreamEdges[from].contains(to) else { continue }
                upstreamEdges[from].append(to)
                edgeCount += 1
                upstreamLocations[from].append(reference.location)
                downstreamEdges[to].append(from)
            }
        }
        self.exposures = exposures
        for (position, exposure) in exposures.enumerated() {
            for reference in exposure.dependsOn {
                guard let dataset = index[reference.name], !exposuresOf[dataset].contains(position) else { continue }
                exposuresOf[dataset].append(position)
            }
        }
    }

    public var isEmpty: Bool { edgeCount == 0 && exposures.isEmpty }

    public func node(named name: String) -> Node? { index[name].map { nodes[$0] } }

    /// The datasets `name` names directly in `upstream:`.
    public func directUpstream(of name: String) -> [Node] { index[name].map { upstreamEdges[$0].map { nodes[$0] } } ?? [] }

    /// The datasets that name `name` directly in their `upstream:`.
    public func directDownstream(of name: String) -> [Node] { index[name].map { downstreamEdges[$0].map { nodes[$0] } } ?? [] }

    /// The exposures that read `name` directly.
    public func directExposures(of name: String) -> [ExposureConfig] { index[name].map { exposuresOf[$0].map { exposures[$0] } } ?? [] }

    /// Every dataset `name` is built from, transitively, nearest first (the dataset itself excluded).
    public func upstream(of name: String) -> [Reached] { walk(from: name, edges: upstreamEdges) }

    /// Every dataset built from `name`, transitively, nearest first (the dataset itself excluded).
    public func downstream(of name: String) -> [Reached] { walk(from: name, edges: downstreamEdges) }

    /// Whether `candidate` is among the transitive upstream datasets of `dataset`.
    public func isUpstream(_ candidate: String, of dataset: String) -> Bool {
        guard index[candidate] != nil else { return false }
        return upstream(of: dataset).contains { $0.node.name == candidate }
    }

    /// Exposures fed by `name` or by any dataset downstream of it, in config order.
    public func exposures(fedBy name: String) -> [ExposureConfig] {
        guard let start = index[name] else { return [] }
        var positions = Set(exposuresOf[start])
        for reached in downstream(of: name) { positions.formUnion(exposuresOf[index[reached.node.name]!]) }
        return positions.sorted().map { exposures[$0] }
    }

    /// Breadth-first: each dataset once, at its shortest distance. Cycles (already config errors) end the walk.
    func walk(from name: String, edges: [[Int]]) -> [Reached] {
        guard let start = index[name] else { return [] }
        var seen = [Bool](repeating: false, count: nodes.count)
        seen[start] = true
        var queue = [(start, 0)]
        var head = 0
        var reached: [Reached] = []
        while head < queue.count {
            let (current, distance) = queue[head]
            head += 1
            for next in edges[current] where !seen[next] {
                seen[next] = true
                queue.append((next, distance + 1))
                reached.append(Reached(node: nodes[next], distance: distance + 1))
            }
        }
        return reached
    }

    /// Every edge that closes a cycle, found by one iterative depth-first search over the datasets in config order
    /// (each cycle contains at least one such edge, and a graph without cycles has none).
    public func cycles() -> [Cycle] {
        enum Color { case white, gray, black }
        var color = [Color](repeating: .white, count: nodes.count)
        var found: [Cycle] = []
        for root in nodes.indices where color[root] == .white {
            // The stack holds the current path: (node, index of its next upstream edge).
            var stack: [(node: Int, next: Int)] = [(root, 0)]
            color[root] = .gray
            while let top = stack.last {
                let edges = upstreamEdges[top.node]
                guard top.next < edges.count else {
                    color[top.node] = .black
                    stack.removeLast()
                    continue
                }
                stack[stack.count - 1].next += 1
                let target = edges[top.next]
                switch color[target] {
                case .white:
                    color[target] = .gray
                    stack.append((target, 0))
                case .gray:
                    let start = stack.firstIndex { $0.node == target }!
                    let path = stack[start...].map { nodes[$0.node].name } + [nodes[target].name]
                    found.append(Cycle(dataset: nodes[top.node].name, upstream: nodes[target].name,
                                       location: upstreamLocations[top.node][top.next], path: path))
                case .black:
                    break
                }
            }
        }
        return found
    }

    /// Each dataset's position in an order where every dataset comes after all of its upstream datasets (Kahn's
    /// algorithm; datasets on a cycle come last, in config order).
    public func topologicalOrder() -> [String: Int] {
        var remaining = upstreamEdges.map(\.count)
        var queue = nodes.indices.filter { remaining[$0] == 0 }
        var head = 0
        var order: [String: Int] = [:]
        while head < queue.count {
            let current = queue[head]
            head += 1
            order[nodes[current].name] = order.count
            for next in downstreamEdges[current] {
                remaining[next] -= 1
                if remaining[next] == 0 { queue.append(next) }
            }
        }
        for node in nodes where order[node.name] == nil { order[node.name] = order.count }
        return order
    }

    /// What breaks with `name`: the datasets built from it and the exposures they feed (see `LineageImpact`).
    public func impact(of name: String) -> LineageImpact {
        guard let own = node(named: name) else { return LineageImpact(dataset: name, tier: 3, downstream: [], exposures: []) }
        let downstream = downstream(of: name).map {
            LineageImpact.Dataset(name: $0.node.name, tier: $0.node.tier, owner: $0.node.owner, distance: $0.distance)
        }
        let exposures = exposures(fedBy: name).map(LineageImpact.Exposure.init)
        return LineageImpact(dataset: name, tier: own.tier, downstream: downstream, exposures: exposures)
    }
}
