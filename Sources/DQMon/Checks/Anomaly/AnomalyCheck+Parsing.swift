import Foundation

extension AnomalyCheck {
    /// `sensitivity:` in standard deviations (robust ones: MAD-based): 0.1 to 100.
    public static let sensitivityRange: ClosedRange<Double> = 0.1...100

    public static func parse(_ fields: ConfigFields) -> AnomalyCheck? {
        var settings = AnomalySettings()
        if let value = fields.number("sensitivity", in: sensitivityRange, meaning: "a number of standard deviations (default 3)") {
            settings.sensitivity = value
        }
        if let training = fields.interval("training") { settings.training = training.seconds }
        if let minHistory = fields.int("min_history", in: 1...100_000) { settings.minHistory = minHistory }
        if let node = fields["seasonality"], let text = node.text(describing: "'seasonality'") {
            if let choice = AnomalySettings.SeasonalityChoice(name: text) { settings.seasonality = choice } else {
                node.error("'seasonality' must be one of \(AnomalySettings.SeasonalityChoice.names.joined(separator: ", ")), got '\(text)'\(Suggestion.hint(for: text, in: AnomalySettings.SeasonalityChoice.names))")
            }
        }
        if let node = fields["direction"], let text = node.text(describing: "'direction'") {
            if let direction = AnomalySettings.Direction(rawValue: text) { settings.direction = direction } else {
                node.error("'direction' must be both, spike or drop, got '\(text)'")
            }
        }
        if let node = fields["min_change"] { parseMinChange(node, into: &settings) }
        guard let target = parseTarget(fields) else { return nil }
        return AnomalyCheck(target: target, settings: settings, segments: parseSegments(fields, target: target))
    }

    /// `group_by: country` or `group_by: [country, channel]`, and `max_segments:` (default 50, only with `group_by`).
    static func parseSegments(_ fields: ConfigFields, target: Target) -> SegmentSpec? {
        guard fields.has("group_by") else {
            fields["max_segments"]?.error("'max_segments' bounds the segments of 'group_by'; add group_by: <column> or remove it")
            return nil
        }
        guard let columns = fields.stringList("group_by") else { return nil }
        if columns.isEmpty || columns.contains(where: { $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
            fields["group_by"]?.error("'group_by' needs column names, e.g. group_by: country or group_by: [country, channel]")
            return nil
        }
        if Set(columns).count != columns.count {
            fields["group_by"]?.error("'group_by' lists a column twice: \(columns.joined(separator: ", "))")
            return nil
        }
        if case .metric(let metric) = target, metric.isCustom {
            fields["group_by"]?.error("'group_by' works with the built-in metrics, not with 'sql': group inside your query and add one check per group instead")
            return nil
        }
        var spec = SegmentSpec(columns: columns)
        if let maximum = fields.int("max_segments", in: SegmentSpec.maxSegmentsRange) { spec.maxSegments = maximum }
        return spec
    }

    static func parseMinChange(_ node: ConfigNode, into settings: inout AnomalySettings) {
        guard let fields = node.fields(of: "'min_change'", allowed: ["absolute", "percent"]) else { return }
        if let value = fields.number("absolute", in: 0...1e15, meaning: "a number in the metric's unit") { settings.minAbsoluteChange = value }
        if let percent = fields.percentage("percent", in: 0...10_000) { settings.minRelativeChange = percent.fraction }
        if !fields.has("absolute"), !fields.has("percent") {
            node.error("'min_change' needs 'absolute', 'percent' or both, e.g. { absolute: 100, percent: 10% }")
        }
    }

    static var columnMetrics: [(prefix: String, make: (String) -> Metric)] {
        [("null_rate", { .nullRate(column: $0) }), ("distinct_count", { .distinctCount(column: $0) }), ("mean", { .mean(column: $0) })]
    }

    static var metricNames: [String] {
        ["row_count", "row_count_<window>", "freshness_lag_seconds"] + columnMetrics.map { "\($0.prefix)(column)" }
    }

    static func parseTarget(_ fields: ConfigFields) -> Target? {
        if fields.has("sql") {
            if fields.has("metric") { fields["sql"]?.error("give either 'metric' or 'sql', not both") }
            guard let sql = fields.string("sql") else { return nil }
            guard sql.trimmingCharacters(in: .whitespaces).lowercased().hasPrefix("select")
                    || sql.trimmingCharacters(in: .whitespaces).lowercased().hasPrefix("with") else {
                fields["sql"]?.error("'sql' must be a select returning one number, got '\(sql)'")
                return nil
            }
            return .metric(.custom(sql: sql))
        }
        guard fields.require("metric") != nil, let node = fields["metric"], let name = fields.string("metric") else { return nil }
        let column = fields.string("column")
        func needColumn(_ example: String) -> String? {
            if column == nil { node.error("metric '\(name)' needs 'column', e.g. { metric: \(name), column: \(example) }") }
            return column
        }
        if name == "row_count" { return .metric(.rowCount) }
        if name == "freshness_lag_seconds" { return needColumn("updated_at").map { .freshnessLag(column: $0) } }
        if name.hasPrefix("row_count_") {
            let text = String(name.dropFirst("row_count_".count))
            switch Interval.parse(text) {
            case .success(let window): return needColumn("created_at").map { .metric(.windowedCount(column: $0, window: window)) }
            case .failure(.malformed): break  // not a window: reported below as an unknown metric
            case .failure(let problem):
                node.error(problem.message(for: "the window of metric '\(name)'", text: text))
                return nil
            }
        }
        for entry in columnMetrics where name.hasPrefix(entry.prefix + "(") && name.hasSuffix(")") {
            let inner = name.dropFirst(entry.prefix.count + 1).dropLast().trimmingCharacters(in: .whitespaces)
            if !inner.isEmpty { return .metric(entry.make(inner)) }
        }
        node.error("unknown metric '\(name)'\(Suggestion.hint(for: name, in: metricNames)) (use one of \(metricNames.joined(separator: ", ")), or sql: \"select …\")")
        return nil
    }
}
