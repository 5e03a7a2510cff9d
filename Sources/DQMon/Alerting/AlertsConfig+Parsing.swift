import Foundation

/// Reads alerts/*.yml (files in name order; receivers, routes and windows are concatenated).
enum AlertsConfigLoader {
    static func load(directory: URL, diagnostics: Diagnostics, environment: [String: String], hasher: inout FNV1a) -> AlertsConfig {
        var config = AlertsConfig.empty
        var routeNodes: [(AlertRoute, ConfigNode)] = []
        // Receivers written in some file, valid or not: a route naming an invalid one is not reported again.
        var declaredReceivers: Set<String>? = []
        for file in ConfigLoader.checkFiles(in: directory) {
            guard let root = ConfigLoader.readYAML(file, diagnostics: diagnostics, environment: environment, hasher: &hasher),
                  let fields = root.fields(of: "alerts file", allowed: AlertsConfig.keys) else { continue }
            ConfigLoader.checkVersion(fields)
            if let node = fields["receivers"] {
                parseReceivers(node, into: &config.receivers, directory: directory.deletingLastPathComponent())
                if let mapping = node.entries {
                    declaredReceivers?.formUnion(mapping.map { $0.key.string ?? "" })
                } else {
                    declaredReceivers = nil
                }
            }
            if let node = fields["routes"], let items = node.items(describing: "'routes'") {
                for item in items { if let route = parseRoute(item) { routeNodes.append((route, item)) } }
            }
            if let node = fields["maintenance"], let items = node.items(describing: "'maintenance'") {
                config.maintenance += items.compactMap(parseMaintenance)
            }
            if let node = fields["delivery"] { parseDelivery(node, into: &config.delivery) }
        }
        config.routes = routeNodes.map(\.0)
        checkReceiverReferences(routeNodes, receivers: config.receivers, declared: declaredReceivers)
        return config
    }

    static func parseReceivers(_ node: ConfigNode, into receivers: inout [ReceiverConfig], directory: URL) {
        guard let mapping = node.entries else {
            node.error("'receivers' must be a mapping of names to settings, e.g. local: { type: file, path: .dqmon/alerts.jsonl }")
            return
        }
        for (key, value) in mapping {
            let name = key.string ?? ""
            if let first = receivers.first(where: { $0.name == name }) {
                key.error("duplicate receiver '\(name)' (first defined at \(first.location))")
                continue
            }
            if let receiver = parseReceiver(name: name, node: value, location: key.location, directory: directory) {
                receivers.append(receiver)
            }
        }
    }

    static func parseReceiver(name: String, node: ConfigNode, location: SourceLocation, directory: URL) -> ReceiverConfig? {
        let allKeys = Set(Registries.current.receivers.types.flatMap { $0.keys } + ReceiverConfig.commonKeys)
        guard let probe = node.fields(of: "receiver '\(name)'", allowed: Array(allKeys)) else { return nil }
        guard probe.require("type") != nil, let typeName = probe.string("type") else { return nil }
        guard let type = Registries.current.receivers.type(named: typeName) else {
            probe["type"]?.error("unknown receiver type '\(typeName)'\(Suggestion.hint(for: typeName, in: Registries.current.receivers.typeNames)); dqmon supports: \(Registries.current.receivers.typeNames.joined(separator: ", "))")
            return nil
        }
        for key in probe.order where !ReceiverConfig.commonKeys.contains(key) && !type.keys.contains(key) {
            node.diagnostics.report("key '\(key)' does not apply to a \(typeName) receiver (it takes: \(type.keys.joined(separator: ", ")))", at: probe.keyLocation(key))
        }
        let includeSamples = probe.bool("include_samples") ?? false
        let fields = probe.restricted(to: type.keys + ["type"])
        guard let settings = type.parse(fields, directory: directory) else { return nil }
        // `url: "${DQMON_SLACK_WEBHOOK:-}"` with the variable unset: an optional receiver, switched off.
        let enabled = !(fields.has("url") && fields.string("url")?.isEmpty == true)
        return ReceiverConfig(name: name, settings: settings, location: location, isEnabled: enabled, includeSamples: includeSamples)
    }

    static func parseRoute(_ node: ConfigNode) -> AlertRoute? {
        guard let fields = node.fields(of: "route", allowed: AlertRoute.keys) else { return nil }
        // Every key is read before giving up on a missing one, so all of a route's errors show at once.
        let match = fields["match"].flatMap(parseMatch) ?? RouteMatch()
        let continueMatching = fields.bool("continue") ?? false
        let repeatInterval = fields.interval("repeat_interval")
        let sendResolved = fields.bool("send_resolved") ?? true
        let includeSamples = fields.bool("include_samples")
        guard fields.require("receivers") != nil, let receivers = fields.stringList("receivers") else { return nil }
        return AlertRoute(match: match, receivers: receivers, continueMatching: continueMatching,
                          repeatInterval: repeatInterval, sendResolved: sendResolved, includeSamples: includeSamples, location: node.location)
    }

