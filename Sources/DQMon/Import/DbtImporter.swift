import Foundation

/// Turns a dbt manifest into dqmon datasets and exposures (`dqmon import dbt`).
///
/// - every source table and every model, seed and snapshot that is a relation becomes a dataset named as the
///   warehouse names it (`DbtDatasetNaming`), carrying the dbt unique id as `dbt:`, its owner (`config.meta.owner`,
///   else `meta.owner`, else the source's), description and tags;
/// - a source's `freshness:` with a `loaded_at_field` becomes a freshness check named `dbt` (thresholds converted
///   from count and period, `filter` as the check's `where:`);
/// - `depends_on.nodes` becomes `upstream:` (through ephemeral models, which are not relations);
/// - exposures become `exposures:` with type, owner (`name <email>`), maturity, url, description and depends_on.
///
/// What cannot be carried over is said in `notes`, never dropped silently.
public struct DbtImporter {
    public struct Options: Sendable {
        /// `warehouse:` written on every dataset (nil: the project's default warehouse applies).
        public var warehouse: String?
        /// The warehouse type the names are spelled for (`postgres`, `mysql`, `sqlite`).
        public var warehouseType: String

        public init(warehouse: String? = nil, warehouseType: String) {
            self.warehouse = warehouse
            self.warehouseType = warehouseType
        }
    }

    public struct Result: Sendable {
        public var datasets: [GeneratedEntry]
        public var exposures: [GeneratedEntry]
        public var notes: [String]
    }

    let manifest: DbtManifest
    let options: Options

    public init(manifest: DbtManifest, options: Options) {
        self.manifest = manifest
        self.options = options
    }

    public func convert() -> Result {
        var notes: [String] = []
        let names = datasetNames(notes: &notes)
        var datasets: [GeneratedEntry] = []
        for source in manifest.sources.values.sorted(by: { $0.uniqueID < $1.uniqueID }) where source.config?.enabled != false {
            guard let name = names[source.uniqueID] else { continue }
            datasets.append(dataset(for: source, named: name, notes: &notes))
        }
        for node in manifest.nodes.values.sorted(by: { $0.uniqueID < $1.uniqueID }) where node.isRelation {
            guard let name = names[node.uniqueID] else { continue }
            datasets.append(dataset(for: node, named: name, names: names))
        }
        let exposures = manifest.exposures.values.sorted(by: { $0.uniqueID < $1.uniqueID }).map { exposure(for: $0, names: names, notes: &notes) }
        return Result(datasets: datasets, exposures: exposures, notes: notes)
    }

    /// unique id → dataset name, for every relation; a second relation with a name already taken is left out.
    func datasetNames(notes: inout [String]) -> [String: String] {
        var names: [String: String] = [:]
        var owners: [String: String] = [:]
        let relations: [(String, String?, String)] =
            manifest.sources.values.filter { $0.config?.enabled != false }.map { ($0.uniqueID, $0.schema, $0.identifier ?? $0.name) }
            + manifest.nodes.values.filter(\.isRelation).map { ($0.uniqueID, $0.schema, $0.alias ?? $0.name) }
        for (id, schema, identifier) in relations.sorted(by: { $0.0 < $1.0 }) {
            let name = DbtDatasetNaming.name(schema: schema, identifier: identifier, warehouseType: options.warehouseType)
            if let first = owners[name] {
                notes.append("\(id) is the relation \(name), like \(first): only \(first) was imported")
                continue
            }
            owners[name] = id
            names[id] = name
        }
        return names
    }

    func dataset(for source: DbtManifest.Source, named name: String, notes: inout [String]) -> GeneratedEntry {
        var fields = commonFields(owner: source.owner, description: source.description, tags: source.tags ?? [])
        var checks: [GeneratedCheck] = []
        if let check = freshnessCheck(for: source, notes: &notes) { checks.append(check) }
        return GeneratedEntry(name: name, marker: source.uniqueID, fields: fields, checks: checks)
    }

    func dataset(for node: DbtManifest.Node, named name: String, names: [String: String]) -> GeneratedEntry {
        var fields = commonFields(owner: node.owner, description: node.description, tags: node.allTags)
        fields.append(GeneratedEntry.Field("upstream", YAMLText.flowList(upstream(of: node.dependsOn?.nodes ?? [], names: names))))
        return GeneratedEntry(name: name, marker: node.uniqueID, fields: fields, checks: [])
    }

    func commonFields(owner: String?, description: String?, tags: [String]) -> [GeneratedEntry.Field] {
        var fields: [GeneratedEntry.Field] = []
        if let warehouse = options.warehouse { fields.append(.init("warehouse", YAMLText.scalar(warehouse))) }
        if let owner = owner?.trimmed, !owner.isEmpty { fields.append(.init("owner", YAMLText.scalar(owner))) }
        if let description = description?.trimmed, !description.isEmpty { fields.append(.init("description", YAMLText.scalar(description))) }
        let tags = orderedUnique(tags.map(\.trimmed).filter { !$0.isEmpty })
        if !tags.isEmpty { fields.append(.init("tags", YAMLText.flowList(tags))) }
        return fields
    }

