import CYaml
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Composes a config file into dqmon's `YAMLTree`, straight from libyaml's events (the libyaml that Yams bundles), for
/// the plain YAML config files are written in.
///
/// Why: composing is a fixed cost of every command. On a project of 1,000 datasets Yams' composer spent most of it
/// outside the parser (an object per event, a Foundation string conversion per scalar, hashed key nodes per mapping),
/// and a `Yams.Node` tree then cost a `Tag` object per node and retains at every copy. This walk appends each node to
/// flat arrays and only compares key strings.
///
/// Contract: it returns a tree only when it is sure Yams would compose the text into that same tree (same kinds,
/// strings, styles and marks). Anything else it leaves to Yams by returning nil, and the caller converts Yams' tree,
/// so every error, message and position stays Yams' own: a syntax error, an empty stream or more than one document,
/// an anchor, alias or explicit tag, a mapping with a non-scalar key or two keys of the same text, a value starting
/// with a byte order mark, or `YAMS_DEFAULT_ENCODING` set (Yams then changes how it reads).
enum YAMLEventComposer {
    /// The tree of the document `Yams.compose(yaml: text, .basic)` would return, or nil: then ask Yams.
    static func compose(_ text: String) -> YAMLTree? {
        guard !text.isEmpty, getenv("YAMS_DEFAULT_ENCODING") == nil else { return nil }
        var text = text
        return text.withUTF8 { bytes in
            guard let base = bytes.baseAddress else { return nil }
            let reader = EventReader(input: base, count: bytes.count)
            defer { reader.close() }
            var composer = Composer(reader: reader, textLength: bytes.count)
            guard let root = composer.document() else { return nil }
            return YAMLTree(builder: composer.builder, root: root)
        }
    }

    /// One libyaml parser and its current event.
    private final class EventReader {
        // Read once per event or more, from this one thread: without `unchecked`, every read of these class
        // properties was a runtime exclusivity check (begin/end access), ~1/6 of the composer's own time.
        @exclusivity(unchecked) private var parser = yaml_parser_t()
        @exclusivity(unchecked) var event = yaml_event_t()
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
        var line: Int { event.start_mark.line + 1 }
        var column: Int { event.start_mark.column + 1 }

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
        var builder: YAMLTree.Builder

        init(reader: EventReader, textLength: Int) {
            self.reader = reader
            self.builder = YAMLTree.Builder(expectedNodes: textLength / 6)
        }

        /// Stream start, one document holding one node, document end, stream end; the root's index.
        mutating func document() -> Int? {
            guard reader.next(), reader.type == YAML_STREAM_START_EVENT,
                  reader.next(), reader.type == YAML_DOCUMENT_START_EVENT,
                  reader.next(), let root = node(),
                  reader.next(), reader.type == YAML_DOCUMENT_END_EVENT,
                  reader.next(), reader.type == YAML_STREAM_END_EVENT else { return nil }
            return root
        }

        /// The node that starts at the current event.
        mutating func node() -> Int? {
            switch reader.type {
            case YAML_SCALAR_EVENT: return scalar()?.index
            case YAML_SEQUENCE_START_EVENT: return sequence()
            case YAML_MAPPING_START_EVENT: return mapping()
            default: return nil  // an alias, or an event Yams would reject
            }
        }

        /// A scalar and its text; one with an anchor or an explicit tag goes to Yams.
        mutating func scalar() -> (index: Int, text: String)? {
            let data = reader.event.data.scalar
            guard data.anchor == nil, data.quoted_implicit == 1 || data.tag == nil else { return nil }
            guard let style = YAMLTree.Style(rawValue: UInt8(truncatingIfNeeded: data.style.rawValue)),
                  UInt32(style.rawValue) == data.style.rawValue else { return nil }
            let bytes = UnsafeBufferPointer(start: data.value, count: data.value == nil ? 0 : data.length)
            // Yams decodes with Foundation's `String(bytes:encoding:)`, which drops a leading byte order mark: leave such
            // a value to Yams rather than copy that rule.
            guard !bytes.starts(with: [0xEF, 0xBB, 0xBF]) else { return nil }
            let value = String(decoding: bytes, as: UTF8.self)
            return (builder.scalar(value, style: style, line: reader.line, column: reader.column), value)
        }

        mutating func sequence() -> Int? {
            let start = reader.event.data.sequence_start
            guard start.anchor == nil, start.implicit != 0 || start.tag == nil else { return nil }
            let opened = builder.open(.sequence, line: reader.line, column: reader.column)
            while true {
                guard reader.next() else { return nil }
                if reader.type == YAML_SEQUENCE_END_EVENT { break }
                guard let item = node() else { return nil }
                builder.addChild(item)
            }
            builder.close(opened)
            return opened.index
        }

        mutating func mapping() -> Int? {
            let start = reader.event.data.mapping_start
            guard start.anchor == nil, start.implicit != 0 || start.tag == nil else { return nil }
            let opened = builder.open(.mapping, line: reader.line, column: reader.column)
            var keys = KeyTexts()
            while true {
                guard reader.next() else { return nil }
                if reader.type == YAML_MAPPING_END_EVENT { break }
                // Yams reports duplicate keys by its own node equality: any two keys of the same text go to Yams.
                guard reader.type == YAML_SCALAR_EVENT, let key = scalar(), keys.insert(key.text) else { return nil }
                guard reader.next(), let value = node() else { return nil }
                builder.addChild(key.index)
                builder.addChild(value)
            }
            builder.close(opened)
            return opened.index
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
