import Foundation

/// One entry of `datasets:` in a checks file: a warehouse table, who owns it, and its checks.
public struct DatasetConfig: Sendable {
    public static let keys = ["name", "warehouse", "tier", "owner", "description", "tags", "runbook", "every", "timezone", "sla", "where", "checks", "upstream", "timestamp_format",
                                  "dbt"]  // dbt: the dbt unique id of an entry `dqmon import dbt` wrote (it rewrites those)

    public var name: String
    public var table: TableName
    public var warehouse: String
    /// 1 = executive/finance, 2 = domain, 3 = exploratory (the default).
    public var tier: Int
    public var owner: String?
    public var description: String?
    public var tags: [String]
    public var runbook: String?
    /// How often the dataset's checks are due; nil means every run.
    public var every: Interval?
    /// How zone-less timestamps in this dataset are stored; UTC unless `timezone:` says otherwise.
    public var timeZone: TimeZone
    /// The dataset's own SLA targets (its tier's, overridden by `sla:`).
    public var sla: TierPolicy
    /// The dataset's `where:`: a SQL filter (trusted config, like `sql:`) every metric of the dataset applies.
    public var filter: String? = nil
    /// The dataset's `timestamp_format:`: columns whose stored form the user vouches for, read raw (see `TimestampFormat`).
    public var timestampFormats = TimestampFormats()
    public var checks: [CheckConfig]
    public var location: SourceLocation
    /// Where `warehouse:` was written, for "unknown warehouse" errors.
    public var warehouseLocation: SourceLocation?
    /// `upstream:` — the datasets this one is built from (names as in their `name:`), for lineage (Lineage/).
    public var upstream: [LineageReference] = []
    /// Whether `tier:` was written (a dataset without it is tier 3 by default, and not documented: see
    /// `DocumentationCoverage`).
    public var tierIsExplicit = false
}

/// One check of a dataset. Its id, `dataset/type[/name]`, keys its history and must be unique.
public struct CheckConfig: Sendable {
    public var id: String
    public var dataset: String
    public var typeName: String
    public var name: String?
    public var description: String?
    public var runbook: String?
    public var spec: any CheckSpec
    public var location: SourceLocation

    public static func makeID(dataset: String, type: String, name: String?) -> String {
        name.map { dataset + "/" + type + "/" + $0 } ?? dataset + "/" + type
    }
}
