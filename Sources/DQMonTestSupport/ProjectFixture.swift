import DQMon
import Foundation

/// A throwaway dqmon project: dqmon.yml, checks/, a SQLite warehouse and a history, in a temp folder.
public final class ProjectFixture: @unchecked Sendable {
    public let directory = TemporaryDirectory(prefix: "dqmon-project")
    public var root: URL { directory.url }
    public var configURL: URL { directory.path("dqmon.yml") }
    public var warehouseURL: URL { directory.path("warehouse.sqlite") }
    public var historyURL: URL { directory.path(".dqmon/history.sqlite") }

    /// Variables every `dqmon(_:in:environment:)` run in this project gets (e.g. `USER`, who acknowledges).
    public var environment: [String: String] = [:]

    /// A frozen clock for the tests: 2026-11-25T12:00:00Z.
    public static let now = ISO8601.date(from: "2026-11-25T12:00:00Z")!

    public init(projectYAML: String? = nil) {
        directory.write("dqmon.yml", projectYAML ?? """
            version: 1
            warehouses:
              main: { type: sqlite, path: warehouse.sqlite }
            default_warehouse: main
            history: { path: .dqmon/history.sqlite }
            """)
    }

    /// Writes `checks/<name>`.
    public func checks(_ name: String, _ yaml: String) {
        directory.write("checks/\(name)", yaml)
    }

    public func warehouse() throws -> WarehouseFixture {
        try WarehouseFixture(at: warehouseURL)
    }

    public func load() throws -> Configuration {
        try ConfigLoader.load(configPath: configURL, environment: [:])
    }

    /// Runs `dqmon check` in-process at `now` and returns the report.
    public func run(now: Date = ProjectFixture.now, all: Bool = false, failOn: FailOn = .fail,
                    selection: Selection = Selection()) async throws -> RunReport {
        let configuration = try load()
        return try await CheckRunner.run(
            configuration: configuration,
            options: RunOptions(now: now, selection: selection, runAll: all, failOn: failOn),
            lockTimeout: 5)
    }
}

extension ProjectFixture {
    /// Loads this project's config and returns every error as `dqmon validate` prints it, with paths relative
    /// to the project (empty when the config is valid).
    public func configErrors(environment: [String: String] = [:]) -> [String] {
        do {
            _ = try ConfigLoader.load(configPath: configURL, environment: environment)
            return []
        } catch {
            return error.errors.map { $0.description.replacingOccurrences(of: root.path + "/", with: "") }
        }
    }

    /// A project whose only checks file is `checks/orders.yml` holding `yaml`: its config errors.
    public static func configErrors(checks yaml: String, project: String? = nil, environment: [String: String] = [:]) -> [String] {
        let fixture = ProjectFixture(projectYAML: project)
        fixture.checks("orders.yml", yaml)
        return fixture.configErrors(environment: environment)
    }
}
