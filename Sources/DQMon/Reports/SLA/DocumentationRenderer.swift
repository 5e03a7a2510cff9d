import Foundation

/// Documentation completeness in `dqmon sla`: a text block (per tier, overall, then the undocumented datasets and
/// what each lacks) and the `documentation` object of `dqmon sla --format json`.
enum DocumentationRenderer {
    /// At most this many undocumented datasets are named in the text block (JSON lists all).
    static let listedLimit = 20

    static func block(_ completeness: DocumentationCoverage) -> String {
        var table = TextTable(headers: ["SCOPE", "DOCUMENTED", "VALUE", "TARGET", "STATUS"])
        for scope in completeness.tiers + [completeness.overall] {
            table.append([scope.name, "\(scope.documented)/\(scope.total)", SLARenderer.percent(scope.value),
                          SLARenderer.percent(scope.target), SLARenderer.metText(scope.met)])
        }
        var text = "DOCUMENTATION (owner, description, tier and runbook all set)\n" + table.render()
        let undocumented = completeness.datasets.filter { !$0.isDocumented }.sorted { ($0.tier, $0.name) < ($1.tier, $1.name) }
        guard !undocumented.isEmpty else { return text }
        text += "\nundocumented:"
        for status in undocumented.prefix(listedLimit) {
            text += "\n  \(status.name) (tier \(status.tier)): missing \(status.missing.map(\.rawValue).joined(separator: ", "))"
        }
        if undocumented.count > listedLimit { text += "\n  … and \(undocumented.count - listedLimit) more (--format json lists all)" }
        return text
    }
}

/// `documentation` in `dqmon sla --format json` (version 1; fractions in 0...1).
struct DocumentationJSON: Encodable {
    struct Scope: Encodable {
        let scope: String
        let tier: Int?
        let documented: Int
        let total: Int
        let value: Double?
        let target: Double?
        let met: Bool?

        init(_ scope: DocumentationCoverage.Scope) {
            self.scope = scope.name
            tier = scope.tier
            documented = scope.documented
            total = scope.total
            value = jsonNumber(scope.value)
            target = jsonNumber(scope.target)
            met = scope.met
        }
    }

    struct Dataset: Encodable {
        let name: String
        let tier: Int
        let documented: Bool
        let missing: [String]
        let location: String
    }

    let tiers: [Scope]
    let overall: Scope
    let datasets: [Dataset]

    init(_ completeness: DocumentationCoverage) {
        tiers = completeness.tiers.map(Scope.init)
        overall = Scope(completeness.overall)
        datasets = completeness.datasets.map {
            Dataset(name: $0.name, tier: $0.tier, documented: $0.isDocumented, missing: $0.missing.map(\.rawValue), location: $0.location.description)
        }
    }
}
