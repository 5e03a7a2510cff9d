import CYaml
import Yams
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Composes a config file into the same `Yams.Node` tree as `Yams.compose(yaml: text, .basic)`, straight from libyaml's events
/// (the libyaml that Yams bundles), for the plain YAML config files are written in.
///
/// Why: composing is a fixed cost of every command, and on a project of 1,000 datasets Yams' composer spent most of it
/// outside the parser: an object per event, a Foundation string conversion per scalar, and a dictionary of hashed key
/// nodes per mapping to find duplicate keys. This walk makes the nodes Yams would make (same strings, tags, styles and
/// marks) and only compares key strings.
///
/// Contract: it returns a node only when it is sure Yams would return that same node. Anything else it leaves to Yams by
/// returning nil, and the caller composes the text with Yams, so every error, message and position stays Yams' own:
/// a syntax error, an empty stream or more than one document, an anchor, alias or explicit tag, a mapping with a
/// non-scalar key or two keys of the same text, a value starting with a byte order mark, or `YAMS_DEFAULT_ENCODING` set
/// (Yams then changes how it reads).
enum YAMLEventComposer {
    /// The root node `Yams.compose(yaml: text, .basic)` would return, or nil: then ask Yams.
    static func compose(_ text: String) -> Node? {
        guard !text.isEmpty, marksAreMadeRight, getenv("YAMS_DEFAULT_ENCODING") == nil else { return nil }
        var text = text
        return text.withUTF8 { bytes in
            guard let base = bytes.baseAddress else { return nil }
            let reader = EventReader(input: base, count: bytes.count)
            defer { reader.close() }
            var composer = Composer(reader: reader)
            return composer.document()
        }
    }

    /// A `Yams.Mark`, whose memberwise initializer Yams keeps internal: the struct is its two stored `Int`s, `line`
    /// then `column` (Yams is built without library evolution, so that layout is fixed at compile time). Used only
    /// when `marksAreMadeRight` has read a made mark back.
    static func mark(line: Int, column: Int) -> Mark {
        unsafeBitCast((line, column), to: Mark.self)
    }

    /// Checked once: a mark made by `mark(line:column:)` reads back as made. If a Yams release ever changed `Mark`,
    /// every file would be composed by Yams again rather than get wrong positions.
    static let marksAreMadeRight: Bool = {
        guard MemoryLayout<Mark>.size == MemoryLayout<(Int, Int)>.size,
              MemoryLayout<Mark>.alignment == MemoryLayout<(Int, Int)>.alignment else { return false }
        let made = mark(line: 12_345, column: 678)
        return made.line == 12_345 && made.column == 678
    }()

    /// One libyaml parser and its current event.
    private final class EventReader {
        private var parser = yaml_parser_t()
        var event = yaml_event_t()
        private var isOpen = false

        init(input: UnsafePointer<UInt8>, count: Int) {
            guard yaml_parser_initialize(&parser) == 1 else { return }
            isOpen = true
            yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
            yaml_parser_set_input_string(&parser, input, count)
        }

        /// Moves to the next event; false on a syntax error (or a parser that could not start).
        func next() -> Bool {
            guard isOpen else { return false }
            yaml_event_delete(&event)
            return yaml_parser_parse(&parser, &event) == 1
        }

        var type: yaml_event_type_t { event.type }

        /// Where the current event starts, 1-based as Yams reports it.
        var startMark: Mark { YAMLEventComposer.mark(line: event.start_mark.line + 1, column: event.start_mark.column + 1) }

        func close() {
            guard isOpen else { return }
            yaml_event_delete(&event)
            yaml_parser_delete(&parser)
            isOpen = false
        }
    }

    /// Builds nodes as Yams' `Parser` does (`loadScalar`, `loadSequence`, `loadMapping`); nil means "ask Yams".
    private struct Composer {
        let reader: EventReader
        /// dqmon reads every scalar as text (`ConfigLoader.readYAML`): the basic resolver has no rules.
        let resolver = Resolver.basic
        /// Made once per file, as Yams' parser does: `Constructor.default` builds its tables anew at every access.
        let constructor = Constructor.default
        /// One `str` tag for every key and quoted scalar of the file, instead of an object per node: a tag's name
        /// changes only when it is resolved from `implicit` or `!` (Yams' `Tag.resolved`), never from `str`, so the
        /// nodes sharing it see what their own tag would say. Implicit tags are still one per node (resolving one in
        /// place must not change another).
        let stringTag: Tag

