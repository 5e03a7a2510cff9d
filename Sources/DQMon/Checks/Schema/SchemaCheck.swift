import Foundation

/// `schema` — snapshots the dataset's columns (name, normalized type, nullable, position) on every run,
/// compares them with the previous snapshot and with the optional `contract:`.
///
/// Each kind of change has its severity (`on_added`, `on_removed`, `on_type_changed`, `on_nullable_changed`,
/// `on_reordered`: `fail | warn | info | none`); the status is the worst of them, `info` and `none` pass but
/// are listed in the message. Contract violations always fail, on the first run too. The current snapshot
/// becomes the baseline (the engine stores it when it changed), so a change is reported once; state what
/// must hold in `contract:` to keep failing until it is fixed. A table that disappears after a snapshot
/// was taken is `fail` ("table dropped") on every run until it is back.
public struct SchemaCheck: CheckSpec {
    public static let typeName = "schema"
    public static let keys = ["on_added", "on_removed", "on_type_changed", "on_nullable_changed", "on_reordered", "contract"]

    public enum Severity: String, Sendable, CaseIterable {
        case fail, warn, info, none

        var status: CheckStatus {
            switch self {
            case .fail: return .fail
            case .warn: return .warn
            case .info, .none: return .pass
            }
        }
    }

    /// One `column: type` entry of `contract:`, with the type as written.
    public struct ContractColumn: Sendable, Hashable {
        public var column: String
        public var type: String

        public init(column: String, type: String) {
            self.column = column
            self.type = type
        }
    }

    public static let defaultSeverities: [SchemaChange.Kind: Severity] = [
        .removed: .fail, .typeChanged: .fail, .nullableChanged: .warn, .added: .warn, .reordered: .none, .contract: .fail,
    ]

    public let severities: [SchemaChange.Kind: Severity]
    public let contract: [ContractColumn]

    public init(severities: [SchemaChange.Kind: Severity] = [:], contract: [ContractColumn] = []) {
        self.severities = Self.defaultSeverities.merging(severities) { $1 }.merging([.contract: .fail]) { $1 }
        self.contract = contract
    }

    public static func parse(_ fields: ConfigFields) -> SchemaCheck? {
        var severities: [SchemaChange.Kind: Severity] = [:]
        for kind in SchemaChange.Kind.allCases where kind != .contract {
            if let severity = parseSeverity(fields, key: kind.key) { severities[kind] = severity }
        }
        let contract = fields["contract"].map(parseContract) ?? []
        return SchemaCheck(severities: severities, contract: contract)
    }

    static func parseSeverity(_ fields: ConfigFields, key: String) -> Severity? {
        guard let node = fields[key], let text = node.text(describing: "'\(key)'") else { return nil }
        guard let severity = Severity(rawValue: text) else {
            let names = Severity.allCases.map(\.rawValue)
            node.error("'\(key)' must be one of \(names.joined(separator: ", ")), got '\(text)'\(Suggestion.hint(for: text, in: names))")
            return nil
        }
        return severity
    }

    /// `contract: { id: bigint, amount: numeric }`: column names in the warehouse's spelling, types in any
    /// spelling the warehouse's normalizer knows. A misspelt well-known type is an error with a suggestion.
    static func parseContract(_ node: ConfigNode) -> [ContractColumn] {
        guard let mapping = node.entries else {
            node.error("'contract' must be a mapping of column to type, e.g. { id: bigint, amount: numeric }, not a \(node.kindName)")
            return []
        }
        var columns: [ContractColumn] = []
        for (key, value) in mapping {
            guard let column = key.text(describing: "a contract column"), let type = value.text(describing: "the type of '\(column)' in 'contract'") else { continue }
            if columns.contains(where: { $0.column == column }) {
                key.error("duplicate column '\(column)' in 'contract'")
            } else if type.trimmingCharacters(in: .whitespaces).isEmpty {
                value.error("the type of '\(column)' in 'contract' is empty (write a type such as text, bigint, numeric, timestamp)")
            } else if let suggestion = KnownTypeNames.misspelling(type) {
                value.error("unknown type '\(type)' for column '\(column)' in 'contract' (did you mean '\(suggestion)'?)")
            } else {
                columns.append(ContractColumn(column: column, type: type))
            }
        }
        return columns
    }

    public var metrics: [Metric] { [] }
    public var contextKeys: [any CheckContextKey.Type] { [PreviousSchema.self] }

    public func severity(of kind: SchemaChange.Kind) -> Severity { severities[kind] ?? .fail }

    /// The kinds that fail and warn (the defaults read `fail: removed, type; warn: nullable, added`), and the
    /// contract's size: `info` and `none` changes pass, so they are left out.
    var expectedText: String {
        let label: [SchemaChange.Kind: String] = [.removed: "removed", .typeChanged: "type", .nullableChanged: "nullable",
                                                  .added: "added", .reordered: "order"]
        var parts: [String] = []
        for severity in [Severity.fail, .warn] {
            let kinds = SchemaChange.Kind.allCases.filter { $0 != .contract && self.severity(of: $0) == severity }
            if !kinds.isEmpty { parts.append("\(severity.rawValue): " + kinds.compactMap { label[$0] }.joined(separator: ", ")) }
        }
        if !contract.isEmpty { parts.append("contract: \(contract.count) column\(contract.count == 1 ? "" : "s")") }
        return parts.isEmpty ? "report only" : parts.joined(separator: "; ")
    }

    public func evaluate(_ input: CheckInput) -> CheckOutcome {
        let current = SchemaSnapshot(catalog: input.columns, types: input.typeNormalizer)
        let previous = input.context[PreviousSchema.self]
        var changes = previous.map { SchemaDiff.changes(from: $0, to: current) } ?? []
        changes += SchemaDiff.violations(of: contract, in: current, types: input.typeNormalizer)
        let status = changes.map { severity(of: $0.kind).status }.max() ?? .pass
        let count = current.columns.count
        var outcome = CheckOutcome(status: status, observed: Double(count), observedText: "\(Format.count(Double(count))) columns",
                                   expected: expectedText, message: message(changes: changes, columns: count, firstRun: previous == nil))
        if previous?.hash != current.hash { outcome.artifacts.append(current) }
        return outcome
    }

    func message(changes: [SchemaChange], columns: Int, firstRun: Bool) -> String {
        var parts = changes.map(\.message)
        if firstRun {
            parts.append("first run: baseline of \(columns) column\(columns == 1 ? "" : "s") recorded")
        } else if parts.isEmpty {
            let met = contract.isEmpty ? "" : ", contract of \(contract.count) column\(contract.count == 1 ? "" : "s") met"
            parts.append("no schema changes (\(columns) column\(columns == 1 ? "" : "s")\(met))")
        }
        return parts.joined(separator: "; ")
    }

    /// A table seen before and now missing is `fail`; one never seen stays an `error` (likely a config typo).
    public func evaluateMissingTable(_ input: CheckInput) -> CheckOutcome? {
        guard let previous = input.context[PreviousSchema.self] else { return nil }
        let seen = previous.takenAt.map { " at \(Format.timestamp($0))" } ?? ""
        return CheckOutcome(status: .fail, observed: 0, observedText: "no table", expected: expectedText,
                            message: "table dropped: \(input.table) no longer exists (last snapshot\(seen) had \(previous.columns.count) columns; dropped or renamed upstream)")
    }
}
