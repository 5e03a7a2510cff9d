import Foundation

/// Everything a check needs to decide its status. Built by the engine; checks never query anything.
public struct CheckInput: Sendable {
    public let now: Date
    public let table: TableName
    public let metrics: MetricValues
    /// The observed value of this check's last `pass` or `warn` result, for `max_change`.
    public let previousObserved: Double?
    /// The dataset's columns from this run's catalog query.
    public let columns: [CatalogColumn]
    /// The dataset's latest stored schema snapshot, for checks with `usesSchemaSnapshot` (nil: none yet).
    public var previousSchema: SchemaSnapshot? = nil
    /// How the warehouse's type names normalize (its dialect's), for checks that compare types.
    public var typeNormalizer: any TypeNormalizer = PostgresTypeNormalizer()
    /// Earlier points of the metrics named by `historyMetrics`, oldest first, fetched in bulk by the engine.
    public var history: [String: [MetricSample]] = [:]
    /// Times whose points must not train a baseline (open incidents, maintenance windows).
    public var excluded: [ExcludedInterval] = []

    public init(now: Date, table: TableName, metrics: MetricValues, previousObserved: Double?, columns: [CatalogColumn] = []) {
        self.now = now
        self.table = table
        self.metrics = metrics
        self.previousObserved = previousObserved
        self.columns = columns
    }
}

/// One check type: its YAML settings and its evaluator, side by side.
///
/// A check declares the metrics it needs; the engine computes them (shared with the dataset's other
/// checks, in one query) and calls `evaluate`, a pure function of the input.
public protocol CheckSpec: Sendable {
    /// The key that introduces the check in YAML, e.g. `freshness`.
    static var typeName: String { get }
    /// The settings keys this type accepts (besides the common `name`, `description` and `runbook`).
    static var keys: [String] { get }
    /// Reads the settings, reporting problems to the fields' diagnostics.
    static func parse(_ fields: ConfigFields) -> Self?

    var metrics: [Metric] { get }
    /// Whether `evaluate` wants the previous successful observed value.
    var usesPreviousResult: Bool { get }
    /// Whether the engine should load the dataset's latest schema snapshot into `CheckInput.previousSchema`.
    var usesSchemaSnapshot: Bool { get }
    /// Metric history names whose recorded points `evaluate` needs in `CheckInput.history` (anomaly checks).
    var historyMetrics: [String] { get }
    /// How far back those points are needed, in seconds.
    var historyWindow: Double { get }
    func evaluate(_ input: CheckInput) -> CheckOutcome
    /// The outcome when the dataset's table is missing from the catalog; nil (the default) makes it an `error`.
    func evaluateMissingTable(_ input: CheckInput) -> CheckOutcome?
}

extension CheckSpec {
    public var usesPreviousResult: Bool { false }
    public var usesSchemaSnapshot: Bool { false }
    public func evaluateMissingTable(_ input: CheckInput) -> CheckOutcome? { nil }
    public var historyMetrics: [String] { [] }
    public var historyWindow: Double { 0 }
    public var requiredColumns: [String] {
        var columns: [String] = []
        for column in metrics.compactMap(\.column) where !columns.contains(column) { columns.append(column) }
        return columns
    }
}

/// The check types dqmon knows. Adding one means a new folder under Checks/ and a line here.
public enum CheckRegistry {
    public static let types: [any CheckSpec.Type] = [FreshnessCheck.self, VolumeCheck.self, SchemaCheck.self, AnomalyCheck.self]

    /// Keys every check accepts.
    public static let commonKeys = ["name", "description", "runbook"]

    public static func type(named name: String) -> (any CheckSpec.Type)? {
        types.first { $0.typeName == name }
    }

    public static var typeNames: [String] { types.map { $0.typeName } }
}
