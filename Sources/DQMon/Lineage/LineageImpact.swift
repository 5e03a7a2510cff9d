import Foundation

/// What a problem on one dataset reaches downstream: the datasets built from it (transitively, with their tiers and
/// owners) and the exposures they feed. Shown in every alert (`summary`) and in `dqmon incidents show`.
///
/// **Effective tier** (the decision for "a Tier 3 table that feeds an executive dashboard is treated as what it is"):
/// a dataset is as important as the most important thing it feeds. Its effective tier is the lowest tier number among
/// itself, its downstream datasets, and its exposures (maturity high counts as tier 1, medium as 2, low as 3). The
/// incident tracker takes the alert severity from the effective tier's row of the `severity:` matrix, so a failing
/// tier 3 staging table that feeds a tier 1 table pages like a tier 1 table. The dataset's own tier still decides its
/// SLA targets and what `match: { tier: … }` in routes sees.
public struct LineageImpact: Sendable, Hashable, Codable {
    public struct Dataset: Sendable, Hashable, Codable {
        public var name: String
        public var tier: Int
        public var owner: String?
        /// Edges from the impacted dataset (1 = built directly from it).
        public var distance: Int
    }

    public struct Exposure: Sendable, Hashable, Codable {
        public var name: String
        public var type: String
        public var owner: String?
        public var maturity: String?
        public var url: String?

        init(_ exposure: ExposureConfig) {
            name = exposure.name
            type = exposure.type
            owner = exposure.owner
            maturity = exposure.maturity
            url = exposure.url
        }

        var tierEquivalent: Int { maturity == "high" ? 1 : maturity == "medium" ? 2 : 3 }
        var displayName: String {
            name.split(separator: "_").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined(separator: " ")
        }
    }

    public var dataset: String
    /// The dataset's own tier.
    public var tier: Int
    /// Downstream datasets, most important first (tier, then distance, then name).
    public var downstream: [Dataset]
    public var exposures: [Exposure]

    public init(dataset: String, tier: Int, downstream: [Dataset], exposures: [Exposure]) {
        self.dataset = dataset
        self.tier = tier
        self.downstream = downstream.sorted { ($0.tier, $0.distance, $0.name) < ($1.tier, $1.distance, $1.name) }
        self.exposures = exposures
    }

    public var isEmpty: Bool { downstream.isEmpty && exposures.isEmpty }

    /// The lowest tier number among the dataset, its downstream datasets and its exposures' maturity.
    public var effectiveTier: Int {
        min(tier, downstream.map(\.tier).min() ?? 3, exposures.map(\.tierEquivalent).min() ?? 3)
    }

    /// Why the effective tier is above the dataset's own, e.g. `feeds tier 1 dataset daily_revenue`; nil when it is not.
    public var effectiveTierReason: String? {
        let effective = effectiveTier
        guard effective < tier else { return nil }
        if let dataset = downstream.first(where: { $0.tier == effective }) { return "feeds tier \(effective) dataset \(dataset.name)" }
        if let exposure = exposures.first(where: { $0.tierEquivalent == effective }) {
            return "feeds exposure \(exposure.displayName) (maturity \(exposure.maturity ?? "-"))"
        }
        return nil
    }

    /// `Impact: 2 downstream datasets (tier 1: daily_revenue; tier 3: revenue_scratch), feeds exposure Executive
    /// Revenue Dashboard (owner exec-analytics)`; empty when nothing is downstream.
    public var summary: String {
        guard !isEmpty else { return "" }
        var parts: [String] = []
        if !downstream.isEmpty {
            let byTier = Dictionary(grouping: downstream, by: \.tier).sorted { $0.key < $1.key }.map { tier, datasets in
                let names = datasets.prefix(5).map(\.name).joined(separator: ", ")
                return "tier \(tier): \(names)" + (datasets.count > 5 ? " and \(datasets.count - 5) more" : "")
            }
            parts.append("\(downstream.count) downstream dataset\(downstream.count == 1 ? "" : "s") (\(byTier.joined(separator: "; ")))")
        }
        if !exposures.isEmpty {
            let names = exposures.prefix(5).map { "\($0.displayName) (owner \($0.owner ?? "unowned"))" }
            parts.append("feeds exposure\(exposures.count == 1 ? "" : "s") " + names.joined(separator: ", ")
                         + (exposures.count > 5 ? " and \(exposures.count - 5) more" : ""))
        }
        var text = "Impact: " + parts.joined(separator: ", ")
        if let reason = effectiveTierReason { text += "; treated as tier \(effectiveTier) (\(reason))" }
        return text
    }
}

extension LineageImpact {
    /// Every dataset whose effective tier is above its own, with that tier (empty without lineage).
    public static func effectiveTiers(_ configuration: Configuration) -> [String: Int] {
        guard !configuration.lineage.isEmpty else { return [:] }
        var tiers: [String: Int] = [:]
        for dataset in configuration.datasets where dataset.tier > 1 {
            let effective = configuration.lineage.impact(of: dataset.name).effectiveTier
            if effective < dataset.tier { tiers[dataset.name] = effective }
        }
        return tiers
    }
}
