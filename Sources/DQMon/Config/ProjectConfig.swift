import Foundation

/// Targets for one tier (`tiers:` in dqmon.yml), also usable as a dataset's own `sla:`.
public struct TierPolicy: Sendable, Hashable {
    public var freshness: Percentage
    public var availability: Percentage
    public var passRate: Percentage
    public var mttd: Interval
    public var mttr: Interval
    /// `documentation:` — the share of the tier's datasets that must be documented (`DocumentationCoverage`).
    /// Only under `tiers:`; a dataset's own `sla:` does not take it.
    public var documentation = Percentage(fraction: 0.8)

    /// Documentation targets when `tiers:` does not set them: tier 1 100%, tier 2 90%, tier 3 80%.
    public static let defaultDocumentation: [Int: Percentage] = [1: .init(fraction: 1), 2: .init(fraction: 0.9), 3: .init(fraction: 0.8)]

    public static let keys = ["freshness", "availability", "pass_rate", "mttd", "mttr"]

    public static let defaults: [Int: TierPolicy] = [
        1: TierPolicy(freshness: .init(fraction: 0.99), availability: .init(fraction: 0.995), passRate: .init(fraction: 0.995),
                      mttd: .init(seconds: 900), mttr: .init(seconds: 7_200), documentation: defaultDocumentation[1]!),
        2: TierPolicy(freshness: .init(fraction: 0.97), availability: .init(fraction: 0.98), passRate: .init(fraction: 0.98),
                      mttd: .init(seconds: 3_600), mttr: .init(seconds: 86_400), documentation: defaultDocumentation[2]!),
        3: TierPolicy(freshness: .init(fraction: 0.90), availability: .init(fraction: 0.95), passRate: .init(fraction: 0.95),
                      mttd: .init(seconds: 86_400), mttr: .init(seconds: 259_200), documentation: defaultDocumentation[3]!),
    ]

    /// This policy with the keys written in `fields` overriding it.
    func overridden(by fields: ConfigFields) -> TierPolicy {
        var policy = self
        if let value = fields.percentage("freshness") { policy.freshness = value }
        if let value = fields.percentage("availability") { policy.availability = value }
        if let value = fields.percentage("pass_rate") { policy.passRate = value }
        if let value = fields.interval("mttd") { policy.mttd = value }
        if let value = fields.interval("mttr") { policy.mttr = value }
        return policy
    }
}

/// `history:` — where runs and results are stored, and for how long.
public struct HistoryConfig: Sendable {
    public var path: URL
    public var retention: Interval
}

/// `dqmon.yml`: warehouses, history location, tier policies and the severity matrix.
public struct ProjectConfig: Sendable {
    public static let keys = ["version", "warehouses", "default_warehouse", "history", "tiers", "severity", "runbook_base_url", "incidents", "report_url"]

    /// The folder holding dqmon.yml; relative paths in config resolve against it.
    public var directory: URL
    public var warehouses: [WarehouseConfig]
    public var defaultWarehouse: String?
    public var history: HistoryConfig
    public var tiers: [Int: TierPolicy]
    public var severity: [Int: [CheckStatus: AlertSeverity]]
    public var runbookBaseURL: String?
    /// `report_url:` — where the published `dqmon report` page lives; alerts link to its `#incident-<id>` and
    /// `#dataset-<name>` anchors.
    public var reportURL: String?
    /// `incidents:` — how incidents open, reopen and resolve.
    public var incidents = IncidentSettings()
    /// Every name under `warehouses:`, valid or not; nil when dqmon.yml or its `warehouses:` could not be read.
    /// A dataset naming a declared but invalid warehouse is not reported twice.
    public var declaredWarehouseNames: Set<String>? = []

    /// Decides what `runbook:` values may point at (a URL, or a file inside this project folder).
    public var runbooks: RunbookResolver { RunbookResolver(projectDirectory: directory) }

    /// The settings used while the rest of the config is validated when dqmon.yml itself cannot be read.
    static func placeholder(directory: URL) -> ProjectConfig {
        var config = ProjectConfig(
            directory: directory, warehouses: [], defaultWarehouse: nil,
            history: HistoryConfig(path: directory.appendingPathComponent(".dqmon/history.sqlite"), retention: Interval(seconds: 400 * 86_400)),
            tiers: TierPolicy.defaults, severity: defaultSeverity, runbookBaseURL: nil)
        config.declaredWarehouseNames = nil
        return config
    }

    public static let defaultSeverity: [Int: [CheckStatus: AlertSeverity]] = [
        1: [.fail: .critical, .error: .warning, .warn: .warning],
        2: [.fail: .warning, .error: .info, .warn: .info],
        3: [.fail: .info, .error: .none, .warn: .none],
    ]

    public func warehouse(named name: String) -> WarehouseConfig? {
        warehouses.first { $0.name == name }
    }
}
