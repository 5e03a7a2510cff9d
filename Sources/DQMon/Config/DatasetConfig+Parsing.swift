import Foundation

extension DatasetConfig {
    /// Reads one dataset. Warehouse names are checked later by the loader, which knows them all.
    ///
    /// A bad or missing `name` does not stop the rest from being read: its checks are still validated (under a
    /// placeholder name) so that every error shows at once, and then the dataset is dropped.
    static func parse(_ node: ConfigNode, project: ProjectConfig, runbooks: RunbookResolver? = nil,
                      checkTypes: CheckRegistry = Registries.current.checks) -> DatasetConfig? {
        guard let fields = node.fields(of: "dataset", allowed: keys) else { return nil }
        let name = fields.require("name") != nil ? fields.string("name") : nil
        if name?.isEmpty == true { fields["name"]?.error("'name' is empty; write the table as the warehouse names it, e.g. analytics.orders") }
        let validName = name.flatMap { $0.isEmpty ? nil : $0 }
        let shownName = validName ?? "?"
        let tier = fields.int("tier", in: 1...3) ?? 3
        var dataset = DatasetConfig(
            name: shownName, table: TableName(parsing: shownName),
            warehouse: fields.string("warehouse") ?? project.defaultWarehouse ?? "",
            tier: tier, owner: fields.string("owner"), description: fields.string("description"),
            tags: fields.stringList("tags") ?? [], runbook: fields.string("runbook"), every: fields.interval("every"),
            timeZone: parseTimeZone(fields), sla: project.tiers[tier] ?? TierPolicy.defaults[3]!,
            checks: [], location: node.location, warehouseLocation: fields["warehouse"]?.location)
        dataset.filter = RowFilter.parse(fields)
        dataset.timestampFormats = TimestampFormats.parse(fields, timeZone: dataset.timeZone)
        dataset.upstream = fields["upstream"].map { LineageReference.list($0, key: "upstream") } ?? []
        dataset.tierIsExplicit = fields["tier"] != nil
        if let sla = fields["sla"]?.fields(of: "'sla'", allowed: TierPolicy.keys) {
            dataset.sla = dataset.sla.overridden(by: sla)
        }
        let runbooks = runbooks ?? project.runbooks
        if let runbook = dataset.runbook, let runbookNode = fields["runbook"] {
            ConfigLoader.checkRunbook(runbook, node: runbookNode, resolver: runbooks)
        }
        if let checks = fields.require("checks") {
            dataset.checks = checkItems(checks).compactMap { item in
                switch item {
                case .listItem(let node): CheckConfig.parse(node, dataset: shownName, runbooks: runbooks, checkTypes: checkTypes)
                case .entry(let type, let settings):
                    CheckConfig.parse(type: type, settings: settings, dataset: shownName, runbooks: runbooks, checkTypes: checkTypes)
                }
            }
        }
        return validName == nil ? nil : dataset
    }

    /// The checks as list items. A mapping (`checks: { freshness: {…} }`) is an error, but each of its entries is
    /// still read as the check it would be in a list, so the checks' own errors show in the same pass.
    static func checkItems(_ node: ConfigNode) -> [CheckItem] {
        guard let mapping = node.entries else { return (node.items(describing: "'checks'") ?? []).map(CheckItem.listItem) }
        node.error("'checks' must be a list, not a mapping: start each check with '- ', e.g. '- freshness: { column: updated_at, warn_after: 2h }'")
        return mapping.map { CheckItem.entry(type: $0.key, settings: $0.value) }
    }

    /// One check as written: an item of the `checks:` list (a mapping that should hold one check type), or one entry of
    /// a `checks:` mapping (already reported), read as the one-entry list item it would be.
    enum CheckItem {
        case listItem(ConfigNode)
        case entry(type: ConfigNode, settings: ConfigNode)
    }

    /// The zone of a dataset without `timezone:` (made once, not per dataset).
    private static let utc = TimeZone(identifier: "UTC")!

    static func parseTimeZone(_ fields: ConfigFields) -> TimeZone {
        guard let identifier = fields.string("timezone") else { return utc }
        guard let zone = TimeZone(identifier: identifier) else {
            fields["timezone"]?.error("unknown timezone '\(identifier)' (use an IANA name such as 'UTC' or 'Europe/Berlin')")
            return utc
        }
        return zone
    }
}

extension CheckConfig {
    /// Reads `- type: { settings }`: a mapping with exactly one key, the check type.
    static func parse(_ node: ConfigNode, dataset: String, runbooks: RunbookResolver,
                      checkTypes: CheckRegistry = Registries.current.checks) -> CheckConfig? {
        guard let mapping = node.entries, mapping.count == 1, let (typeNode, settings) = mapping.first else {
            node.error("each check is a mapping with one check type, e.g. '- freshness: { column: updated_at, warn_after: 2h }'")
            return nil
        }
        return parse(type: typeNode, settings: settings, dataset: dataset, runbooks: runbooks, checkTypes: checkTypes)
    }

    /// Reads `type: { settings }`, the one entry of a check's mapping.
    static func parse(type typeNode: ConfigNode, settings: ConfigNode, dataset: String, runbooks: RunbookResolver,
                      checkTypes: CheckRegistry = Registries.current.checks) -> CheckConfig? {
        let typeName = typeNode.string ?? ""
        guard let type = checkTypes.type(named: typeName) else {
            typeNode.error("unknown check type \(ConfigText.quoted(typeName))\(Suggestion.hint(for: typeName, in: checkTypes.typeNames)); dqmon supports: \(checkTypes.typeNames.joined(separator: ", "))")
            return nil
        }
        let what = "\(typeName) check"
        let fields = settings.isNull
            ? settings.fields(of: what, allowed: [])  // reports "must be a mapping"
            : settings.fields(of: what, allowed: type.keys, alsoAllowed: CheckRegistry.commonKeys)
        guard let fields else { return nil }
        // The common keys first, so their errors show even when the type's own settings are wrong.
        let name = fields.string("name")
        let description = fields.string("description")
        let runbook = fields.string("runbook")
        if let runbook, let runbookNode = fields["runbook"] {
            ConfigLoader.checkRunbook(runbook, node: runbookNode, resolver: runbooks)
        }
        guard let spec = type.parse(fields) else { return nil }
        return CheckConfig(
            id: makeID(dataset: dataset, type: typeName, name: name), dataset: dataset, typeName: typeName,
            name: name, description: description, runbook: runbook, spec: spec,
            location: typeNode.location)
    }
}