        init(reader: EventReader) {
            self.reader = reader
            self.stringTag = Tag(.str, resolver, constructor)
        }

        /// Stream start, one document holding one node, document end, stream end.
        mutating func document() -> Node? {
            guard reader.next(), reader.type == YAML_STREAM_START_EVENT,
                  reader.next(), reader.type == YAML_DOCUMENT_START_EVENT,
                  reader.next(), let root = node(),
                  reader.next(), reader.type == YAML_DOCUMENT_END_EVENT,
                  reader.next(), reader.type == YAML_STREAM_END_EVENT else { return nil }
            return root
        }

        /// The node that starts at the current event.
        mutating func node() -> Node? {
            switch reader.type {
            case YAML_SCALAR_EVENT: return scalar()
            case YAML_SEQUENCE_START_EVENT: return sequence()
            case YAML_MAPPING_START_EVENT: return mapping()
            default: return nil  // an alias, or an event Yams would reject
            }
        }

        /// A scalar; a mapping key's tag is resolved, as Yams' duplicate-key check leaves it (it hashes every key, and
        /// hashing resolves an implicit tag in place: with the basic resolver, to `str`).
        func scalar(isKey: Bool = false) -> Node? {
            let data = reader.event.data.scalar
            guard data.anchor == nil else { return nil }
            let isString: Bool
            if data.quoted_implicit == 1 {
                isString = true
            } else if data.tag == nil {
                isString = isKey
            } else {
                return nil
            }
            guard let style = Node.Scalar.Style(rawValue: numericCast(data.style.rawValue)) else { return nil }
            let bytes = UnsafeBufferPointer(start: data.value, count: data.value == nil ? 0 : data.length)
            // Yams decodes with Foundation's `String(bytes:encoding:)`, which drops a leading byte order mark: leave such
            // a value to Yams rather than copy that rule.
            guard !bytes.starts(with: [0xEF, 0xBB, 0xBF]) else { return nil }
            let value = String(decoding: bytes, as: UTF8.self)
            return .scalar(Node.Scalar(value, isString ? stringTag : Tag(.implicit, resolver, constructor), style, reader.startMark))
        }

        mutating func sequence() -> Node? {
            let start = reader.event.data.sequence_start
            guard start.anchor == nil, start.implicit != 0 || start.tag == nil else { return nil }
            let mark = reader.startMark
            var items: [Node] = []
            while true {
                guard reader.next() else { return nil }
                if reader.type == YAML_SEQUENCE_END_EVENT { break }
                guard let item = node() else { return nil }
                items.append(item)
            }
            // Yams takes a collection's style from its end event, which carries none: always `.any`.
            return .sequence(Node.Sequence(items, Tag(.implicit, resolver, constructor), .any, mark))
        }

        mutating func mapping() -> Node? {
            let start = reader.event.data.mapping_start
            guard start.anchor == nil, start.implicit != 0 || start.tag == nil else { return nil }
            let mark = reader.startMark
            var pairs: [(Node, Node)] = []
            var keys = KeyTexts()
            while true {
                guard reader.next() else { return nil }
                if reader.type == YAML_MAPPING_END_EVENT { break }
                // Yams reports duplicate keys by its own node equality: any two keys of the same text go to Yams.
                guard reader.type == YAML_SCALAR_EVENT, let key = scalar(isKey: true), case .scalar(let keyScalar) = key,
                      keys.insert(keyScalar.string) else { return nil }
                guard reader.next(), let value = node() else { return nil }
                pairs.append((key, value))
            }
            return .mapping(Node.Mapping(pairs, Tag(.implicit, resolver, constructor), .any, mark))
        }
    }

    /// The key texts of one mapping: a short array scanned linearly (most mappings hold a few keys), a set beyond.
    private struct KeyTexts {
        private var few: [String] = []
        private var many: Set<String>? = nil

        /// False when `key` was there already.
        mutating func insert(_ key: String) -> Bool {
            if var set = many {
                many = nil  // keep the set uniquely referenced while it grows
                defer { many = set }
                return set.insert(key).inserted
            }
            if few.contains(key) { return false }
            few.append(key)
            if few.count > 16 { many = Set(few); few = [] }
            return true
        }
    }
}
