import Foundation

/// What a check's whole-configuration validation (`CheckSpec.configErrors(in:)`) can see: every dataset, the one the
/// check belongs to, and the warehouses dqmon.yml defines. A new check type that validates against more of the
/// configuration gets a field here, not a new parameter on every implementation.
public struct ConfigScope: Sendable {
    public let datasets: [DatasetConfig]
    public let checkedDataset: DatasetConfig
    /// The names under `warehouses:` in dqmon.yml.
    public let warehouseNames: [String]

    public init(datasets: [DatasetConfig], checkedDataset: DatasetConfig, warehouseNames: [String]) {
        self.datasets = datasets
        self.checkedDataset = checkedDataset
        self.warehouseNames = warehouseNames
    }
}

/// One metric of one table, measured by a statement of its own on that table's warehouse: how a check reads another
/// dataset (in the same warehouse or another one), or its own rows under a filter of the check, outside the dataset's
/// one statement. Checks list them in `CheckSpec.datasetMeasures`; the engine measures each and hands the values to
/// `evaluate` in `CheckInput.measured`, so checks still never query anything.
public struct DatasetMeasure: Sendable, Hashable, CustomStringConvertible {
    /// Whose table the metric reads.
    public enum Source: Sendable, Hashable {
        /// The dataset the check belongs to.
        case checked
        /// A dataset of the configuration, by `name:` (its table, warehouse, `where:` and timezone apply).
        case dataset(String)
        /// A table no dataset describes, in `warehouse` (nil: the checked dataset's warehouse).
        case table(TableName, warehouse: String?)
    }

    public let source: Source
    /// `rowCount`, `maxTimestamp` or a check type's `aggregate`: planned by `MetricQuery` like any metric.
    public let metric: Metric
    /// The check's own `where:` for this side (trusted SQL), ANDed with the source dataset's `where:`.
    public let filter: String?

    public init(source: Source, metric: Metric, filter: String? = nil) {
        self.source = source
        self.metric = metric
        self.filter = filter
    }

    public var description: String { "\(metric)" + (filter.map { " where \($0)" } ?? "") }
}

/// A measured value and where it was measured, for messages: `orders_copy (warehouse 'replica')`.
public struct MeasuredValue: Sendable, Hashable {
    /// nil is SQL NULL (the max of no rows).
    public let value: Double?
    public let place: String

    public init(value: Double?, place: String) {
        self.value = value
        self.place = place
    }
}
