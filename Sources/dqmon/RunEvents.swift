import DQMon
import Foundation

/// What `dqmon check` tells a log aggregator (`--log-format json`) about its run, and what `--quiet` lets through.
enum RunEvents {
    static func started(configuration: URL, options: RunOptions) {
        DQMonLog.event("run.start", "dqmon check started", [
            "config": .string(configuration.path), "evaluated_at": .string(ISO8601.string(from: options.now)),
            "selection": .string(options.selection.description), "all": .bool(options.runAll),
            "dqmon_version": .string(DQMonVersion.current),
        ])
    }

    /// One `dataset.query` per dataset (its slowest check's query time), then `run.end` with the counts.
    static func finished(_ report: RunReport) {
        // Events go nowhere unless --log-format json: do not group 5,000 results for nothing.
        guard DQMonLog.isJSON else { return }
        var datasets: [String] = []
        var byDataset: [String: [CheckResult]] = [:]
        for result in report.results {
            if byDataset[result.dataset] == nil { datasets.append(result.dataset) }
            byDataset[result.dataset, default: []].append(result)
        }
        for dataset in datasets {
            let results = byDataset[dataset] ?? []
            let milliseconds = results.compactMap(\.queryMilliseconds).filter(\.isFinite).max()
            var fields: [String: DQMonLog.LogValue] = [
                "dataset": .string(dataset), "warehouse": .string(results.first?.warehouse ?? ""), "checks": .number(Double(results.count)),
                "statuses": .string(results.map(\.status.rawValue).joined(separator: ",")),
            ]
            if let milliseconds { fields["query_ms"] = .number((milliseconds * 10).rounded() / 10) }
            DQMonLog.event("dataset.query", "dataset '\(dataset)': \(results.count) check(s)", fields)
        }
        let count = { (status: CheckStatus) in Double(report.results.filter { $0.status == status }.count) }
        var fields: [String: DQMonLog.LogValue] = [
            "exit_code": .number(Double(report.exitCode.rawValue)), "checks": .number(Double(report.results.count)),
            "pass": .number(count(.pass)), "warn": .number(count(.warn)), "fail": .number(count(.fail)), "error": .number(count(.error)),
            "not_due": .number(Double(report.notDue.count)), "incident_changes": .number(Double(report.incidentChanges.count)),
            "ms": .number((report.finishedAt.timeIntervalSince(report.startedAt) * 1000).rounded()),
        ]
        if let runID = report.runID { fields["run_id"] = .number(Double(runID)) }
        if let alerts = report.alerts {
            fields["alerts_sent"] = .number(Double(alerts.sent))
            fields["alerts_failed"] = .number(Double(alerts.failed))
            fields["alerts_pending"] = .number(Double(alerts.pending))
        }
        DQMonLog.event("run.end", level: report.exitCode == .success ? .info : .warning,
                       "dqmon check finished, exit \(report.exitCode.rawValue)", fields)
    }

    /// `--quiet` prints the report only when a check is not `pass` (`skipped`: not due or still learning, counts as quiet),
    /// an incident changed, an alert is undelivered, or a warehouse was unreachable.
    static func needsAttention(_ report: RunReport) -> Bool {
        report.results.contains { $0.status != .pass && $0.status != .skipped } || !report.incidentChanges.isEmpty
            || (report.alerts?.hasUndelivered ?? false) || !report.warehouseErrors.isEmpty
    }
}
