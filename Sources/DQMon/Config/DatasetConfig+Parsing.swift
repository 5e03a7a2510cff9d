import Foundation

extension DatasetConfig {
    /// Reads one dataset. Warehouse names are checked later by the loader, which knows them all.
    static func parse(_ node: ConfigNode, project: ProjectConfig) -> DatasetConfig? {
        guard let fields = node.fields(of: "dataset", allowed: keys) else { return nil }
        guard fields.require("name") != nil, let name = fields.string("name"), !name.isEmpty else { return nil }
        let tier = fields.int("tier", in: 1...3) ?? 3
        var dataset = DatasetConfig(
            name: name, table: TableName(parsing: name),
            warehouse: fields.string("warehouse") ?? project.defaultWarehouse ?? "",
            tier: tier, owner: fields.string("owner"), description: fields.string("description"),
            tags: fields.stringList("tags") ?? [], runbook: fields.string("runbook"), every: fields.interval("every"),
            timeZone: parseTimeZone(fields), sla: project.tiers[tier] ?? TierPolicy.defaults[3]!,
            checks: [], location: node.location, warehouseLocation: fields["warehouse"]?.location)
        if let sla = fields["sla"]?.fields(of: "'sla'", allowed: TierPolicy.keys) {
            dataset.sla = dataset.sla.overridden(by: sla)
        }
        if let runbook = dataset.runbook, let runbookNode = fields["runbook"] {
            ConfigLoader.checkRunbook(runbook, node: runbookNode, directory: project.directory)
        }
        if let checks = fields.require("checks")?.items(describing: "'checks'") {
            dataset.checks = checks.compactMap { CheckConfig.parse($0, dataset: name, directory: project.directory) }
        }
        return dataset
    }

    static func parseTimeZone(_ fields: ConfigFields) -> TimeZone {
        guard let identifier = fields.string("timezone") else { return TimeZone(identifier: "UTC")! }
        guard let zone = TimeZone(identifier: identifier) else {
            fields["timezone"]?.error("unknown timezone '\(identifier)' (use an IANA name such as 'UTC' or 'Europe/Berlin')")
            return TimeZone(identifier: "UTC")!
        }
        return zone
    }
}

extension CheckConfig {
    /// Reads `- type: { settings }`: a mapping with exactly one key, the check type.
    static func parse(_ node: ConfigNode, dataset: String, directory: URL) -> CheckConfig? {
        guard case .mapping(let mapping) = node.node, mapping.count == 1, let (typeNode, settingsNode) = mapping.first.map({ ($0.key, $0.value) }) else {
            node.error("each check is a mapping with one check type, e.g. '- freshness: { column: updated_at, warn_after: 2h }'")
            return nil
        }
        let typeName = typeNode.string ?? ""
        guard let type = CheckRegistry.type(named: typeName) else {
            node.child(typeNode).error("unknown check type '\(typeName)'\(Suggestion.hint(for: typeName, in: CheckRegistry.typeNames)); dqmon supports: \(CheckRegistry.typeNames.joined(separator: ", "))")
            return nil
        }
        let settings = node.child(settingsNode)
        let what = "\(typeName) check"
        let fields = settings.isNull
            ? settings.fields(of: what, allowed: [])  // reports "must be a mapping"
            : settings.fields(of: what, allowed: type.keys + CheckRegistry.commonKeys)
        guard let fields, let spec = type.parse(fields) else { return nil }
        let name = fields.string("name")
        let runbook = fields.string("runbook")
        if let runbook, let runbookNode = fields["runbook"] {
            ConfigLoader.checkRunbook(runbook, node: runbookNode, directory: directory)
        }
        return CheckConfig(
            id: makeID(dataset: dataset, type: typeName, name: name), dataset: dataset, typeName: typeName,
            name: name, description: fields.string("description"), runbook: runbook, spec: spec,
            location: node.child(typeNode).location)
    }
}
