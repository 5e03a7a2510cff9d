import Foundation

/// Turns a run's incident changes into notifications, in the run's history transaction.
///
/// - warning: `enqueue` must run inside the same write transaction that records the incident changes: that
///   is what makes delivery lose nothing (a killed run leaves both or neither). Sending happens after commit,
///   in `AlertDelivery`.
///
/// Per incident and receiver, `alert_state` remembers what was said, so an open incident fires once, a repeat
/// waits for the route's `repeat_interval` (and never follows an acknowledgement), `resolved` goes out once,
/// and events held back by a silence or maintenance window are sent when it ends if the incident is still open.
public struct AlertOutbox: Sendable {
    public let configuration: Configuration
    public let now: Date

    public init(configuration: Configuration, now: Date) {
        self.configuration = configuration
        self.now = now
    }

    var alerts: AlertsConfig { configuration.alerts }

    /// Plans and writes this run's notifications. `openIncidents` is every incident still open after the
    /// changes (with its acknowledgement); states of incidents no longer open are closed.
    /// Returns the number of notifications written.
    @discardableResult
    public func enqueue(_ changes: [IncidentChange], openIncidents: [Int64: OpenIncidentStatus], runID: Int64?,
                        in transaction: HistoryTransaction) throws -> Int {
        guard !alerts.receivers.isEmpty else { return 0 }
        var plan = Plan(silences: try transaction.silences().filter { $0.isActive(at: now) }, runSamples: Self.runSamples(changes),
                        index: changes.isEmpty ? nil : ConfigurationIndex(configuration))
        for change in changes {
            try apply(change, plan: &plan, in: transaction)
        }
        // Read once for both (each decodes every open state's event): the states `closeVanished` closes are those of
        // incidents no longer open, which `releaseAndRepeat` passes over.
        let openStates = try transaction.openAlertStates()
        try closeVanished(openStates, openIncidents: openIncidents, plan: &plan, in: transaction)
        try releaseAndRepeat(openStates, openIncidents: openIncidents, plan: &plan, in: transaction)
        try announceLinked(changes, plan: &plan, in: transaction)
        return try write(plan, runID: runID, in: transaction)
    }

    struct Plan {
        var silences: [Silence]
        /// This run's failing-row samples by check id (nil: the check ran and took none), for `withSamples`.
        var runSamples: [String: AlertSamples?] = [:]
        /// The configuration's datasets and checks by name, when the run has incident changes to make events of.
        var index: ConfigurationIndex?
        var events: [String: [AlertEvent]] = [:]
        /// (incident, receiver) already given an event this run: nothing else is added for it.
        var touched: Set<String> = []

        mutating func emit(_ event: AlertEvent, to receiver: String) {
            events[receiver, default: []].append(event)
            touched.insert("\(event.incidentID)|\(receiver)")
        }

        func wasTouched(_ incident: Int64, _ receiver: String) -> Bool { touched.contains("\(incident)|\(receiver)") }
    }

    // MARK: - Changes

    func apply(_ change: IncidentChange, plan: inout Plan, in transaction: HistoryTransaction) throws {
        if try foldIntoRoot(change, plan: &plan, in: transaction) { return }
        let event = makeEvent(change, index: plan.index)
        if change.kind == .resolved {
            try resolve(event, plan: &plan, in: transaction)
            return
        }
        let who = subject(for: event)
        for routed in alerts.route(who) {
            var state = try transaction.alertState(incident: event.incidentID, receiver: routed.receiver)
                ?? AlertState(incidentID: event.incidentID, receiver: routed.receiver, isOpen: false, notified: false, owed: nil,
                              heldReason: nil, acknowledgedSent: false, lastNotifiedAt: nil,
                              repeatInterval: routed.repeatInterval, sendResolved: routed.sendResolved, event: event)
            let kind: AlertEventKind?
            // A "blocked by upstream" notice was not a page: an incident no longer linked (its root recovered, it still
            // fails) fires now.
            if !state.isOpen || state.event.blockedBy != nil {
                kind = .firing
                state = AlertState(incidentID: event.incidentID, receiver: routed.receiver, isOpen: true, notified: false, owed: nil,
                                   heldReason: nil, acknowledgedSent: false, lastNotifiedAt: nil,
                                   repeatInterval: routed.repeatInterval, sendResolved: routed.sendResolved, event: event)
            } else if change.kind == .escalated {
                kind = state.notified ? .escalated : .firing
                state.repeatInterval = routed.repeatInterval
            } else {
                kind = nil  // still open and already told (or owed): an open incident never fires twice
            }
            state.event = event
            if let kind {
                var outgoing = event
                outgoing.kind = kind
                state.event = outgoing
                if let reason = heldReason(who, silences: plan.silences) {
                    state.owed = state.owed == .firing ? .firing : kind
                    state.heldReason = reason
                } else if !plan.wasTouched(event.incidentID, routed.receiver) {
                    plan.emit(outgoing, to: routed.receiver)
                    state.notified = true
                    state.owed = nil
                    state.heldReason = nil
                    state.lastNotifiedAt = now
                }
            }
            try transaction.save(state)
        }
    }

    /// Tells every receiver that heard about the incident, once; what was only held back is dropped.
    func resolve(_ event: AlertEvent, plan: inout Plan, in transaction: HistoryTransaction) throws {
        for var state in try transaction.openAlertStates(incident: event.incidentID) {
            if state.notified && state.sendResolved && !plan.wasTouched(event.incidentID, state.receiver) {
                var resolved = state.event
                resolved.kind = .resolved
                resolved.status = event.status
                resolved.observed = event.observed
                resolved.expected = event.expected
                resolved.message = event.message
                resolved.at = event.at
                plan.emit(resolved, to: state.receiver)
            }
            state.isOpen = false
            state.owed = nil
            state.heldReason = nil
            try transaction.save(state)
        }
    }