    static func parseMatch(_ node: ConfigNode) -> RouteMatch? {
        guard let fields = node.fields(of: "'match'", allowed: RouteMatch.keys) else { return nil }
        var match = RouteMatch()
        if let values = fields.stringList("severity") {
            let levels = AlertSeverity.allCases.map(\.rawValue)
            match.severities = values.compactMap { text in
                guard let level = AlertSeverity(rawValue: text) else {
                    fields["severity"]?.error("unknown severity '\(text)'\(Suggestion.hint(for: text, in: levels)); use one of: \(levels.joined(separator: ", "))")
                    return nil
                }
                return level
            }
        }
        if let values = fields.stringList("tier") {
            match.tiers = values.compactMap { text in
                guard let tier = Int(text), (1...3).contains(tier) else {
                    fields["tier"]?.error("'tier' must be 1, 2 or 3, got '\(text)'")
                    return nil
                }
                return tier
            }
        }
        match.datasets = globList(fields, "dataset")
        match.owners = fields.stringList("owner")
        match.tags = fields.stringList("tags")
        match.checks = globList(fields, "check")
        if let types = fields.stringList("check_type") {
            for type in types where Registries.current.checks.type(named: type) == nil {
                fields["check_type"]?.error("unknown check type '\(type)'\(Suggestion.hint(for: type, in: Registries.current.checks.typeNames)); dqmon supports: \(Registries.current.checks.typeNames.joined(separator: ", "))")
            }
            match.checkTypes = types
        }
        return match
    }

    static func parseMaintenance(_ node: ConfigNode) -> MaintenanceWindow? {
        guard let fields = node.fields(of: "maintenance window", allowed: MaintenanceWindow.keys) else { return nil }
        let datasets = fields.require("datasets") != nil ? globList(fields, "datasets") : nil
        let duration = fields.require("duration") != nil ? fields.interval("duration", atMost: MaintenanceWindow.maximumDuration) : nil
        let reason = fields.string("reason")
        guard fields.require("cron") != nil, let text = fields.string("cron") else { return nil }
        let cron: CronSchedule
        do { cron = try CronSchedule(parsing: text) } catch {
            fields["cron"]?.error(error.message + " (e.g. \"0 2 * * SUN\": 02:00 UTC every Sunday)")
            return nil
        }
        guard let datasets, let duration else { return nil }
        return MaintenanceWindow(datasets: datasets, cron: cron, duration: duration, reason: reason)
    }

    /// A list of globs; one that could never match as meant (an unclosed `[`, an unknown `[:class:]`) is an error,
    /// since a route or window that silently matches nothing would send alerts elsewhere.
    static func globList(_ fields: ConfigFields, _ key: String) -> [String]? {
        guard let globs = fields.stringList(key) else { return nil }
        for glob in globs {
            do { try Selection.checkGlob(glob) } catch { fields[key]?.error("'\(key)': \(error.message)") }
        }
        return globs
    }

    static func parseDelivery(_ node: ConfigNode, into delivery: inout DeliverySettings) {
        guard let fields = node.fields(of: "'delivery'", allowed: ["budget", "timeout"]) else { return }
        if let budget = fields.interval("budget", atMost: DeliverySettings.maximumBudget) { delivery.budget = budget }
        if let timeout = fields.interval("timeout", atMost: DeliverySettings.maximumTimeout) { delivery.timeout = timeout }
    }

    /// A route naming a receiver that is not defined would silently drop alerts: an error. A receiver that is
    /// defined but invalid was reported at its definition, and is not reported again here; when `receivers:`
    /// itself could not be read (`declared` nil), no reference can be judged.
    static func checkReceiverReferences(_ routes: [(AlertRoute, ConfigNode)], receivers: [ReceiverConfig], declared: Set<String>?) {
        guard let declared else { return }
        let names = receivers.map(\.name)
        for (route, node) in routes {
            for name in route.receivers where !names.contains(name) && !declared.contains(name) {
                let at = (node.fields(of: "route", allowed: AlertRoute.keys)?["receivers"]) ?? node
                at.error("route sends to receiver '\(name)', which is not defined under 'receivers'\(Suggestion.hint(for: name, in: names))")
            }
        }
    }
}
