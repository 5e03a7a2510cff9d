import Foundation

extension ProjectConfig {
    /// Reads dqmon.yml's root mapping. Problems go to the node's diagnostics; defaults fill what is absent.
    static func parse(_ root: ConfigNode, directory: URL) -> ProjectConfig {
        var config = ProjectConfig.placeholder(directory: directory)
        guard let fields = root.fields(of: "dqmon.yml", allowed: keys) else { return config }
        config.declaredWarehouseNames = []
        ConfigLoader.checkVersion(fields)
        if let warehouses = fields["warehouses"] {
            config.warehouses = parseWarehouses(warehouses, directory: directory)
            config.declaredWarehouseNames = declaredNames(warehouses)
        }
        if let name = fields.string("default_warehouse") {
            let declaredButInvalid = config.declaredWarehouseNames.map { $0.contains(name) } ?? true
            if config.warehouse(named: name) == nil, !declaredButInvalid {
                fields["default_warehouse"]?.error("default_warehouse '\(name)' is not defined under 'warehouses'\(Suggestion.hint(for: name, in: config.warehouses.map(\.name)))")
            }
            config.defaultWarehouse = name
        } else if config.warehouses.count == 1 {
            config.defaultWarehouse = config.warehouses[0].name
        }
        if let history = fields["history"] { config.history = parseHistory(history, defaults: config.history, directory: directory) }
        if let tiers = fields["tiers"] { parseTiers(tiers, into: &config.tiers) }
        if let severity = fields["severity"] { parseSeverity(severity, into: &config.severity) }
        config.runbookBaseURL = parseRunbookBaseURL(fields)
        config.reportURL = parseReportURL(fields)
        if let incidents = fields["incidents"] { config.incidents = IncidentSettings.parse(incidents) }
        return config
    }

    /// The names written under `warehouses:`, or nil when it is not a mapping (then none can be judged).
    static func declaredNames(_ node: ConfigNode) -> Set<String>? {
        guard let mapping = node.entries else { return nil }
        return Set(mapping.map { $0.key.string ?? "" })
    }

    /// `runbook_base_url:` must be an http(s) URL with a host: file runbooks become links under it.
    static func parseRunbookBaseURL(_ fields: ConfigFields) -> String? {
        guard let text = fields.string("runbook_base_url") else { return nil }
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
              ["http", "https"].contains(scheme), components.host?.isEmpty == false else {
            fields["runbook_base_url"]?.error("'runbook_base_url' must be an http(s) URL such as https://github.com/acme/monitoring/blob/main/, got \(ConfigText.quoted(text))")
            return nil
        }
        return text
    }

    /// `report_url:` must be an http(s) URL with a host and no fragment: alerts append `#incident-<id>` to it.
    static func parseReportURL(_ fields: ConfigFields) -> String? {
        guard let text = fields.string("report_url") else { return nil }
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
              ["http", "https"].contains(scheme), components.host?.isEmpty == false, components.fragment == nil else {
            fields["report_url"]?.error("'report_url' must be an http(s) URL without '#', such as https://data.example.com/dqmon/report.html, got \(ConfigText.quoted(text))")
            return nil
        }
        return text
    }

    static func parseWarehouses(_ node: ConfigNode, directory: URL) -> [WarehouseConfig] {
        guard let mapping = node.entries else {
            node.error("'warehouses' must be a mapping of names to settings, e.g. demo: { type: sqlite, path: demo.sqlite }")
            return []
        }
        var result: [WarehouseConfig] = []
        for (key, value) in mapping {
            let name = key.string ?? ""
            guard !result.contains(where: { $0.name == name }) else {
                key.error("duplicate warehouse '\(name)'")
                continue
            }
            if let settings = parseWarehouse(name: name, node: value, directory: directory) {
                result.append(WarehouseConfig(name: name, settings: settings, location: key.location))
            }
        }
        return result
    }

    static func parseWarehouse(name: String, node: ConfigNode, directory: URL) -> (any WarehouseSettings)? {
        guard node.kind == .mapping else {
            node.error("warehouse '\(name)' must be a mapping such as { type: sqlite, path: demo.sqlite }")
            return nil
        }
        let allKeys = Set(Registries.current.warehouses.types.flatMap { $0.keys } + ["type"])
        guard let probe = node.fields(of: "warehouse '\(name)'", allowed: Array(allKeys)) else { return nil }
        guard probe.require("type") != nil, let typeName = probe.string("type") else { return nil }
        guard let type = Registries.current.warehouses.type(named: typeName) else {
            probe["type"]?.error("unknown warehouse type '\(typeName)'\(Suggestion.hint(for: typeName, in: Registries.current.warehouses.typeNames)); dqmon supports: \(Registries.current.warehouses.typeNames.joined(separator: ", "))")
            return nil
        }
        for key in probe.order where key != "type" && !type.keys.contains(key) {
            node.diagnostics.report("key '\(key)' does not apply to a \(typeName) warehouse (it takes: \(type.keys.joined(separator: ", ")))", at: probe.keyLocation(key))
        }
        return type.parse(probe.restricted(to: type.keys + ["type"]), directory: directory)
    }

    static func parseHistory(_ node: ConfigNode, defaults: HistoryConfig, directory: URL) -> HistoryConfig {
        var history = defaults
        guard let fields = node.fields(of: "'history'", allowed: ["path", "retention"]) else { return history }
        if let path = fields.string("path") { history.path = URL(fileURLWithPath: path, relativeTo: directory).standardizedFileURL }
        if let retention = fields.interval("retention") { history.retention = retention }
        return history
    }

    static func parseTiers(_ node: ConfigNode, into tiers: inout [Int: TierPolicy]) {
        guard let fields = node.fields(of: "'tiers'", allowed: ["1", "2", "3"]) else { return }
        for key in fields.order {
            guard let tier = Int(key), let tierFields = fields[key]?.fields(of: "tier \(key)", allowed: TierPolicy.keys + ["documentation"]) else { continue }
            tiers[tier] = tiers[tier, default: TierPolicy.defaults[3]!].overridden(by: tierFields)
            if let target = tierFields.percentage("documentation") { tiers[tier]?.documentation = target }
        }
    }

    static func parseSeverity(_ node: ConfigNode, into matrix: inout [Int: [CheckStatus: AlertSeverity]]) {
        guard let fields = node.fields(of: "'severity'", allowed: ["1", "2", "3"]) else { return }
        let levels = AlertSeverity.allCases.map(\.rawValue)
        for key in fields.order {
            guard let tier = Int(key), let row = fields[key]?.fields(of: "severity of tier \(key)", allowed: ["fail", "error", "warn"]) else { continue }
            for status in row.order {
                guard let text = row.string(status) else { continue }
                guard let level = AlertSeverity(rawValue: text) else {
                    row[status]?.error("unknown severity '\(text)'\(Suggestion.hint(for: text, in: levels)); use one of: \(levels.joined(separator: ", "))")
                    continue
                }
                matrix[tier, default: [:]][CheckStatus(rawValue: status)!] = level
            }
        }
    }
}
