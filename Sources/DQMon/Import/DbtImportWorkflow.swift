import Foundation

/// `dqmon import dbt MANIFEST`: reads the manifest, converts it, merges it into the output checks file (creating
/// it, or updating what an earlier import wrote), and writes it atomically.
public enum DbtImportWorkflow {
    public struct Request: Sendable {
        public var manifest: URL
        /// The manifest path as the user wrote it, for messages.
        public var manifestShown: String
        public var configPath: URL
        /// As given (`checks/dbt.yml`), relative to the project folder.
        public var output: String
        public var warehouse: String?

        public init(manifest: URL, manifestShown: String, configPath: URL, output: String, warehouse: String?) {
            self.manifest = manifest
            self.manifestShown = manifestShown
            self.configPath = configPath
            self.output = output
            self.warehouse = warehouse
        }
    }

    public struct Report: Sendable {
        public var outputShown: String
        public var manifestVersion: Int
        public var dbtVersion: String?
        public var summary: ChecksFileMerger.Summary
        public var notes: [String]
        public var freshnessChecks: Int

        /// The lines `dqmon import dbt` prints.
        public var lines: [String] {
            let s = summary
            var lines = ["wrote \(outputShown) from a dbt \(dbtVersion ?? "?") manifest (schema v\(manifestVersion)): "
                + "\(s.added.count) added, \(s.updated.count) updated, \(s.removed.count) removed, \(s.keptUserEntries) of yours kept; "
                + "\(freshnessChecks) freshness check(s)"]
            lines += s.removed.map { "removed \($0): no longer in the manifest" }
            lines += s.shadowed.map { "kept your own dataset \($0): dbt's relation of that name was not imported" }
            lines += notes.map { "note: \($0)" }
            return lines
        }
    }

    public static let header = [
        "# Written by `dqmon import dbt` from dbt's target/manifest.json. Re-running the import rewrites the entries",
        "# that carry a `dbt:` key (their name, owner, description, tags, upstream, warehouse, and the check named dbt)",
        "# and removes those dbt no longer has. Everything else here is yours and is kept: your own datasets and checks,",
        "# and keys you add to a generated entry (tier, runbook, every, sla…).",
    ]

    public static func run(_ request: Request) throws(DQMonError) -> Report {
        let project = try ProjectFile.load(request.configPath)
        let output = try ProjectFile.checksFile(request.output, project: project.directory)
        let manifest = try DbtManifestReader.read(request.manifest, shownAs: request.manifestShown)
        let warehouseType = try self.warehouseType(request.warehouse, project: project, manifest: manifest)
        let result = DbtImporter(manifest: manifest, options: .init(warehouse: request.warehouse, warehouseType: warehouseType)).convert()
        let generated = GeneratedChecksFile(header: header, datasets: result.datasets, exposures: result.exposures)
        let shown = request.output
        let (text, summary) = try merged(generated, into: output, shown: shown)
        try write(text, to: output, shown: shown)
        let version = manifest.metadata.dbtSchemaVersion.flatMap(DbtManifestReader.schemaVersion(in:)) ?? 0
        let freshness = result.datasets.reduce(0) { $0 + ($1.checks ?? []).count }
        return Report(outputShown: shown, manifestVersion: version, dbtVersion: manifest.metadata.dbtVersion, summary: summary,
                      notes: result.notes, freshnessChecks: freshness)
    }

    /// The named warehouse's type (it must exist), else the default warehouse's, else dbt's adapter type.
    static func warehouseType(_ name: String?, project: ProjectConfig, manifest: DbtManifest) throws(DQMonError) -> String {
        if name != nil || project.defaultWarehouse != nil { return try ProjectFile.warehouse(name, in: project).typeName }
        return manifest.metadata.adapterType ?? "postgres"
    }

    static func merged(_ generated: GeneratedChecksFile, into output: URL, shown: String) throws(DQMonError) -> (String, ChecksFileMerger.Summary) {
        guard FileManager.default.fileExists(atPath: output.path) else {
            let added = generated.datasets.map(\.name) + generated.exposures.map(\.name)
            return (generated.text, ChecksFileMerger.Summary(added: added))
        }
        let existing: String
        switch ConfigFileReader.read(output) {
        case .success(let text): existing = text
        case .failure(let problem): throw DQMonError(problem.error(file: shown).description)
        }
        return try ChecksFileMerger.merge(existing: existing, generated: generated, file: shown)
    }

    /// Writes through a temporary file in the same folder and a rename: a reader never sees half a file.
    static func write(_ text: String, to url: URL, shown: String) throws(DQMonError) {
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url, options: .atomic)
        } catch {
            throw DQMonError("\(shown): cannot write it (\(DbtManifestReader.reason(error)))")
        }
    }
}
