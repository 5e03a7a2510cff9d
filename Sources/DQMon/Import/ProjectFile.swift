import Foundation

/// dqmon.yml alone, for commands that write config (`import dbt`, `init`): they need the project's warehouses, not
/// the checks files they may be about to write (which may not be valid yet).
public enum ProjectFile {
    /// The parsed dqmon.yml; its errors as one `DQMonError` listing each `file:line:column: message` (exit 3).
    public static func load(_ configPath: URL, environment: [String: String] = ProcessInfo.processInfo.environment) throws(DQMonError) -> ProjectConfig {
        let diagnostics = Diagnostics()
        var hasher = FNV1a()
        let node = ConfigLoader.readYAML(configPath, diagnostics: diagnostics, environment: environment, hasher: &hasher)
        let project = node.map { ProjectConfig.parse($0, directory: configPath.deletingLastPathComponent()) }
        guard let project, diagnostics.errors.isEmpty else {
            throw DQMonError(configuration: ConfigErrors(ConfigLoader.sortedByPosition(diagnostics.errors)))
        }
        return project
    }

    /// The warehouse `name` names (nil: the default one), or an error with the names there are.
    public static func warehouse(_ name: String?, in project: ProjectConfig, flag: String = "--warehouse") throws(DQMonError) -> WarehouseConfig {
        let names = project.warehouses.map(\.name)
        guard let chosen = name ?? project.defaultWarehouse ?? (names.count == 1 ? names.first : nil) else {
            throw DQMonError("\(flag) is needed: dqmon.yml has no default_warehouse; choose one of: \(names.joined(separator: ", "))")
        }
        guard let warehouse = project.warehouse(named: chosen) else {
            throw DQMonError("\(flag) \(ConfigText.quoted(chosen)): no such warehouse in dqmon.yml\(Suggestion.hint(for: chosen, in: names)); it has: \(names.isEmpty ? "none" : names.joined(separator: ", "))")
        }
        return warehouse
    }

    /// `path` (as given on the command line) as a file directly in the project's `checks/` folder, where
    /// dqmon reads checks files; anything else (absolute elsewhere, `..`, another folder, not `.yml`) is an error.
    public static func checksFile(_ path: String, project directory: URL, flag: String = "--output") throws(DQMonError) -> URL {
        let checks = directory.appendingPathComponent("checks").standardizedFileURL
        let url = (path.hasPrefix("/") ? URL(fileURLWithPath: path) : directory.appendingPathComponent(path)).standardizedFileURL
        let shown = ConfigText.quoted(path)
        guard url.deletingLastPathComponent().path == checks.path else {
            throw DQMonError("\(flag) \(shown) is not in the project's checks/ folder, where dqmon reads checks files; write e.g. \(flag) checks/dbt.yml")
        }
        guard url.pathExtension == "yml" || url.pathExtension == "yaml", url.lastPathComponent.count > 4 else {
            throw DQMonError("\(flag) \(shown) must end in .yml (dqmon reads checks/*.yml); write e.g. \(flag) checks/dbt.yml")
        }
        return url
    }
}
