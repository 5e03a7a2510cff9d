import Foundation

/// The whole loaded configuration: dqmon.yml plus every checks/*.yml, validated together.
public struct Configuration: Sendable {
    public var project: ProjectConfig
    public var datasets: [DatasetConfig]
    /// A hash of the config files' text, stored with every run so results can be tied to a config version.
    public var hash: String
    /// alerts/*.yml: receivers, routes, maintenance windows (empty without an alerts/ folder).
    public var alerts: AlertsConfig = .empty
    /// `exposures:` of every checks file: dashboards, reports and models that read datasets.
    public var exposures: [ExposureConfig] = []
    /// Declared lineage (`upstream:` and exposures), validated: no cycles, no unknown names.
    public var lineage: LineageGraph = .empty

    public var checks: [CheckConfig] { datasets.flatMap(\.checks) }

    public func dataset(named name: String) -> DatasetConfig? {
        datasets.first { $0.name == name }
    }

    public func check(id: String) -> (dataset: DatasetConfig, check: CheckConfig)? {
        for dataset in datasets {
            if let check = dataset.checks.first(where: { $0.id == id }) { return (dataset, check) }
        }
        return nil
    }
}
