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

/// A configuration's datasets by name and checks by id, built once for code that looks many of them up: a run's
/// alerts look up one check and one dataset per incident change, and `Configuration.dataset(named:)` and
/// `check(id:)` scan the lists (on a 1,000-dataset, 5,000-check project, a run opening 245 incidents spent ~10% of
/// its CPU in those scans). The first dataset or check of a name wins, as in the scans.
public struct ConfigurationIndex: Sendable {
    private let datasets: [DatasetConfig]
    /// Positions in `datasets`, and in its `checks`: no dataset is copied per entry (a copy retains each of its fields).
    private let datasetPositions: [String: Int]
    private let checkPositions: [String: (dataset: Int, check: Int)]

    public init(_ configuration: Configuration) {
        var datasetPositions: [String: Int] = [:], checkPositions: [String: (dataset: Int, check: Int)] = [:]
        datasetPositions.reserveCapacity(configuration.datasets.count)
        for (datasetIndex, dataset) in configuration.datasets.enumerated() {
            if datasetPositions[dataset.name] == nil { datasetPositions[dataset.name] = datasetIndex }
            for (checkIndex, check) in dataset.checks.enumerated() where checkPositions[check.id] == nil {
                checkPositions[check.id] = (datasetIndex, checkIndex)
            }
        }
        self.datasets = configuration.datasets
        self.datasetPositions = datasetPositions
        self.checkPositions = checkPositions
    }

    public func dataset(named name: String) -> DatasetConfig? { datasetPositions[name].map { datasets[$0] } }

    public func check(id: String) -> (dataset: DatasetConfig, check: CheckConfig)? {
        checkPositions[id].map { (datasets[$0.dataset], datasets[$0.dataset].checks[$0.check]) }
    }
}
