import Foundation

/// The parts of a dbt `target/manifest.json` that `dqmon import dbt` reads: sources (with their freshness rules),
/// the nodes that are relations (models, seeds, snapshots), exposures, and who owns what.
///
/// Decoded leniently: every field dqmon does not need is ignored and most fields may be absent or null, since
/// manifest schemas v9 (dbt 1.5) to v12 (dbt 1.8 and later) differ in what they fill in. A field that is present
/// with the wrong JSON type is an error naming its JSON path (`DbtManifestReader`).
public struct DbtManifest: Sendable, Decodable {
    public var metadata: Metadata
    public var nodes: [String: Node]
    public var sources: [String: Source]
    public var exposures: [String: Exposure]

    public struct Metadata: Sendable, Decodable {
        public var dbtSchemaVersion: String?
        public var dbtVersion: String?
        public var adapterType: String?

        enum CodingKeys: String, CodingKey {
            case dbtSchemaVersion = "dbt_schema_version", dbtVersion = "dbt_version", adapterType = "adapter_type"
        }
    }

    /// A model, seed, snapshot (or test, analysis…: those are skipped) in `nodes`.
    public struct Node: Sendable, Decodable {
        public var uniqueID: String
        public var resourceType: String
        public var name: String
        public var schema: String?
        public var alias: String?
        public var description: String?
        public var tags: [String]?
        public var meta: Meta?
        public var config: NodeConfig?
        public var dependsOn: DependsOn?

        enum CodingKeys: String, CodingKey {
            case uniqueID = "unique_id", resourceType = "resource_type", name, schema, alias, description, tags, meta, config
            case dependsOn = "depends_on"
        }
    }

    public struct NodeConfig: Sendable, Decodable {
        public var meta: Meta?
        public var tags: TagList?
        public var materialized: String?
        public var enabled: Bool?
    }

    /// A table of a dbt source, with its freshness rule (at the top level in v9–v11, also under `config` in v12).
    public struct Source: Sendable, Decodable {
        public var uniqueID: String
        public var name: String
        public var sourceName: String?
        public var schema: String?
        public var identifier: String?
        public var description: String?
        public var loadedAtField: String?
        public var freshness: Freshness?
        public var tags: [String]?
        public var meta: Meta?
        public var sourceMeta: Meta?
        public var config: SourceConfig?

        enum CodingKeys: String, CodingKey {
            case uniqueID = "unique_id", name, sourceName = "source_name", schema, identifier, description
            case loadedAtField = "loaded_at_field", freshness, tags, meta, sourceMeta = "source_meta", config
        }
    }

    public struct SourceConfig: Sendable, Decodable {
        public var meta: Meta?
        public var freshness: Freshness?
        public var loadedAtField: String?
        public var enabled: Bool?

        enum CodingKeys: String, CodingKey {
            case meta, freshness, loadedAtField = "loaded_at_field", enabled
        }
    }

    /// dbt's `freshness:` block: thresholds as count and period, and a SQL filter for the freshness query.
    public struct Freshness: Sendable, Decodable {
        public var warnAfter: Time?
        public var errorAfter: Time?
        public var filter: String?

        enum CodingKeys: String, CodingKey {
            case warnAfter = "warn_after", errorAfter = "error_after", filter
        }
    }

    /// `{count: 2, period: hour}`; dbt writes `{count: null, period: null}` for "no threshold".
    public struct Time: Sendable, Decodable {
        public var count: Int?
        public var period: String?
    }

    /// An exposure: a dashboard, notebook, application… that reads from models.
    public struct Exposure: Sendable, Decodable {
        public var uniqueID: String
        public var name: String
        public var type: String?
        public var owner: Owner?
        public var maturity: String?
        public var url: String?
        public var description: String?
        public var dependsOn: DependsOn?

        enum CodingKeys: String, CodingKey {
            case uniqueID = "unique_id", name, type, owner, maturity, url, description, dependsOn = "depends_on"
        }
    }

    public struct Owner: Sendable, Decodable {
        public var name: String?
        public var email: String?
    }

    public struct DependsOn: Sendable, Decodable {
        public var nodes: [String]?
    }

    /// A `meta` mapping: free-form, of which dqmon reads `owner` (a string, or a list of strings joined by ", ";
    /// any other JSON there is ignored rather than an error, since dbt does not constrain `meta`).
    public struct Meta: Sendable, Decodable {
        public var owner: String?

        enum CodingKeys: String, CodingKey { case owner }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            if let text = try? container.decodeIfPresent(String.self, forKey: .owner) {
                owner = text
            } else if let list = try? container.decodeIfPresent([String].self, forKey: .owner) {
                owner = list.joined(separator: ", ")
            }
        }
    }

    /// `config.tags`: dbt accepts a string or a list.
    public struct TagList: Sendable, Decodable {
        public var tags: [String]

        public init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let single = try? container.decode(String.self) {
                tags = [single]
            } else {
                tags = try container.decode([String].self)
            }
        }
    }

    enum CodingKeys: String, CodingKey { case metadata, nodes, sources, exposures }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        metadata = try container.decode(Metadata.self, forKey: .metadata)
        nodes = try container.decodeIfPresent([String: Node].self, forKey: .nodes) ?? [:]
        sources = try container.decodeIfPresent([String: Source].self, forKey: .sources) ?? [:]
        exposures = try container.decodeIfPresent([String: Exposure].self, forKey: .exposures) ?? [:]
    }
}

extension DbtManifest.Source {
    /// v12 keeps the rule under `config` too; the top level wins where both are set (older manifests have only it).
    public var effectiveFreshness: DbtManifest.Freshness? { freshness ?? config?.freshness }
    public var effectiveLoadedAtField: String? { loadedAtField ?? config?.loadedAtField }
    /// `config.meta.owner`, else the table's `meta.owner`, else the source's `meta.owner`.
    public var owner: String? { config?.meta?.owner ?? meta?.owner ?? sourceMeta?.owner }
}

extension DbtManifest.Node {
    /// The node is a relation in the warehouse that checks can read (ephemeral models are not).
    public var isRelation: Bool {
        ["model", "seed", "snapshot"].contains(resourceType) && config?.materialized != "ephemeral"
    }

    public var owner: String? { config?.meta?.owner ?? meta?.owner }
    public var allTags: [String] { orderedUnique((tags ?? []) + (config?.tags?.tags ?? [])) }
}

/// The elements of `values` in order, each once.
func orderedUnique(_ values: [String]) -> [String] {
    var seen = Set<String>()
    return values.filter { seen.insert($0).inserted }
}
