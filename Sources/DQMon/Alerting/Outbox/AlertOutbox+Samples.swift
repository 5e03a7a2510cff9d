import Foundation

/// Failing-row samples in alerts (`include_samples`, issue 13). Samples may hold personal data, so they are added
/// only to the copies of events that are rendered for a receiver that includes them, just before rendering: alert
/// state never stores them, and a receiver without `include_samples` gets bodies without them. The outbox stores the
/// rendered body (a retry must send the same bytes), so an including receiver's stored body holds the rows it was sent.
extension AlertOutbox {
    /// This run's failing-row samples by check id, from the results that caused the changes; nil for a check that ran
    /// and took none (a passing check, or one without `samples:`).
    static func runSamples(_ changes: [IncidentChange]) -> [String: AlertSamples?] {
        var samples: [String: AlertSamples?] = [:]
        for change in changes {
            let taken = change.result.artifacts.lazy.compactMap { $0 as? FailingRowSamples }.first
            samples[change.result.checkID] = .some(taken.map(AlertSamples.init))
        }
        return samples
    }

    /// `events` as `receiver` is sent them: each event that reports a failure (`carriesSamples`) carries its check's
    /// newest samples when the route that sent it there, or else the receiver, says `include_samples: true`; every
    /// other event carries none.
    func withSamples(_ events: [AlertEvent], for receiver: ReceiverConfig, runSamples: [String: AlertSamples?],
                     in transaction: HistoryTransaction) throws -> [AlertEvent] {
        try events.map { event in
            var sent = event
            sent.samples = nil
            guard event.kind.carriesSamples, includesSamples(event, receiver: receiver.name) else { return sent }
            if let known = runSamples[event.checkID] {
                sent.samples = known
            } else {
                sent.samples = try transaction.newestFailingSamples(checkID: event.checkID).map(AlertSamples.init)
            }
            return sent
        }
    }

    /// Routes the event again (as `apply` did) and reads the setting of the route that reaches `receiver`. A receiver no
    /// route reaches any more (the config changed since the incident opened) gets no samples.
    func includesSamples(_ event: AlertEvent, receiver: String) -> Bool {
        alerts.route(subject(for: event)).first { $0.receiver == receiver }?.includeSamples ?? false
    }
}

extension AlertEventKind {
    /// Events about a failing result: firing, escalated, repeat and linked. A resolved, acknowledged or test event has
    /// no failing rows to show.
    var carriesSamples: Bool {
        switch self {
        case .firing, .escalated, .repeat, .linked: return true
        case .resolved, .acknowledged, .test: return false
        }
    }
}