    /// The dataset names of `dependencies`, looking through ephemeral models (and skipping tests, macros…).
    func upstream(of dependencies: [String], names: [String: String]) -> [String] {
        var result: [String] = []
        var visited = Set<String>()
        var pending = dependencies
        while let id = pending.first {
            pending.removeFirst()
            guard visited.insert(id).inserted else { continue }
            if let name = names[id] {
                result.append(name)
            } else if let node = manifest.nodes[id], node.resourceType == "model", !node.isRelation {
                pending += node.dependsOn?.nodes ?? []
            }
        }
        return orderedUnique(result)
    }

    func freshnessCheck(for source: DbtManifest.Source, notes: inout [String]) -> GeneratedCheck? {
        guard let freshness = source.effectiveFreshness else { return nil }
        let warn = threshold(freshness.warnAfter, "warn_after", source: source.uniqueID, notes: &notes)
        let error = threshold(freshness.errorAfter, "error_after", source: source.uniqueID, notes: &notes)
        guard warn != nil || error != nil else { return nil }
        guard let column = source.effectiveLoadedAtField?.trimmed, !column.isEmpty else {
            notes.append("\(source.uniqueID): freshness has no loaded_at_field (dbt then reads warehouse metadata, which dqmon does not): no freshness check")
            return nil
        }
        if let warn, let error, warn >= error {
            notes.append("\(source.uniqueID): warn_after (\(warn)) is not shorter than error_after (\(error)): only error_after was imported")
            return freshnessLine(column: column, warn: nil, error: error, filter: freshness.filter)
        }
        return freshnessLine(column: column, warn: warn, error: error, filter: freshness.filter)
    }

    func freshnessLine(column: String, warn: Interval?, error: Interval?, filter: String?) -> GeneratedCheck {
        var pairs: [(String, String)] = [("name", "dbt"), ("column", YAMLText.scalar(column))]
        if let warn { pairs.append(("warn_after", warn.description)) }
        if let error { pairs.append(("error_after", error.description)) }
        if let filter = filter?.trimmed, !filter.isEmpty { pairs.append(("where", YAMLText.scalar(filter))) }
        return GeneratedCheck("freshness: " + YAMLText.flowMapping(pairs))
    }

    /// `{count: 2, period: hour}` as an interval; nil (with a note when it was meant to be one) otherwise.
    func threshold(_ time: DbtManifest.Time?, _ key: String, source: String, notes: inout [String]) -> Interval? {
        guard let time, let count = time.count, let period = time.period else { return nil }
        let seconds: Int? = switch period {
        case "minute": 60
        case "hour": 3_600
        case "day": 86_400
        default: nil
        }
        guard let seconds else {
            notes.append("\(source): \(key) period \(ConfigText.quoted(period)) is not minute, hour or day: left out")
            return nil
        }
        let (total, overflow) = count.multipliedReportingOverflow(by: seconds)
        guard count > 0, !overflow, Double(total) <= Interval.maximum.seconds else {
            notes.append("\(source): \(key) of \(count) \(period)s is not between 1 \(period) and \(Interval.maximum): left out")
            return nil
        }
        return Interval(seconds: Double(total))
    }

    func exposure(for exposure: DbtManifest.Exposure, names: [String: String], notes: inout [String]) -> GeneratedEntry {
        var fields: [GeneratedEntry.Field] = []
        if let type = exposure.type?.trimmed, !type.isEmpty { fields.append(.init("type", YAMLText.scalar(type))) }
        if let owner = ownerText(exposure.owner) { fields.append(.init("owner", YAMLText.scalar(owner))) }
        if let maturity = exposure.maturity?.trimmed, !maturity.isEmpty { fields.append(.init("maturity", YAMLText.scalar(maturity))) }
        if let url = exposure.url?.trimmed, !url.isEmpty { fields.append(.init("url", YAMLText.scalar(url))) }
        if let description = exposure.description?.trimmed, !description.isEmpty { fields.append(.init("description", YAMLText.scalar(description))) }
        let dependencies = upstream(of: exposure.dependsOn?.nodes ?? [], names: names)
        fields.append(.init("depends_on", YAMLText.flowList(dependencies)))
        return GeneratedEntry(name: exposure.name, marker: exposure.uniqueID, fields: fields)
    }

    /// `Exec Analytics <exec@example.com>`, or whichever of name and email dbt has.
    func ownerText(_ owner: DbtManifest.Owner?) -> String? {
        let name = owner?.name?.trimmed.nonEmpty
        let email = owner?.email?.trimmed.nonEmpty
        switch (name, email) {
        case let (name?, email?): return "\(name) <\(email)>"
        case let (name?, nil): return name
        case let (nil, email?): return email
        default: return nil
        }
    }
}

/// How a dbt relation is named as a dqmon dataset, per warehouse type: `schema.table` for PostgreSQL and MySQL (the
/// database is the warehouse's connection), `table` for SQLite's `main` schema.
public enum DbtDatasetNaming {
    public static func name(schema: String?, identifier: String, warehouseType: String) -> String {
        guard let schema = schema?.trimmed.nonEmpty else { return identifier }
        if warehouseType == "sqlite", schema == "main" { return identifier }
        return "\(schema).\(identifier)"
    }
}

extension String {
    fileprivate var trimmed: String { trimmingCharacters(in: .whitespacesAndNewlines) }
    fileprivate var nonEmpty: String? { isEmpty ? nil : self }
}
