import Foundation

extension CheckRunner {
    /// After the run committed: release held alerts and due repeats when the run recorded nothing (a run with
    /// results did that in its transaction), then deliver what is pending, and fold undelivered alerts into the
    /// exit code (4: alerts pending).
    func sendAlerts(_ report: inout RunReport, options: RunOptions) async throws(RunError) {
        guard !configuration.alerts.receivers.isEmpty else { return }
        if report.runID == nil {
            let outbox = AlertOutbox(configuration: configuration, now: options.now)
            do { _ = try history.transaction { try outbox.enqueue(changes: [], runID: nil, in: $0) } } catch { throw .history(error) }
        }
        let delivery = await AlertDelivery(alerts: configuration.alerts, history: history).deliver(now: options.now)
        report.alerts = delivery
        report.exitCode = RunExitCode.from(statuses: report.results.map(\.status), failOn: options.failOn,
                                           alertsPending: delivery.hasUndelivered)
    }
}
