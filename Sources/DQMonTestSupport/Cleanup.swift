/// Runs `body` with `resource`, then awaits `close(resource)` whether `body` returned or threw.
///
/// Swift's `defer` cannot await, and `defer { Task { await resource.close() } }` starts a cleanup nobody waits
/// for: it may run after the test (or never, once the process exits). This one is done before the test goes on.
public func withClosing<Resource, Value>(_ resource: Resource, close: (Resource) async -> Void,
                                         _ body: (Resource) async throws -> Value) async throws -> Value {
    do {
        let value = try await body(resource)
        await close(resource)
        return value
    } catch {
        await close(resource)
        throw error
    }
}
