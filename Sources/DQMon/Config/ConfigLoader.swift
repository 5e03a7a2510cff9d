import Foundation
import Yams

/// Loads and validates dqmon.yml, checks/*.yml and alerts/*.yml.
///
/// Every problem in every file is collected and thrown together as `ConfigErrors`, each with
/// `file:line:column`, so `dqmon validate` reports them all at once. Nothing is run or written.
public enum ConfigLoader {
    public static let supportedVersion = 1

    /// - Parameters:
    ///   - configPath: dqmon.yml; checks/ is read from the same folder.
    ///   - environment: the variables `${VAR}` expands from (the process environment by default).
    ///   - registries: the check, warehouse and receiver types the files may name (dqmon's own by default).
    public static func load(configPath: URL, environment: [String: String] = ProcessInfo.processInfo.environment,
                            registries: Registries = .builtIn) throws(ConfigErrors) -> Configuration {
        let loaded = Registries.$current.withValue(registries) {
            Result { () throws(ConfigErrors) in try loadFiles(configPath: configPath, environment: environment) }
        }
        return try loaded.get()
    }

    static func loadFiles(configPath: URL, environment: [String: String]) throws(ConfigErrors) -> Configuration {
        let diagnostics = Diagnostics()
        let directory = configPath.deletingLastPathComponent()
        var hasher = FNV1a()
        // A broken dqmon.yml does not stop the checks and alerts files from being read: validate lists
        // every error at once. Only references to warehouses are left unjudged, since their names are unknown.
        let projectNode = readYAML(configPath, diagnostics: diagnostics, environment: environment, hasher: &hasher)
        let project = projectNode.map { ProjectConfig.parse($0, directory: directory) } ?? ProjectConfig.placeholder(directory: directory)
        var datasets: [DatasetConfig] = []
        var exposures: [ExposureConfig] = []
        for file in checkFiles(in: directory.appendingPathComponent("checks")) {
            guard let root = readYAML(file, diagnostics: diagnostics, environment: environment, hasher: &hasher) else { continue }
            datasets += parseChecksFile(root, project: project)
            exposures += ExposureConfig.parseList(in: root)
            releaseLater(consume root)
        }
        validateReferences(datasets, project: project, diagnostics: diagnostics)
        let lineage = LineageValidation.validate(datasets: datasets, exposures: exposures, diagnostics: diagnostics)
        let alerts = AlertsConfigLoader.load(directory: directory.appendingPathComponent("alerts"), diagnostics: diagnostics,
                                             environment: environment, hasher: &hasher)
        guard diagnostics.errors.isEmpty else { throw ConfigErrors(sortedByPosition(diagnostics.errors)) }
        return Configuration(project: project, datasets: datasets, hash: hasher.hexDigest, alerts: alerts, exposures: exposures, lineage: lineage)
    }

    /// Errors grouped by file (in the order files were read), then by line and column.
    static func sortedByPosition(_ errors: [ConfigError]) -> [ConfigError] {
        var fileOrder: [String: Int] = [:]
        for error in errors where fileOrder[error.file ?? ""] == nil { fileOrder[error.file ?? ""] = fileOrder.count }
        return errors.enumerated().sorted { left, right in
            let a = left.element, b = right.element
            let keyA = (fileOrder[a.file ?? ""] ?? 0, a.location?.line ?? 0, a.location?.column ?? 0, left.offset)
            let keyB = (fileOrder[b.file ?? ""] ?? 0, b.location?.line ?? 0, b.location?.column ?? 0, right.offset)
            return keyA < keyB
        }.map(\.element)
    }

