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
    /// How the warehouse's type names normalize (its warehouse type's), for checks that compare types.
    public var typeNormalizer: any TypeNormalizer
    /// What the check's `contextKeys` loaded for this dataset (a previous schema snapshot, a metric's history).
    public var context = CheckContext()
    /// The values of the check's `datasetMeasures`, each measured by its own statement on its table's warehouse.
    public var measured: [DatasetMeasure: MeasuredValue] = [:]

    public init(now: Date, table: TableName, metrics: MetricValues, previousObserved: Double?, columns: [CatalogColumn] = [],
                typeNormalizer: any TypeNormalizer = SpellingTypeNormalizer()) {
        self.now = now
        self.table = table
        self.metrics = metrics
        self.previousObserved = previousObserved
        self.columns = columns
        self.typeNormalizer = typeNormalizer
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

    /// The warehouse metrics `evaluate` reads, computed for the whole dataset in one query.
    var metrics: [Metric] { get }
    /// What `evaluate` reads from history besides metrics, delivered in `CheckInput.context` (default: nothing).
    var contextKeys: [any CheckContextKey.Type] { get }
    func evaluate(_ input: CheckInput) -> CheckOutcome
    /// The outcome when the dataset's table is missing from the catalog; nil (the default) makes it an `error`.
    func evaluateMissingTable(_ input: CheckInput) -> CheckOutcome?
    /// When the problem a failing or warning result reports began, if the result itself says (epoch seconds; a
    /// freshness check: the data's latest timestamp plus the threshold it crossed). nil (the default): incidents
    /// take the last passing run, or the detection time.
    func onset(of status: CheckStatus, dataTimestamp: Double?) -> Double?
    /// The thresholds of a check that measures how fresh its dataset is, for the SLA's freshness timeline
    /// (nil, the default: the check does not measure freshness).
    var freshnessThresholds: FreshnessThresholds? { get }
    /// Config errors only the whole configuration shows, e.g. a `references` check naming a dataset that does not
    /// exist or lives in another warehouse (default: none). Reported with the other config errors: nothing runs.
    func configErrors(in scope: ConfigScope) -> [ConfigError]
    /// Metrics the check reads from a table outside the dataset's one statement: another dataset's, in this
    /// warehouse or another, or its own under a filter of the check (default: none). The engine measures each by its
    /// own read-only statement on that table's warehouse and delivers it in `CheckInput.measured`; a measure that
    /// cannot be taken (an unreachable warehouse, a missing table or column) makes the check an `error` saying so.
    var datasetMeasures: [DatasetMeasure] { get }
    /// The bounded statement fetching some of the rows that made the check warn or fail (`samples: N`), run by the
    /// engine only after such a result; nil (the default): the check takes no samples.
    func failingRowsSample(over rows: DatasetRows) -> FailingRowsSample?
    /// The bounded statement listing the most frequent offending values (value, count), run by the engine only after
    /// a warn or fail and named at the end of the message; nil (the default): the message names none.
    func offendingValues(over rows: DatasetRows) -> SQLStatement?
}

/// The age limits of a freshness measure: `warn` and `fail` (either may be absent).
public struct FreshnessThresholds: Sendable, Hashable {
    public var warn: Interval?
    public var fail: Interval?

    public init(warn: Interval?, fail: Interval?) {
        self.warn = warn
        self.fail = fail
    }

    /// The threshold a result of `status` crossed: `fail` (else `warn`) for fail, `warn` for warn.
    public func breached(by status: CheckStatus) -> Interval? {
        switch status {
        case .fail: return fail ?? warn
        case .warn: return warn
        default: return nil
        }
    }
}

extension CheckSpec {
    public var contextKeys: [any CheckContextKey.Type] { [] }
    public func evaluateMissingTable(_ input: CheckInput) -> CheckOutcome? { nil }
    public func onset(of status: CheckStatus, dataTimestamp: Double?) -> Double? { nil }
    public var freshnessThresholds: FreshnessThresholds? { nil }
    public func configErrors(in scope: ConfigScope) -> [ConfigError] { [] }
    public var datasetMeasures: [DatasetMeasure] { [] }
    public func failingRowsSample(over rows: DatasetRows) -> FailingRowsSample? { nil }
    public func offendingValues(over rows: DatasetRows) -> SQLStatement? { nil }
    public var requiredColumns: [String] {
        var columns: [String] = []
        for column in metrics.flatMap(\.columns) where !columns.contains(column) { columns.append(column) }
        return columns
    }
}

/// The check types dqmon knows. Adding one means a new folder under Checks/ and a line in `builtIn`
/// (a test adds its own with `Registries.adding(check:)`).
public struct CheckRegistry: Sendable {
    public static let builtIn = CheckRegistry(types: [FreshnessCheck.self, VolumeCheck.self, SchemaCheck.self, AnomalyCheck.self,
                                                               MissingCheck.self, AcceptedValuesCheck.self, RangeCheck.self,
                                                               PatternCheck.self, DuplicatesCheck.self, ReferencesCheck.self,
                                                               SQLRuleCheck.self, CompareCheck.self])

    /// Keys every check accepts.
    public static let commonKeys = ["name", "description", "runbook"]

    public let types: [any CheckSpec.Type]

    public init(types: [any CheckSpec.Type]) { self.types = types }

    public func type(named name: String) -> (any CheckSpec.Type)? {
        types.first { $0.typeName == name }
    }

    public var typeNames: [String] { types.map { $0.typeName } }
}
