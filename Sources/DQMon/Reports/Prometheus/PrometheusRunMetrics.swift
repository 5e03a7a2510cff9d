import Foundation

/// What `dqmon check --prometheus-file` exports: the metric families of one run, read from its `RunReport` and the
/// history it was just recorded in (README "Prometheus metrics").
///
/// Conventions followed (prometheus.io "Metric and label naming", "Writing exporters"):
/// - names `dqmon_<what>_<unit>` with base units (`_seconds`, `_ratio` for 0...1 fractions);
/// - a check's status is a state set: `dqmon_check_status{...,status="fail"} 1` and 0 for every other status, so
///   `dqmon_check_status{status="fail"} == 1` selects failing checks and series never appear and vanish with a
///   status change;
/// - per-check label set: `dataset`, `check` (the check id), `check_type`, `warehouse`, `tier`.
/// - everything is a gauge (the file is a snapshot).
///
/// Scope: check status covers every configured check that has run at least once (this run's result, else its last
/// recorded status); freshness lag and row count are those measured by this run. SLA ratios are over `slaWindow`
/// (30 days, as `dqmon sla`) up to the run's evaluation time.
public enum PrometheusRunMetrics {
    public static let defaultSLAWindow = Interval(seconds: 30 * 86_400)

    public static func families(report: RunReport, configuration: Configuration, history: HistoryStore,
                                slaWindow: Interval = defaultSLAWindow) throws -> [PrometheusTextfile.Family] {
        let states = try history.checkStates()
        let sla = try SLABuilder(configuration: configuration, window: slaWindow, now: report.evaluatedAt).build(history: history)
        return checkFamilies(report: report, configuration: configuration, states: states)
            + slaFamilies(sla)
            + [try incidentFamily(history), try alertFamily(history)]
            + runFamilies(report)
    }

    /// The label set of a configured check.
    static func checkLabels(_ check: CheckConfig, dataset: DatasetConfig) -> [(String, String)] {
        [("dataset", dataset.name), ("check", check.id), ("check_type", check.typeName), ("warehouse", dataset.warehouse),
         ("tier", "\(dataset.tier)")]
    }

    static func checkFamilies(report: RunReport, configuration: Configuration, states: [String: CheckState]) -> [PrometheusTextfile.Family] {
        var status = PrometheusTextfile.Family(name: "dqmon_check_status",
                                               help: "1 for the check's latest status (this run's, else the last recorded), 0 for the other statuses.")
        var evaluated = PrometheusTextfile.Family(name: "dqmon_check_last_evaluated_timestamp_seconds",
                                                  help: "When the check was last evaluated (Unix time).")
        var lag = PrometheusTextfile.Family(name: "dqmon_freshness_lag_seconds",
                                            help: "Age of the newest row (evaluation time minus the newest timestamp), measured by this run.")
        var rows = PrometheusTextfile.Family(name: "dqmon_row_count", help: "Rows counted by a volume check in this run.")
        let results = Dictionary(report.results.map { ($0.checkID, $0) }, uniquingKeysWith: { _, last in last })
        for dataset in configuration.datasets {
            for check in dataset.checks {
                let labels = checkLabels(check, dataset: dataset)
                let result = results[check.id]
                guard let latest = result?.status ?? states[check.id]?.lastStatus,
                      let at = result?.evaluatedAt ?? states[check.id]?.lastEvaluatedAt else { continue }
                for candidate in CheckStatus.allCases { status.add(labels + [("status", candidate.rawValue)], candidate == latest ? 1 : 0) }
                evaluated.add(labels, at.timeIntervalSince1970)
                guard let result else { continue }
                if check.spec.freshnessThresholds != nil, let newest = result.dataTimestamp {
                    lag.add(labels, result.evaluatedAt.timeIntervalSince1970 - newest)
                }
                if check.typeName == VolumeCheck.typeName, let count = result.observed { rows.add(labels, count) }
            }
        }
        return [status, evaluated, lag, rows]
    }

