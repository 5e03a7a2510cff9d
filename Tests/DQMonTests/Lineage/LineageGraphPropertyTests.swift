import DQMon
import Foundation
import Testing

/// The lineage graph over random DAGs and random cycles (seeded; the seed is in every failure message), against a
/// naive reference closure; and a 10,000-dataset chain, which every walk must handle without recursion.
@Suite struct LineageGraphPropertyTests {
    static var seed: UInt64 {
        ProcessInfo.processInfo.environment["DQMON_FUZZ_SEED"].flatMap(UInt64.init) ?? 0x11E_A6E
    }

    static let location = SourceLocation(file: "checks/x.yml", line: 1, column: 1)

    /// `edges[i]`: the upstream of node i.
    static func graph(_ edges: [[Int]]) -> LineageGraph {
        LineageGraph(nodes: edges.indices.map { index in
            (LineageGraph.Node(name: "d\(index)", tier: 1 + index % 3, owner: nil),
             edges[index].map { LineageReference(name: "d\($0)", location: location) })
        }, exposures: [])
    }

    /// A random DAG: node i may only be built from nodes with a smaller index.
    static func randomDAG(nodes: Int, using random: inout SeededRandom) -> [[Int]] {
        (0..<nodes).map { index in
            guard index > 0 else { return [] }
            let count = Int.random(in: 0...min(3, index), using: &random)
            return Array(Set((0..<count).map { _ in Int.random(in: 0..<index, using: &random) })).sorted()
        }
    }

    /// Every node reachable from `start` along `edges` (naive fixpoint).
    static func reference(_ edges: [[Int]], from start: Int) -> Set<Int> {
        var reached: Set<Int> = []
        var changed = true
        while changed {
            changed = false
            for node in [start] + Array(reached) {
                for next in edges[node] where next != start && reached.insert(next).inserted { changed = true }
            }
        }
        return reached
    }

    @Test func randomDAGsHaveNoCyclesAndClosuresMatchTheReference() {
        var random = SeededRandom(seed: Self.seed)
        for iteration in 0..<200 {
            let edges = Self.randomDAG(nodes: Int.random(in: 1...25, using: &random), using: &random)
            let graph = Self.graph(edges)
            let context = "seed \(Self.seed) iteration \(iteration): \(edges)"
            #expect(graph.cycles().isEmpty, "\(context)")
            var downstreamEdges = [[Int]](repeating: [], count: edges.count)
            for (node, upstream) in edges.enumerated() { for source in upstream { downstreamEdges[source].append(node) } }
            let order = graph.topologicalOrder()
            for node in edges.indices {
                let up = Set(graph.upstream(of: "d\(node)").map(\.node.name))
                let down = Set(graph.downstream(of: "d\(node)").map(\.node.name))
                #expect(up == Set(Self.reference(edges, from: node).map { "d\($0)" }), "\(context) node \(node)")
                #expect(down == Set(Self.reference(downstreamEdges, from: node).map { "d\($0)" }), "\(context) node \(node)")
                for source in edges[node] { #expect(order["d\(source)"]! < order["d\(node)"]!, "\(context)") }
            }
        }
    }

    @Test func aRandomBackEdgeIsAlwaysFoundAndEveryReportedPathIsACycle() {
        var random = SeededRandom(seed: Self.seed ^ 0xC1C)
        for iteration in 0..<200 {
            var edges = Self.randomDAG(nodes: Int.random(in: 2...25, using: &random), using: &random)
            // Close a cycle: pick a path's end and make an ancestor (or itself) built from it.
            let low = Int.random(in: 0..<edges.count, using: &random)
            let descendants = Array(Self.reference(edges.indices.map { node in edges.indices.filter { edges[$0].contains(node) } }, from: low))
            let high = descendants.isEmpty || Bool.random(using: &random) ? low : descendants[Int.random(in: 0..<descendants.count, using: &random)]
            if !edges[low].contains(high) { edges[low].append(high) }
            let graph = Self.graph(edges)
            let context = "seed \(Self.seed ^ 0xC1C) iteration \(iteration): \(edges)"
            let cycles = graph.cycles()
            #expect(!cycles.isEmpty, "\(context)")
            for cycle in cycles {
                #expect(cycle.path.first == cycle.path.last, "\(context)")
                for (from, to) in zip(cycle.path, cycle.path.dropFirst()) {
                    #expect(graph.directUpstream(of: from).contains { $0.name == to }, "\(context): \(cycle.path)")
                }
            }
        }
    }

    @Test func aChainOfTenThousandDatasetsWalksWithoutRecursion() {
        let count = 10_000
        var edges = (0..<count).map { $0 == 0 ? [] : [$0 - 1] }
        var graph = Self.graph(edges)
        #expect(graph.cycles().isEmpty)
        #expect(graph.upstream(of: "d\(count - 1)").count == count - 1)
        #expect(graph.downstream(of: "d0").count == count - 1)
        #expect(graph.impact(of: "d0").effectiveTier == 1)
        #expect(graph.topologicalOrder()["d\(count - 1)"] == count - 1)
        edges[0] = [count - 1]
        graph = Self.graph(edges)
        let cycles = graph.cycles()
        #expect(cycles.count == 1)
        #expect(cycles.first?.path.count == count + 1)
    }

    @Test func lineageOutputOfADeepChainIsBoundedAndComplete() throws {
        let count = 10_000
        let graph = Self.graph((0..<count).map { $0 == 0 ? [] : [$0 - 1] })
        let input = LineageRenderer.Input(dataset: "d0", graph: graph, statuses: [:])
        let text = LineageRenderer.text(input)
        #expect(text.split(separator: "\n").count < LineageRenderer.maximumDepth + 20)
        #expect(text.contains("more datasets deeper than \(LineageRenderer.maximumDepth) levels"))
        let json = try JSONSerialization.jsonObject(with: Data(LineageRenderer.json(input).utf8)) as? [String: Any]
        #expect((json?["downstream"] as? [Any])?.count == count - 1)
    }
}
