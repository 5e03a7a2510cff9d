import Foundation

/// Maps a warehouse's spelling of a column type to one canonical name, so that `int4`, `integer` and
/// `INT` are one type and a schema check does not report a change when only the spelling differs.
///
/// Each warehouse type chooses its normalizer (`WarehouseSettings.typeNormalizer`, also its `SQLDialect`'s), in its own folder. The schema
/// check normalizes both the catalog's declared types and the types written in a `contract:` with the
/// warehouse's normalizer, so a contract says `bigint` and matches what that warehouse calls a bigint.
/// Length, precision and scale modifiers are ignored: `varchar(20)` -> `varchar(50)` is not a change.
public protocol TypeNormalizer: Sendable {
    /// The canonical, lowercase name of `declaredType`.
    func normalize(_ declaredType: String) -> String
    /// Every type name this warehouse's users may write in a `contract:` (for "did you mean" on a misspelt type).
    var knownTypeNames: Set<String> { get }
}

extension TypeNormalizer {
    static func simplified(_ declared: String) -> String { TypeNormalizerSimplifier.simplified(declared) }
}

/// The spelling-insensitive core every normalizer starts from.
enum TypeNormalizerSimplifier {
    /// Lowercased, modifiers such as `(10,2)` removed, whitespace collapsed, quotes kept as written.
    static func simplified(_ declared: String) -> String {
        var text = ""
        var depth = 0
        var inQuotes = false
        for character in declared.trimmingCharacters(in: .whitespacesAndNewlines) {
            if character == "\"" { inQuotes.toggle() }
            if !inQuotes, character == "(" { depth += 1; continue }
            if !inQuotes, character == ")" { depth = max(0, depth - 1); continue }
            if depth == 0 { text += inQuotes ? String(character) : character.lowercased() }
        }
        return text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }
}

/// Spelling only (case, modifiers, whitespace), no synonyms: the neutral normalizer of a `CheckInput` built without
/// a warehouse. The engine always passes the warehouse's own.
public struct SpellingTypeNormalizer: TypeNormalizer {
    public init() {}
    public var knownTypeNames: Set<String> { [] }
    public func normalize(_ declaredType: String) -> String { Self.simplified(declaredType) }
}

/// Type names a `contract:` may use, for "did you mean" on a misspelt type: the names every registered warehouse
/// type knows. Unknown names that are not close to one of these (enums, domains, extension types) are accepted as written.
public enum KnownTypeNames {
    public static var all: [String] {
        Array(Registries.current.warehouses.types.reduce(into: Set<String>()) { $0.formUnion($1.typeNormalizer.knownTypeNames) }).sorted()
    }

    /// A close known name when `type` is not itself known (nor a spelling with modifiers or an array).
    public static func misspelling(_ type: String) -> String? {
        let simplified = TypeNormalizerSimplifier.simplified(type)
        let base = simplified.hasSuffix("[]") ? String(simplified.dropLast(2)) : simplified
        let all = Self.all
        guard !all.contains(base), !base.contains("\""), !base.contains(".") else { return nil }
        // Stricter than key suggestions: short custom type names (`mood`) must not look like typos (`bool`).
        let limit = base.count <= 5 ? 1 : 2
        let best = all.map { ($0, Suggestion.editDistance(base, $0)) }.min { $0.1 < $1.1 }
        guard let best, best.1 <= limit else { return nil }
        return best.0
    }
}
