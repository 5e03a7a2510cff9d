import Foundation

/// A JSON document with ordered keys, so payloads are byte-for-byte stable (a retried webhook carries the
/// same body it was signed with) and their size can be measured exactly before sending.
public indirect enum JSONValue: Sendable, Equatable {
    case string(String)
    case number(Double)
    case bool(Bool)
    case null
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool { lhs.serialized() == rhs.serialized() }

    /// Compact JSON (no spaces), UTF-8 kept as is; `/` is not escaped.
    public func serialized() -> String {
        var output = ""
        write(to: &output, python: false)
        return output
    }

    /// The size Python's `json.dumps(value)` would give (", " and ": " separators, non-ASCII escaped):
    /// the measure the destination limit checkers use, always at least the compact size.
    public var pythonStyleByteCount: Int {
        switch self {
        case .string(let text): return Self.pythonStyleByteCount(of: text)
        case .number, .bool, .null:
            var output = ""
            write(to: &output, python: true)
            return output.utf8.count
        case .array(let items): return 2 + items.reduce(0) { $0 + $1.pythonStyleByteCount } + 2 * max(0, items.count - 1)
        case .object(let pairs):
            return 2 + pairs.reduce(0) { $0 + Self.pythonStyleByteCount(of: $1.0) + 2 + $1.1.pythonStyleByteCount } + 2 * max(0, pairs.count - 1)
        }
    }

    /// A string's size as `writeString(asciiOnly: true)` writes it, counted without writing it (message size checks
    /// measure many candidate messages).
    static func pythonStyleByteCount(of text: String) -> Int {
        var count = 2
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"", "\\", "\n", "\r", "\t": count += 2
            default:
                if scalar.value < 0x20 || scalar.value > 0x7e {
                    count += scalar.value > 0xFFFF ? 12 : 6
                } else {
                    count += 1
                }
            }
        }
        return count
    }

    public var data: Data { Data(serialized().utf8) }

    func write(to output: inout String, python: Bool) {
        switch self {
        case .string(let text): Self.writeString(text, to: &output, asciiOnly: python)
        case .number(let value):
            // JSON has no NaN or infinity: such a number is written as null, so the payload stays valid JSON.
            if !value.isFinite {
                output += "null"
            } else if value == value.rounded(), abs(value) < 1e15 {
                output += String(Int64(value))
            } else {
                output += "\(value)"
            }
        case .bool(let value): output += value ? "true" : "false"
        case .null: output += "null"
        case .array(let items):
            output += "["
            for (index, item) in items.enumerated() {
                if index > 0 { output += python ? ", " : "," }
                item.write(to: &output, python: python)
            }
            output += "]"
        case .object(let pairs):
            output += "{"
            for (index, pair) in pairs.enumerated() {
                if index > 0 { output += python ? ", " : "," }
                Self.writeString(pair.0, to: &output, asciiOnly: python)
                output += python ? ": " : ":"
                pair.1.write(to: &output, python: python)
            }
            output += "}"
        }
    }

    static func writeString(_ text: String, to output: inout String, asciiOnly: Bool) {
        output += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            default:
                if scalar.value < 0x20 || (asciiOnly && scalar.value > 0x7e) {
                    for unit in String(scalar).utf16 { output += String(format: "\\u%04x", unit) }
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        output += "\""
    }

    /// Parses JSON text (used to read stored payloads back); objects keep their key order.
    public static func parse(_ data: Data) -> JSONValue? {
        guard let object = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) else { return nil }
        return from(object)
    }

    static func from(_ object: Any) -> JSONValue {
        switch object {
        case let text as String: return .string(text)
        case let number as NSNumber:
            if String(cString: number.objCType) == "c" { return .bool(number.boolValue) }
            return .number(number.doubleValue)
        case let items as [Any]: return .array(items.map(from))
        case let dictionary as [String: Any]: return .object(dictionary.keys.sorted().map { ($0, from(dictionary[$0]!)) })
        default: return .null
        }
    }

    public subscript(key: String) -> JSONValue? {
        guard case .object(let pairs) = self else { return nil }
        return pairs.first { $0.0 == key }?.1
    }

    public var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }
}

extension String {
    /// At most `limit` characters, ending with "…" when cut.
    func truncated(to limit: Int) -> String {
        guard count > limit else { return self }
        return String(prefix(max(0, limit - 1))) + "…"
    }
}