    static func checkFiles(in directory: URL) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".yml") || $0.hasSuffix(".yaml") }.sorted()
            .map { directory.appendingPathComponent($0) }
    }

    static func parseChecksFile(_ root: ConfigNode, project: ProjectConfig) -> [DatasetConfig] {
        guard let fields = root.fields(of: "checks file", allowed: ["version", "datasets", "exposures"]) else { return [] }
        checkVersion(fields)
        // A file may hold only exposures (Lineage/ExposureConfig reads them).
        if !fields.has("datasets") && fields.has("exposures") { return [] }
        guard let items = fields.require("datasets")?.items(describing: "'datasets'") else { return [] }
        // Read once per file, not per dataset and check: the resolver standardizes a URL, the registry is task-local.
        let runbooks = project.runbooks
        let checkTypes = Registries.current.checks
        return parseDatasets(items, project: project, runbooks: runbooks, checkTypes: checkTypes)
    }

    /// Reads and composes one YAML file; reports a missing file, a syntax error or an empty document.
    static func readYAML(_ url: URL, diagnostics: Diagnostics, environment: [String: String], hasher: inout FNV1a) -> ConfigNode? {
        let file = displayPath(url)
        let text: String
        switch ConfigFileReader.read(url) {
        case .success(let contents): text = contents
        case .failure(let problem):
            diagnostics.report(problem.error(file: file))
            return nil
        }
        hasher.combine(file)
        hasher.combine(text)
        do {
            // `.basic`: dqmon reads every scalar as text and judges it itself, so it needs none of Yams' implicit
            // tags; the default resolver compiles seven ICU regular expressions on first use (~2 ms of every command).
            // Plain files (nearly all) are composed from libyaml's events directly; anything else, errors included,
            // by Yams (its tree converted to the same `YAMLTree`), so what a user sees does not depend on which one
            // composed the file.
            guard let tree = try YAMLEventComposer.compose(text) ?? Yams.compose(yaml: text, .basic).map(YAMLTree.init(converting:)) else {
                diagnostics.report(ConfigError("the file is empty; it must start with 'version: 1'", file: file))
                return nil
            }
            return ConfigNode(root: tree, file: file, diagnostics: diagnostics, environment: environment)
        } catch let error as YamlError {
            diagnostics.report(syntaxError(error, file: file, text: text))
            return nil
        } catch {
            diagnostics.report(ConfigError("YAML syntax error: \(oneLine("\(error)"))", file: file))
            return nil
        }
    }

    /// One line at the error's position, whatever Yams reports (its own descriptions span several lines).
    static func syntaxError(_ error: YamlError, file: String, text: String) -> ConfigError {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _), .composer(let context, let problem, let mark, _):
            let detail = [context.map { "\($0.text)" }, problem].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ", ")
            return ConfigError("YAML syntax error: \(oneLine(detail))", at: SourceLocation(file: file, line: mark.line, column: mark.column))
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.map { ConfigText.quoted($0) }.joined(separator: ", ")
            return ConfigError("duplicate key \(keys) in one mapping (each key may appear once)",
                               at: SourceLocation(file: file, line: context.mark.line, column: context.mark.column))
        case .reader(let problem, let offset, let value, _):
            let at = offset.map { position(ofCharacter: $0, in: text) } ?? (line: 1, column: 1)
            let character = String(format: "U+%04X", value)
            let message = problem.hasPrefix("control characters") ? "control character \(character) is not allowed in YAML; remove it"
                : "\(oneLine(problem)) (\(character)); remove it"
            return ConfigError(message, at: SourceLocation(file: file, line: at.line, column: at.column))
        default:
            return ConfigError("YAML syntax error: \(oneLine("\(error)"))", file: file)
        }
    }

    /// Line and column (1-based, in characters) of the character at `offset`.
    static func position(ofCharacter offset: Int, in text: String) -> (line: Int, column: Int) {
        var line = 1, column = 1
        for character in text.prefix(max(offset, 0)) {
            if character == "\n" || character == "\r\n" { line += 1; column = 1 } else { column += 1 }
        }
        return (line, column)
    }

    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.joined(separator: " ")
    }

    /// Every file starts with `version: 1`.
    static func checkVersion(_ fields: ConfigFields) {
        guard let node = fields["version"] else {
            fields.owner.error("missing 'version: 1' at the top of the file")
            return
        }
        guard let text = node.text(describing: "'version'") else { return }
        if Int(text) != supportedVersion {
            node.error("unsupported version '\(text)' (this dqmon reads version: \(supportedVersion))")
        }
    }

    /// Unknown warehouses and duplicate check ids, which need every file to judge.
    ///
    /// A warehouse that is declared but invalid (a bad URL) was reported where it is defined; datasets that
    /// name it are not reported again, so the user sees the root error once.
    static func validateReferences(_ datasets: [DatasetConfig], project: ProjectConfig, diagnostics: Diagnostics) {
        var firstCheck: [String: SourceLocation] = [:]
        firstCheck.reserveCapacity(datasets.reduce(0) { $0 + $1.checks.count })
        let warehouseNames = project.warehouses.map(\.name)
        for dataset in datasets {
            let isDeclared = project.declaredWarehouseNames.map { $0.contains(dataset.warehouse) } ?? true
            if isDeclared && project.warehouse(named: dataset.warehouse) == nil {
                // dqmon.yml could not be read, or this warehouse's own definition is in error: said already.
            } else if dataset.warehouse.isEmpty {
                diagnostics.report("dataset '\(dataset.name)' has no 'warehouse' and dqmon.yml sets no 'default_warehouse'", at: dataset.location)
            } else if project.warehouse(named: dataset.warehouse) == nil {
                diagnostics.report("unknown warehouse '\(dataset.warehouse)'\(Suggestion.hint(for: dataset.warehouse, in: warehouseNames)); define it under 'warehouses' in dqmon.yml", at: dataset.warehouseLocation ?? dataset.location)
            }
            // One scope per dataset, not per check: making one copies the dataset (all its checks) and retains the list.
            let scope = ConfigScope(datasets: datasets, checkedDataset: dataset, warehouseNames: warehouseNames)
            for check in dataset.checks {
                for error in check.spec.configErrors(in: scope) { diagnostics.report(error) }
                if let first = firstCheck[check.id] {
                    diagnostics.report("duplicate check id '\(check.id)' (first defined at \(first)); give one of them a distinct 'name:'", at: check.location)
                } else {
                    firstCheck[check.id] = check.location
                }
            }
        }
    }

    /// A runbook is an http(s) URL or a file that resolves inside the project folder (`RunbookResolver`).
    static func checkRunbook(_ runbook: String, node: ConfigNode, resolver: RunbookResolver) {
        if case .failure(let problem) = resolver.resolve(runbook) { node.error(problem.message(for: runbook)) }
    }

    /// A path relative to the current folder when it lies below it, so errors read `checks/orders.yml:3:5`.
    public static func displayPath(_ url: URL) -> String {
        let path = url.standardizedFileURL.path
        let current = FileManager.default.currentDirectoryPath
        let prefix = current.hasSuffix("/") ? current : current + "/"
        return path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path
    }
}

/// A small, stable, non-cryptographic hash (FNV-1a 64) for the config hash stored with each run.
struct FNV1a {
    private var state: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func combine(_ text: String) {
        // Over the contiguous bytes when the string has them (native strings do): the view's iterator is slower.
        if text.utf8.withContiguousStorageIfAvailable({ combine(bytes: $0) }) == nil {
            for byte in text.utf8 { combine(byte: byte) }
        }
        state ^= 0xff
    }

    private mutating func combine(bytes: UnsafeBufferPointer<UInt8>) {
        for byte in bytes { combine(byte: byte) }
    }

    private mutating func combine(byte: UInt8) {
        state ^= UInt64(byte)
        state = state &* 0x100_0000_01b3
    }

    var hexDigest: String { String(format: "%016llx", state) }
}
