import Foundation

/// Something a check type reads besides its metrics, loaded from history by the engine before evaluation: the
/// dataset's previous schema snapshot, the recorded points of a metric. A check lists the keys it needs
/// (`CheckSpec.contextKeys`) and reads their values from `CheckInput.context`, so a new check type declares its key
/// in its own folder and adds no field to a shared type.
///
/// `load` runs once per warehouse and run, for every due dataset with a check that lists the key: one query, not one
/// per dataset. A thrown error makes exactly the checks that need the key an `error` that says so.
public protocol CheckContextKey: Sendable {
    associatedtype Value: Sendable
    /// The value for each dataset of `request` that has one, by dataset name (absent: none yet, e.g. a first run).
    static func load(_ request: CheckContextRequest) throws(HistoryError) -> [String: Value]
}

/// What a `CheckContextKey` loads for: the due datasets whose checks list the key (with those checks only).
public struct CheckContextRequest: Sendable {
    public let datasets: [(dataset: DatasetConfig, checks: [CheckConfig])]
    public let history: HistoryStore
    public let now: Date
    /// The configured maintenance windows (`alerts/*.yml`), for keys whose values leave them out (anomaly training).
    public var maintenance: [MaintenanceWindow] = []
}

/// The loaded context of one dataset's run, by key type. Values are typed: `input.context[PreviousSchema.self]`.
public struct CheckContext: Sendable {
    private var values: [ObjectIdentifier: any Sendable] = [:]

    public init() {}

    public subscript<Key: CheckContextKey>(_ key: Key.Type) -> Key.Value? {
        get { values[ObjectIdentifier(key)] as? Key.Value }
        set { values[ObjectIdentifier(key)] = newValue }
    }
}

/// The engine's side: loads every key that due checks list, for one warehouse's datasets.
struct CheckContextLoader {
    /// Context by dataset name, and the error message of each key that could not be loaded.
    struct Loaded: Sendable {
        var contexts: [String: CheckContext] = [:]
        var failures: [ObjectIdentifier: String] = [:]

        /// The first failure among the keys `spec` lists, if any.
        func failure(for spec: any CheckSpec) -> String? {
            spec.contextKeys.lazy.compactMap { failures[ObjectIdentifier($0)] }.first
        }
    }

    static func load(for datasets: [(DatasetConfig, [CheckConfig])], history: HistoryStore, now: Date,
                     maintenance: [MaintenanceWindow] = []) -> Loaded {
        var keys: [ObjectIdentifier: any CheckContextKey.Type] = [:]
        for check in datasets.flatMap(\.1) {
            for key in check.spec.contextKeys { keys[ObjectIdentifier(key)] = key }
        }
        var loaded = Loaded()
        for key in keys.values.sorted(by: { String(describing: $0) < String(describing: $1) }) {
            load(key, for: datasets, history: history, now: now, maintenance: maintenance, into: &loaded)
        }
        return loaded
    }

    private static func load<Key: CheckContextKey>(_ key: Key.Type, for datasets: [(DatasetConfig, [CheckConfig])],
                                                   history: HistoryStore, now: Date, maintenance: [MaintenanceWindow],
                                                   into loaded: inout Loaded) {
        let wanting = datasets.compactMap { dataset, checks -> (dataset: DatasetConfig, checks: [CheckConfig])? in
            let needing = checks.filter { $0.spec.contextKeys.contains { ObjectIdentifier($0) == ObjectIdentifier(key) } }
            return needing.isEmpty ? nil : (dataset, needing)
        }
        do {
            var request = CheckContextRequest(datasets: wanting, history: history, now: now)
            request.maintenance = maintenance
            let values = try Key.load(request)
            for (dataset, value) in values { loaded.contexts[dataset, default: CheckContext()][key] = value }
        } catch {
            loaded.failures[ObjectIdentifier(key)] = error.description
        }
    }
}
