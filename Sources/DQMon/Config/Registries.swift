/// The check, warehouse and receiver types a configuration may name: what `type:` and a check's key resolve to.
///
/// `builtIn` lists dqmon's own; each type lives in its own folder and joins by one line in its registry's `builtIn`.
/// Config loading reads the registries in effect (`ConfigLoader.load(configPath:environment:registries:)`), so a
/// test can add a type of its own without touching dqmon's sources, which shows that a new type needs nothing else.
public struct Registries: Sendable {
    public static let builtIn = Registries(checks: .builtIn, warehouses: .builtIn, receivers: .builtIn)

    public var checks: CheckRegistry
    public var warehouses: WarehouseRegistry
    public var receivers: ReceiverRegistry

    public init(checks: CheckRegistry, warehouses: WarehouseRegistry, receivers: ReceiverRegistry) {
        self.checks = checks
        self.warehouses = warehouses
        self.receivers = receivers
    }

    /// The registries in effect while a configuration is parsed (`builtIn` unless a loader was given others).
    @TaskLocal public static var current = Registries.builtIn

    public func adding(check type: any CheckSpec.Type) -> Registries {
        var copy = self
        copy.checks = CheckRegistry(types: checks.types + [type])
        return copy
    }

    public func adding(warehouse type: any WarehouseSettings.Type) -> Registries {
        var copy = self
        copy.warehouses = WarehouseRegistry(types: warehouses.types + [type])
        return copy
    }

    public func adding(receiver type: any ReceiverSettings.Type) -> Registries {
        var copy = self
        copy.receivers = ReceiverRegistry(types: receivers.types + [type])
        return copy
    }
}