    /// Incidents closed outside a run (`dqmon incidents resolve`) get their resolved message on the next run.
    func closeVanished(_ openStates: [AlertState], openIncidents: [Int64: OpenIncidentStatus], plan: inout Plan,
                       in transaction: HistoryTransaction) throws {
        for state in openStates where openIncidents[state.incidentID] == nil {
            var event = state.event
            event.message = "resolved in dqmon"
            event.status = "pass"
            event.at = now
            try resolve(event, plan: &plan, in: transaction)
        }
    }

    /// Sends what silences and maintenance held back once they end, repeats unacknowledged incidents after
    /// their `repeat_interval`, and tells receivers that want them (`wantsAcknowledgements`) about acknowledgements.
    /// (`openStates`: the open alert states, read after this run's changes were applied.) Whether an event is held is
    /// asked only where it matters: a held-back event, or a repeat that is due.
    func releaseAndRepeat(_ openStates: [AlertState], openIncidents: [Int64: OpenIncidentStatus], plan: inout Plan,
                          in transaction: HistoryTransaction) throws {
        for var state in openStates {
            guard let status = openIncidents[state.incidentID], !plan.wasTouched(state.incidentID, state.receiver) else { continue }
            var isHeld: Bool { heldReason(subject(for: state.event), silences: plan.silences) != nil }
            var outgoing = state.event
            outgoing.at = now
            if let owed = state.owed {
                guard !isHeld else { continue }
                outgoing.kind = state.notified ? owed : .firing
            } else if status.acknowledged {
                guard !state.acknowledgedSent, state.notified, wantsAcknowledgements(state.receiver) else { continue }
                outgoing.kind = .acknowledged
                state.acknowledgedSent = true
            } else if state.notified, let last = state.lastNotifiedAt, now.timeIntervalSince(last) >= state.repeatInterval, !isHeld {
                outgoing.kind = .repeat
            } else {
                continue
            }
            plan.emit(outgoing, to: state.receiver)
            state.notified = true
            state.owed = nil
            state.heldReason = nil
            if outgoing.kind != .acknowledged { state.lastNotifiedAt = now }
            try transaction.save(state)
        }
    }

    func wantsAcknowledgements(_ receiver: String) -> Bool {
        alerts.receiver(named: receiver)?.settings.wantsAcknowledgements ?? false
    }

    // MARK: - Events

    func makeEvent(_ change: IncidentChange, index: ConfigurationIndex?) -> AlertEvent {
        let result = change.result
        let dataset = index.map { $0.dataset(named: result.dataset) } ?? configuration.dataset(named: result.dataset)
        let check = (index.map { $0.check(id: result.checkID) } ?? configuration.check(id: result.checkID))?.check
        let runbook = check?.runbook ?? dataset?.runbook ?? result.runbook
        var event = AlertEvent(
            kind: .firing, incidentID: change.incidentID, checkID: result.checkID, checkType: result.checkType,
            dataset: result.dataset, warehouse: result.warehouse, severity: change.severity,
            previousSeverity: change.previousSeverity, status: result.status.rawValue, observed: result.observedText,
            expected: result.expected, message: result.message, owner: dataset?.owner ?? result.owner,
            tier: dataset?.tier ?? result.tier, tags: dataset?.tags ?? [], runbook: runbook.map(runbookLink),
            report: configuration.project.reportURL.map { ReportLinks(reportURL: $0, incidentID: change.incidentID, dataset: result.dataset) },
            at: change.at)
        event.impact = lineageImpact(of: result.dataset)
        return event
    }

    func runbookLink(_ runbook: String) -> String {
        guard !runbook.hasPrefix("http://"), !runbook.hasPrefix("https://"), let base = configuration.project.runbookBaseURL else { return runbook }
        return (base.hasSuffix("/") ? base : base + "/") + runbook
    }

    func subject(for event: AlertEvent) -> AlertSubject {
        AlertSubject(severity: event.severity, tier: event.tier, dataset: event.dataset, owner: event.owner, tags: event.tags,
                     checkType: event.checkType, checkID: event.checkID)
    }

    /// Why an event for this subject must be held back now, or nil to send it.
    func heldReason(_ subject: AlertSubject, silences: [Silence]) -> String? {
        if let window = alerts.inMaintenance(dataset: subject.dataset, at: now) {
            return "maintenance \(window.cron)" + (window.reason.map { " (\($0))" } ?? "")
        }
        if let silence = silences.first(where: { $0.matches(subject) }) {
            return "silence #\(silence.id ?? 0) (\(silence.reason))"
        }
        return nil
    }

    // MARK: - Writing

    func write(_ plan: Plan, runID: Int64?, in transaction: HistoryTransaction) throws -> Int {
        var written = 0
        for receiver in alerts.receivers where plan.events[receiver.name]?.isEmpty == false {
            let events = try withSamples(plan.events[receiver.name]!, for: receiver, runSamples: plan.runSamples, in: transaction)
            let context = MessageContext(receiver: receiver.name, runAt: now)
            let bodies = receiver.settings.messages(for: events, context: context)
            let perMessage = bodies.count == events.count ? events.map { [$0] } : Array(repeating: events, count: bodies.count)
            for (body, carried) in zip(bodies, perMessage) {
                try transaction.insertNotification(receiver: receiver, body: body.serialized(), events: carried, runID: runID, at: now)
                written += 1
            }
        }
        return written
    }
}
