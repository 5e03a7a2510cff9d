import Foundation

/// Lineage inhibition in the outbox: a linked incident's alerts fold into its root's (see `LineageInhibitor`).
///
/// - A linked incident opening (or escalating, repeating) does not page: its own routes, matched at severity `info`,
///   get one "blocked by upstream #N (owner X)" notice, never repeated.
/// - The root's receivers get one message naming the downstream incidents linked to it: they ride on the root's own
///   event when it has one this run (firing, repeat, resolved), else a `linked` event is sent to the receivers that
///   were told about the root.
/// - A linked incident whose check passes while the root is open (or in the run that resolves the root) sends no
///   message of its own; the root's resolved message names it.
extension AlertOutbox {
    /// A "blocked by upstream" notice never repeats (about a century).
    static let noticeRepeatInterval: TimeInterval = 100 * 365 * 86_400

    /// Handles a change of a linked incident; false when the change is not folded (no cause, or the root resolved in an
    /// earlier run and this is its own resolution).
    func foldIntoRoot(_ change: IncidentChange, plan: inout Plan, in transaction: HistoryTransaction) throws -> Bool {
        guard let cause = change.cause else { return false }
        if change.kind == .resolved {
            let rootResolvedWithIt = cause.rootResolvedAt.map { $0 >= change.at } ?? false
            guard cause.rootIsOpen || rootResolvedWithIt else { return false }
            for var state in try transaction.openAlertStates(incident: change.incidentID) {
                state.isOpen = false
                state.owed = nil
                state.heldReason = nil
                try transaction.save(state)
            }
            return true
        }
        var event = makeEvent(change, index: plan.index)
        event.severity = .info
        event.previousSeverity = nil
        event.blockedBy = cause
        event.message = "\(cause.blockedText): \(event.message)"
        let who = subject(for: event)
        for routed in alerts.route(who) {
            if let existing = try transaction.alertState(incident: event.incidentID, receiver: routed.receiver), existing.isOpen { continue }
            var state = AlertState(incidentID: event.incidentID, receiver: routed.receiver, isOpen: true, notified: false, owed: nil,
                                   heldReason: nil, acknowledgedSent: false, lastNotifiedAt: nil,
                                   repeatInterval: Self.noticeRepeatInterval, sendResolved: routed.sendResolved, event: event)
            if let reason = heldReason(who, silences: plan.silences) {
                state.owed = .firing
                state.heldReason = reason
            } else if !plan.wasTouched(event.incidentID, routed.receiver) {
                plan.emit(event, to: routed.receiver)
                state.notified = true
                state.lastNotifiedAt = now
            }
            try transaction.save(state)
        }
        return true
    }

    /// Names the linked incidents on every root event of this run, and tells the root's receivers about incidents
    /// linked by this run when the root has no event of its own this run.
    func announceLinked(_ changes: [IncidentChange], plan: inout Plan, in transaction: HistoryTransaction) throws {
        let newlyLinkedRoots = Set(changes.compactMap { $0.cause?.linkedNow == true ? $0.cause?.incidentID : nil })
        let planned = Set(plan.events.values.flatMap { $0.map(\.incidentID) })
        for root in newlyLinkedRoots.union(planned).sorted() {
            let linked = try transaction.incidentsLinked(to: root)
            guard !linked.isEmpty else { continue }
            var told: Set<String> = []
            for receiver in Array(plan.events.keys) {
                for index in plan.events[receiver]!.indices where plan.events[receiver]![index].incidentID == root {
                    plan.events[receiver]![index].linked = linked
                    told.insert(receiver)
                }
            }
            guard newlyLinkedRoots.contains(root) else { continue }
            for state in try transaction.openAlertStates(incident: root) where state.notified && state.owed == nil && !told.contains(state.receiver) {
                guard heldReason(subject(for: state.event), silences: plan.silences) == nil else { continue }
                var event = state.event
                event.kind = .linked
                event.at = now
                event.linked = linked
                plan.emit(event, to: state.receiver)
            }
        }
    }

    /// The event's downstream impact, nil when the dataset feeds nothing.
    func lineageImpact(of dataset: String) -> LineageImpact? {
        guard !configuration.lineage.isEmpty else { return nil }
        let impact = configuration.lineage.impact(of: dataset)
        return impact.isEmpty ? nil : impact
    }
}
