import Foundation

/// One difference a schema check reports: against the previous snapshot, or against the contract.
public struct SchemaChange: Sendable, Hashable {
    /// Kinds in the order messages list them.
    public enum Kind: String, Sendable, CaseIterable, Comparable {
        case removed, typeChanged = "type_changed", nullableChanged = "nullable_changed", added, reordered
        /// The table breaks the `contract:` (a column missing, or of another type). Always `fail`.
        case contract

        /// The YAML key setting this kind's severity, e.g. `on_type_changed`.
        public var key: String { "on_\(rawValue)" }

        var order: Int { Self.allCases.firstIndex(of: self) ?? 0 }
        public static func < (lhs: Kind, rhs: Kind) -> Bool { lhs.order < rhs.order }
    }

    public var kind: Kind
    public var column: String
    /// e.g. `removed column "discount"`, `type of "amount" changed numeric -> text`.
    public var message: String
    /// Where the column is (current position, or the last one for a removed column), for ordering.
    var position: Int

    public init(kind: Kind, column: String, message: String, position: Int = 0) {
        self.kind = kind
        self.column = column
        self.message = message
        self.position = position
    }
}

/// Compares two snapshots, and a snapshot with a contract. Pure functions.
public enum SchemaDiff {
    /// Changes from `previous` to `current`, ordered by kind then position. Columns are matched by exact
    /// name: a case-only rename (`Amount` -> `amount`) is a removal plus an addition, with a rename hint.
    public static func changes(from previous: SchemaSnapshot, to current: SchemaSnapshot) -> [SchemaChange] {
        let before = Dictionary(previous.columns.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let after = Dictionary(current.columns.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let removed = previous.columns.filter { after[$0.name] == nil }
        var changes = removed.map { SchemaChange(kind: .removed, column: $0.name, message: "removed column \(quoted($0.name))", position: $0.position) }
        for column in current.columns {
            guard let old = before[column.name] else {
                changes.append(added(column, removed: removed))
                continue
            }
            if old.type != column.type {
                changes.append(SchemaChange(kind: .typeChanged, column: column.name,
                                            message: "type of \(quoted(column.name)) changed \(old.type) -> \(column.type)", position: column.position))
            }
            if old.nullable != column.nullable {
                changes.append(SchemaChange(kind: .nullableChanged, column: column.name,
                                            message: "\(quoted(column.name)) became \(column.nullable ? "nullable" : "NOT NULL")", position: column.position))
            }
        }
        changes += moved(from: previous, to: current, before: before)
        return sorted(changes)
    }

    /// An added column, with "possibly renamed from" when a removed column had the same type at the same position.
    static func added(_ column: SchemaColumn, removed: [SchemaColumn]) -> SchemaChange {
        var message = "added column \(quoted(column.name)) (\(column.type)"
        if let source = removed.first(where: { $0.position == column.position && $0.type == column.type }) {
            message += ", possibly renamed from \(quoted(source.name))"
        }
        return SchemaChange(kind: .added, column: column.name, message: message + ")", position: column.position)
    }

    /// Columns present in both snapshots whose relative order changed: those outside the longest common
    /// ordering. Positions shifting because a column was added or removed are not a reorder.
    static func moved(from previous: SchemaSnapshot, to current: SchemaSnapshot, before: [String: SchemaColumn]) -> [SchemaChange] {
        let currentNames = Set(current.columns.map(\.name))
        let oldOrder = previous.columns.map(\.name).filter(currentNames.contains)
        let newColumns = current.columns.filter { before[$0.name] != nil }
        guard oldOrder != newColumns.map(\.name) else { return [] }
        let stable = Set(longestCommonSubsequence(oldOrder, newColumns.map(\.name)))
        return newColumns.filter { !stable.contains($0.name) }.map { column in
            SchemaChange(kind: .reordered, column: column.name,
                         message: "column \(quoted(column.name)) moved from position \(before[column.name]?.position ?? 0) to \(column.position)",
                         position: column.position)
        }
    }

    /// Violations of `contract` (column -> type, as written) by `current`. Types are compared after the
    /// warehouse's normalization; names match exactly, else case-insensitively when only one column matches
    /// (unquoted identifiers fold case in SQL). Columns outside the contract are allowed.
    public static func violations(of contract: [SchemaCheck.ContractColumn], in current: SchemaSnapshot,
                                  types: any TypeNormalizer) -> [SchemaChange] {
        contract.compactMap { expected in
            let wanted = types.normalize(expected.type)
            guard let column = match(expected.column, in: current) else {
                return SchemaChange(kind: .contract, column: expected.column,
                                    message: "contract: column \(quoted(expected.column)) (\(wanted)) is missing")
            }
            guard column.type != wanted else { return nil }
            return SchemaChange(kind: .contract, column: column.name,
                                message: "contract: \(quoted(column.name)) is \(column.type), expected \(wanted)", position: column.position)
        }
    }

    static func match(_ name: String, in snapshot: SchemaSnapshot) -> SchemaColumn? {
        if let exact = snapshot.column(named: name) { return exact }
        let folded = snapshot.columns.filter { $0.name.lowercased() == name.lowercased() }
        return folded.count == 1 ? folded[0] : nil
    }

    static func sorted(_ changes: [SchemaChange]) -> [SchemaChange] {
        changes.enumerated().sorted { lhs, rhs in
            (lhs.element.kind, lhs.element.position, lhs.offset) < (rhs.element.kind, rhs.element.position, rhs.offset)
        }.map(\.element)
    }

    /// `"discount"`, with embedded quotes doubled as in SQL.
    static func quoted(_ name: String) -> String { "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }

    /// The longest common subsequence of two name lists (O(n·m); 500 columns is 250,000 steps).
    static func longestCommonSubsequence(_ a: [String], _ b: [String]) -> [String] {
        guard !a.isEmpty, !b.isEmpty else { return [] }
        var lengths = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in stride(from: a.count - 1, through: 0, by: -1) {
            for j in stride(from: b.count - 1, through: 0, by: -1) {
                lengths[i][j] = a[i] == b[j] ? lengths[i + 1][j + 1] + 1 : max(lengths[i + 1][j], lengths[i][j + 1])
            }
        }
        var result: [String] = []
        var i = 0, j = 0
        while i < a.count, j < b.count {
            if a[i] == b[j] {
                result.append(a[i]); i += 1; j += 1
            } else if lengths[i + 1][j] >= lengths[i][j + 1] {
                i += 1
            } else {
                j += 1
            }
        }
        return result
    }
}
