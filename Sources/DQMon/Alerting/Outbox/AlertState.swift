import Foundation

/// What one receiver has been told about one incident (table `alert_state`, read and written by `HistoryTransaction`).
struct AlertState {
    var incidentID: Int64
    var receiver: String
    var isOpen: Bool
    /// A firing for this incident reached the outbox.
    var notified: Bool
    /// An event held back by a silence or maintenance window, sent when it ends.
    var owed: AlertEventKind?
    var heldReason: String?
    var acknowledgedSent: Bool
    var lastNotifiedAt: Date?
    var repeatInterval: TimeInterval
    var sendResolved: Bool
    /// The latest event, which repeats, releases and resolves are built from.
    var event: AlertEvent
}
