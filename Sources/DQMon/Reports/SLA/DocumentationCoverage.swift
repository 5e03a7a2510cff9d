import Foundation

/// Documentation completeness: the share of datasets that are documented, per tier and overall, against each tier's
/// `documentation:` target (README "Documentation completeness").
///
/// A dataset is documented when it has all four of: `owner:`, `description:` and `runbook:` (each non-blank), and
/// `tier:` written explicitly (the default tier 3 does not count: nobody decided it). Targets come from `tiers:`
/// (`documentation: 100%`), defaulting to tier 1 100%, tier 2 90%, tier 3 80% (`TierPolicy.defaultDocumentation`).
/// The overall target is the dataset-weighted mean of the tiers' targets: the share reached when every tier meets its
/// own target exactly. A scope with no datasets has no value and no verdict.
///
/// Pure: computed from configuration only (no history), so `dqmon sla`, `dqmon validate --strict` and the HTML
/// report agree.
public struct DocumentationCoverage: Sendable {
    /// What a dataset needs to count as documented, in the order messages list them.
    public enum Field: String, Sendable, CaseIterable, Codable {
        case owner, description, tier, runbook
    }

    /// One dataset: what it lacks (empty when documented) and where it is defined.
    public struct DatasetStatus: Sendable {
        public var name: String
        public var tier: Int
        public var missing: [Field]
        public var location: SourceLocation
        public var isDocumented: Bool { missing.isEmpty }
    }

    /// A tier or everything: documented / total against the target.
    public struct Scope: Sendable {
        /// `tier 1`, …, `overall`.
        public var name: String
        public var tier: Int?
        public var documented: Int
        public var total: Int
        /// A fraction in 0...1.
        public var target: Double
        /// documented / total; nil without datasets.
        public var value: Double? { total > 0 ? Double(documented) / Double(total) : nil }
        /// value ≥ target (with a tolerance of one part in a billion for the weighted overall target); nil without datasets.
        public var met: Bool? { value.map { $0 + 1e-9 >= target } }
    }

    public var datasets: [DatasetStatus]
    /// One per tier that has datasets, in tier order.
    public var tiers: [Scope]
    public var overall: Scope

    /// Completeness of `datasets` against the targets in `tiers` (a tier missing there uses its default).
    public static func measure(_ datasets: [DatasetConfig], tiers policies: [Int: TierPolicy]) -> DocumentationCoverage {
        let statuses = datasets.map { DatasetStatus(name: $0.name, tier: $0.tier, missing: missing($0), location: $0.location) }
        let target = { (tier: Int) in (policies[tier]?.documentation ?? TierPolicy.defaultDocumentation[tier] ?? Percentage(fraction: 0.8)).fraction }
        let tiers = Set(statuses.map(\.tier)).sorted().map { tier in
            scope(statuses.filter { $0.tier == tier }, name: "tier \(tier)", tier: tier, target: target(tier))
        }
        let weighted = statuses.isEmpty ? 0 : statuses.reduce(0) { $0 + target($1.tier) } / Double(statuses.count)
        return DocumentationCoverage(datasets: statuses, tiers: tiers, overall: scope(statuses, name: "overall", tier: nil, target: weighted))
    }

    /// Completeness of every dataset of `configuration`.
    public static func measure(_ configuration: Configuration) -> DocumentationCoverage {
        measure(configuration.datasets, tiers: configuration.project.tiers)
    }

    static func scope(_ statuses: [DatasetStatus], name: String, tier: Int?, target: Double) -> Scope {
        Scope(name: name, tier: tier, documented: statuses.filter(\.isDocumented).count, total: statuses.count, target: target)
    }

    /// Whether `dataset` has owner, description, an explicit tier and runbook.
    public static func isDocumented(_ dataset: DatasetConfig) -> Bool { missing(dataset).isEmpty }

    /// What `dataset` lacks to count as documented.
    public static func missing(_ dataset: DatasetConfig) -> [Field] {
        let blank = { (text: String?) in text?.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ?? true }
        var missing: [Field] = []
        if blank(dataset.owner) { missing.append(.owner) }
        if blank(dataset.description) { missing.append(.description) }
        if !dataset.tierIsExplicit { missing.append(.tier) }
        if blank(dataset.runbook) { missing.append(.runbook) }
        return missing
    }

    /// `dqmon validate --strict`: one warning per undocumented tier-1 dataset, as
    /// `file:line:column: warning: tier-1 dataset 'orders' is not documented: missing description, runbook (...)`.
    public func strictWarnings() -> [String] {
        datasets.filter { $0.tier == 1 && !$0.isDocumented }.map { status in
            let missing = status.missing.map(\.rawValue).joined(separator: ", ")
            return "\(status.location): warning: tier-1 dataset '\(status.name)' is not documented: missing \(missing) "
                + "(add \(status.missing.map { "'\($0.rawValue):'" }.joined(separator: ", ")) to the dataset)"
        }
    }
}
