import Foundation

/// One `exposures:` entry of a checks file: something outside the warehouse (a dashboard, a notebook, an ML model,
/// an application) that reads datasets. It has no checks; it is what a broken dataset's impact reaches, so alerts
/// and `dqmon incidents show` can say "feeds Executive Revenue Dashboard (owner exec-analytics)".
///
/// The format is dbt's exposures: `type`, `owner`, `maturity`, `url`, `description`, and `depends_on` naming datasets.
public struct ExposureConfig: Sendable, Hashable {
    public static let keys = ["name", "type", "owner", "maturity", "url", "description", "depends_on",
                              "dbt"]  // dbt: the dbt unique id of an exposure `dqmon import dbt` wrote (it rewrites those)
    public static let types = ["dashboard", "notebook", "analysis", "ml", "application"]
    public static let maturities = ["high", "medium", "low"]

    public var name: String
    public var type: String
    public var owner: String?
    /// dbt's maturity: `high` | `medium` | `low` (nil when not written).
    public var maturity: String?
    public var url: String?
    public var description: String?
    /// The datasets it reads, as written in their `name:`.
    public var dependsOn: [LineageReference]
    public var location: SourceLocation

    public init(name: String, type: String, owner: String?, maturity: String?, url: String?, description: String?,
                dependsOn: [LineageReference], location: SourceLocation) {
        self.name = name
        self.type = type
        self.owner = owner
        self.maturity = maturity
        self.url = url
        self.description = description
        self.dependsOn = dependsOn
        self.location = location
    }

    /// The tier a dataset feeding this exposure is treated as (see `LineageImpact.effectiveTier`): a high-maturity
    /// exposure counts as tier 1, medium as tier 2, low or unset as tier 3.
    public var tierEquivalent: Int {
        switch maturity {
        case "high": return 1
        case "medium": return 2
        default: return 3
        }
    }

    /// `Executive Revenue Dashboard` from `executive_revenue_dashboard`: how messages name it.
    public var displayName: String {
        name.split(separator: "_").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined(separator: " ")
    }

    /// Reads the `exposures:` list of a checks file, if it has one. Unknown top-level keys are the checks file
    /// reader's to report; this reads only its own key.
    static func parseList(in root: ConfigNode) -> [ExposureConfig] {
        guard let mapping = root.entries else { return [] }
        guard let pair = mapping.first(where: { $0.key.string == "exposures" }) else { return [] }
        let items = pair.value.items(describing: "'exposures'") ?? []
        return items.compactMap(parse)
    }

    static func parse(_ node: ConfigNode) -> ExposureConfig? {
        guard let fields = node.fields(of: "exposure", allowed: keys) else { return nil }
        let name = fields.require("name") != nil ? fields.string("name") : nil
        if name?.isEmpty == true { fields["name"]?.error("'name' is empty; name the exposure, e.g. executive_revenue_dashboard") }
        let type = fields.string("type")
        if let type, !types.contains(type) {
            fields["type"]?.error("unknown exposure type \(ConfigText.quoted(type))\(Suggestion.hint(for: type, in: types)); use one of: \(types.joined(separator: ", "))")
        }
        let maturity = fields.string("maturity")
        if let maturity, !maturities.contains(maturity) {
            fields["maturity"]?.error("unknown maturity \(ConfigText.quoted(maturity))\(Suggestion.hint(for: maturity, in: maturities)); use one of: \(maturities.joined(separator: ", "))")
        }
        let dependsOn = fields.require("depends_on").map { LineageReference.list($0, key: "depends_on") } ?? []
        guard let name, !name.isEmpty else { return nil }
        return ExposureConfig(name: name, type: type.flatMap { types.contains($0) ? $0 : nil } ?? "dashboard", owner: fields.string("owner"),
                              maturity: maturity.flatMap { maturities.contains($0) ? $0 : nil }, url: fields.string("url"),
                              description: fields.string("description"), dependsOn: dependsOn, location: node.location)
    }
}

/// A dataset name written in `upstream:` or `depends_on:`, with where it was written (for unknown names and cycles).
public struct LineageReference: Sendable, Hashable {
    public var name: String
    public var location: SourceLocation

    public init(name: String, location: SourceLocation) {
        self.name = name
        self.location = location
    }

    /// The items of a list of dataset names; empty names are errors.
    static func list(_ node: ConfigNode, key: String) -> [LineageReference] {
        guard let items = node.items(describing: "'\(key)'") else { return [] }
        return items.compactMap { item in
            guard let text = item.text(describing: "each item of '\(key)'") else { return nil }
            guard !text.isEmpty else {
                item.error("an item of '\(key)' is empty; write a dataset's name as in its 'name:'")
                return nil
            }
            return LineageReference(name: text, location: item.location)
        }
    }
}
