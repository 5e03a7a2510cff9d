/// What the outbox needs to know about an incident that is still open: whether someone acknowledged it.
public struct OpenIncidentStatus: Sendable {
    public var acknowledged: Bool
    public init(acknowledged: Bool) { self.acknowledged = acknowledged }
}
