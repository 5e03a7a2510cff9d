import Foundation

/// The run's connections to warehouses other than the one a dataset lives in, for checks that read another
/// warehouse's table (a `compare` of a source with its replica).
///
/// Each warehouse is opened at most once per run, on first use, and shared by every check that needs it; a failure is
/// remembered too, so ten checks against an unreachable replica wait for one connect timeout, not ten. The runner
/// closes them all when its evaluation ends (`closeAll`). Connections are the warehouses' own, with their read-only
/// guards: a statement sent here is as read-only as one sent to the dataset's own warehouse.
actor WarehouseResolver {
    private let project: ProjectConfig
    private var opened: [String: Task<Result<any Warehouse, WarehouseError>, Never>] = [:]

    init(project: ProjectConfig) {
        self.project = project
    }

    /// The open warehouse `name`, or why it could not be opened (undefined, unreachable, refused).
    func warehouse(named name: String) async -> Result<any Warehouse, WarehouseError> {
        if let task = opened[name] { return await task.value }
        guard let config = project.warehouse(named: name) else {
            return .failure(WarehouseError(warehouse: name, kind: .unavailable, message: "not defined under 'warehouses' in dqmon.yml"))
        }
        let task = Task { () -> Result<any Warehouse, WarehouseError> in
            let started = Date()
            do throws(WarehouseError) {
                let warehouse = try await config.settings.connect(name: name)
                DQMonLog.warehouseConnected(name, type: config.typeName, since: started, error: nil)
                return .success(warehouse)
            } catch {
                DQMonLog.warehouseConnected(name, type: config.typeName, since: started, error: error)
                return .failure(error)
            }
        }
        opened[name] = task
        return await task.value
    }

    /// Closes every warehouse this resolver opened.
    func closeAll() async {
        let tasks = opened.values
        opened = [:]
        for task in tasks {
            if case .success(let warehouse) = await task.value { await warehouse.close() }
        }
    }
}
