import Yams

/// One composed YAML document as config loading reads it: every node's kind, scalar text and style, and position,
/// in three flat arrays. A node is its index (`ConfigNode` pairs it with its file's context).
///
/// Why: config loading composes every file before anything else runs, and on a project of 1,000 datasets building and
/// walking `Yams.Node` trees was most of it: a `Tag` object per node, an array per collection, and a retain of every
/// field each time a node was copied. Here a node is a plain value in one array, a copy is an index, and the tree is
/// freed as three arrays. dqmon reads nothing else of a node: no tags, no anchors (it reads every scalar as text).
///
/// Contract: immutable once built (so it is read from several threads). Built by `YAMLEventComposer` from libyaml's
/// events, or from the `Yams.Node` tree Yams composed when the event composer stepped aside (`init(converting:)`):
/// both give the same tree for the same text (tested node by node).
final class YAMLTree: @unchecked Sendable {
    /// What a node is. `alias` only comes from a Yams tree that kept one (Yams resolves aliases when composing).
    enum Kind: UInt8 {
        case scalar, sequence, mapping, alias
    }

    /// A scalar's style, as libyaml and Yams number them: plain and quoted text read differently (`''` is not null).
    enum Style: UInt8 {
        case any = 0, plain, singleQuoted, doubleQuoted, literal, folded
    }

    /// One node. `line` and `column` are 1-based; 0 means the node has no position (then 1:1 is shown, as before).
    struct Node {
        var kind: Kind
        var style: Style
        var line: Int
        var column: Int
        /// A scalar's text is `texts[start]`; a collection's children are `children[start..<start + width]`.
        var start: Int
        /// Items of a sequence, key/value pairs of a mapping (a mapping has `2 * count` children).
        var count: Int
    }

    let nodes: [Node]
    let texts: [String]
    /// Child node indices: a sequence's items, a mapping's keys and values alternating.
    let children: [Int]
    /// `Yams.Node.string` of the rare collection that has one (a mapping with a `!!value` key, from a Yams tree).
    let collectionStrings: [Int: String]
    /// The document's root node.
    let root: Int

    init(builder: consuming Builder, root: Int) {
        nodes = builder.nodes
        texts = builder.texts
        children = builder.children
        collectionStrings = builder.collectionStrings
        self.root = root
    }

    /// The tree of a document Yams composed.
    convenience init(converting node: Yams.Node) {
        var builder = Builder()
        let root = builder.add(node)
        self.init(builder: builder, root: root)
    }

    /// A scalar's text, or what Yams' `Node.string` gives for a collection (nearly always nil).
    func string(at index: Int) -> String? {
        let node = nodes[index]
        return node.kind == .scalar ? texts[node.start] : collectionStrings[index]
    }

    /// Appends nodes in document order; a collection is opened before its children and closed after them.
    struct Builder {
        var nodes: [Node] = []
        var texts: [String] = []
        var children: [Int] = []
        var collectionStrings: [Int: String] = [:]
        /// Children of the collections still open, innermost last.
        private var pending: [Int] = []

        init() {}

        /// Room for about `expectedNodes` nodes from the start: growing the arrays by doubling copied them and touched
        /// fresh pages at every step (memory reserved but never written costs nothing).
        init(expectedNodes: Int) {
            let capacity = Swift.min(Swift.max(expectedNodes, 16), 1 << 20)
            nodes.reserveCapacity(capacity)
            texts.reserveCapacity(capacity)
            children.reserveCapacity(capacity)
        }

        mutating func scalar(_ text: String, style: Style, line: Int, column: Int) -> Int {
            texts.append(text)
            nodes.append(Node(kind: .scalar, style: style, line: line, column: column, start: texts.count - 1, count: 0))
            return nodes.count - 1
        }

        /// Opens a collection; returns its index and where its children start in `pending`.
        mutating func open(_ kind: Kind, line: Int, column: Int) -> (index: Int, mark: Int) {
            nodes.append(Node(kind: kind, style: .any, line: line, column: column, start: 0, count: 0))
            return (nodes.count - 1, pending.count)
        }

        /// Adds a child to the innermost open collection.
        mutating func addChild(_ index: Int) {
            pending.append(index)
        }

        /// Closes a collection opened by `open`.
        mutating func close(_ opened: (index: Int, mark: Int)) {
            let width = pending.count - opened.mark
            nodes[opened.index].start = children.count
            nodes[opened.index].count = nodes[opened.index].kind == .mapping ? width / 2 : width
            children.append(contentsOf: pending[opened.mark...])
            pending.removeSubrange(opened.mark...)
        }

        /// Adds a Yams node and everything under it.
        mutating func add(_ node: Yams.Node) -> Int {
            let line = node.mark?.line ?? 0, column = node.mark?.column ?? 0
            switch node {
            case .scalar(let scalar):
                return self.scalar(scalar.string, style: Style(rawValue: UInt8(truncatingIfNeeded: scalar.style.rawValue)) ?? .any,
                                   line: line, column: column)
            case .sequence(let sequence):
                let opened = open(.sequence, line: line, column: column)
                for item in sequence { addChild(add(item)) }
                close(opened)
                return opened.index
            case .mapping(let mapping):
                let opened = open(.mapping, line: line, column: column)
                for (key, value) in mapping {
                    addChild(add(key))
                    addChild(add(value))
                }
                close(opened)
                if let string = node.string { collectionStrings[opened.index] = string }
                return opened.index
            case .alias:
                nodes.append(Node(kind: .alias, style: .any, line: line, column: column, start: 0, count: 0))
                return nodes.count - 1
            }
        }
    }
}