    static func slaFamilies(_ report: SLAReport) -> [PrometheusTextfile.Family] {
        let window = report.window.description
        var ratio = PrometheusTextfile.Family(name: "dqmon_sla_ratio",
                                              help: "SLI over the SLA window (freshness, availability, pass_rate), 0 to 1, as dqmon sla computes it.")
        var target = PrometheusTextfile.Family(name: "dqmon_sla_target_ratio", help: "The SLI's target, 0 to 1 (tiers: or the dataset's sla:).")
        var budget = PrometheusTextfile.Family(name: "dqmon_sla_error_budget_remaining_ratio",
                                               help: "Error budget left over the SLA window: 1 - bad / allowed bad (negative when overspent).")
        for scope in report.datasets + report.tiers + [report.overall] {
            let labels: [(String, String)] = [("scope", scope.kind.rawValue), ("dataset", scope.kind == .dataset ? scope.name : ""),
                                              ("tier", scope.tier.map { "\($0)" } ?? ""), ("window", window)]
            let figures: [(String, RatioFigure?)] = [("freshness", scope.freshness?.ratio), ("availability", scope.availability), ("pass_rate", scope.passRate)]
            for (sli, figure) in figures {
                guard let figure else { continue }
                let sliLabels = labels + [("sli", sli)]
                if let value = figure.value { ratio.add(sliLabels, value) }
                if let goal = figure.target { target.add(sliLabels, goal) }
                if let left = figure.budgetLeft { budget.add(sliLabels, left) }
            }
        }
        var documentation = PrometheusTextfile.Family(name: "dqmon_documentation_completeness_ratio",
                                                      help: "Share of datasets with owner, description, tier and runbook, 0 to 1.")
        if let completeness = report.documentation {
            for scope in completeness.tiers + [completeness.overall] {
                if let value = scope.value { documentation.add([("scope", scope.tier == nil ? "overall" : "tier"), ("tier", scope.tier.map { "\($0)" } ?? "")], value) }
            }
        }
        return [ratio, target, budget, documentation]
    }

    static func incidentFamily(_ history: HistoryStore) throws -> PrometheusTextfile.Family {
        let counts = try history.openIncidentCounts()
        var family = PrometheusTextfile.Family(name: "dqmon_incidents_open", help: "Open incidents by severity.")
        for severity in AlertSeverity.allCases { family.add([("severity", severity.rawValue)], Double(counts[severity] ?? 0)) }
        return family
    }

    static func alertFamily(_ history: HistoryStore) throws -> PrometheusTextfile.Family {
        var family = PrometheusTextfile.Family(name: "dqmon_alerts_pending",
                                               help: "Notifications in the alert outbox not yet delivered (pending retry or failed for good).")
        family.add([("state", "pending")], Double(try history.notificationCount(status: .pending)))
        family.add([("state", "failed")], Double(try history.notificationCount(status: .failed)))
        return family
    }

    static func runFamilies(_ report: RunReport) -> [PrometheusTextfile.Family] {
        var results = PrometheusTextfile.Family(name: "dqmon_run_results", help: "Results of this run by status.")
        for status in CheckStatus.allCases { results.add([("status", status.rawValue)], Double(report.count(status))) }
        return [
            results,
            PrometheusTextfile.Family(name: "dqmon_run_duration_seconds", help: "Wall-clock duration of this run.",
                                      samples: [([], max(0, report.finishedAt.timeIntervalSince(report.startedAt)))]),
            PrometheusTextfile.Family(name: "dqmon_run_exit_code", help: "The exit code of this run (0 ok, 1 failed, 2 warned, 3 broken, 4 alerts pending).",
                                      samples: [([], Double(report.exitCode.rawValue))]),
            PrometheusTextfile.Family(name: "dqmon_last_run_timestamp_seconds", help: "When this run evaluated (Unix time; --now when given).",
                                      samples: [([], report.evaluatedAt.timeIntervalSince1970)]),
        ]
    }
}
