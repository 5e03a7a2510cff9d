import Foundation

/// `dqmon init --warehouse NAME`: a starting checks file for a warehouse nobody has configured yet.
///
/// One catalog query lists the schema's tables; each becomes a dataset with a schema check, a volume check and,
/// when a column looks like a load or update time (`LoadTimeColumn`), a freshness check. Thresholds are defaults,
/// commented as such, unless `profile` is set: then one statement per table measures its row count and latest
/// timestamp and the thresholds are proposed from that one measurement, commented with what was seen.
/// An existing output file is never replaced unless `force` is set.
public enum InitWorkflow {
    public struct Request: Sendable {
        public var configPath: URL
        public var warehouse: String
        public var schema: String?
        public var output: String?
        public var force: Bool
        public var profile: Bool
        public var now: Date

        public init(configPath: URL, warehouse: String, schema: String?, output: String?, force: Bool, profile: Bool, now: Date) {
            self.configPath = configPath
            self.warehouse = warehouse
            self.schema = schema
            self.output = output
            self.force = force
            self.profile = profile
            self.now = now
        }
    }

    public struct Report: Sendable {
        public var outputShown: String
        public var tables: Int
        public var freshnessChecks: Int
        public var profiled: Bool

        public var line: String {
            "wrote \(outputShown): \(tables) dataset(s) with schema and volume checks, \(freshnessChecks) freshness check(s)"
                + (profiled ? "; thresholds proposed from one measurement of each table" : "; default thresholds (--profile proposes them from the data)")
        }
    }

    public static func run(_ request: Request) async throws(DQMonError) -> Report {
        let project = try ProjectFile.load(request.configPath)
        let config = try ProjectFile.warehouse(request.warehouse, in: project)
        let shown = request.output ?? "checks/\(request.warehouse).yml"
        let output = try ProjectFile.checksFile(shown, project: project.directory)
        if !request.force, FileManager.default.fileExists(atPath: output.path) {
            throw DQMonError("\(shown) exists; nothing was written: pass --force to replace it, or choose another --output")
        }
        let warehouse: any Warehouse
        do {
            warehouse = try await config.settings.connect(name: config.name)
        } catch {
            throw DQMonError(error)
        }
        let entries: [GeneratedEntry]
        do {
            let catalog = try await warehouse.catalog(ofSchema: request.schema)
            entries = try await InitDatasets(warehouse: warehouse, typeName: config.typeName, now: request.now,
                                             profile: request.profile).entries(for: catalog)
            await warehouse.close()
        } catch {
            await warehouse.close()
            throw DQMonError(error)
        }
        let file = GeneratedChecksFile(header: header(request, warehouse: config.name), datasets: entries)
        try DbtImportWorkflow.write(file.text, to: output, shown: shown)
        let freshness = entries.reduce(0) { count, entry in count + (entry.checks ?? []).filter { $0.text.hasPrefix("freshness:") }.count }
        return Report(outputShown: shown, tables: entries.count, freshnessChecks: freshness, profiled: request.profile)
    }

    static func header(_ request: Request, warehouse: String) -> [String] {
        let schema = request.schema.map { " schema \($0) of" } ?? ""
        return [
            "# A starting point written by `dqmon init` from the catalog of\(schema) warehouse \(warehouse) at \(Format.timestamp(request.now)).",
            "# Review it: set tiers, owners and runbooks, tune the thresholds (the comments say where each came from),",
            "# and delete what you do not want monitored. dqmon init never overwrites this file without --force.",
        ]
    }
}

/// The datasets `dqmon init` proposes for a catalog.
struct InitDatasets {
    let warehouse: any Warehouse
    let typeName: String
    let now: Date
    let profile: Bool

    func entries(for catalog: Catalog) async throws(WarehouseError) -> [GeneratedEntry] {
        var entries: [GeneratedEntry] = []
        let tables = catalog.tables.keys.sorted { ($0.schema ?? "", $0.table) < ($1.schema ?? "", $1.table) }
        for table in tables {
            let columns = catalog.tables[table] ?? []
            let loadTime = LoadTimeColumn.pick(from: columns)
            let measurement = profile ? try await measure(table, loadTime: loadTime) : nil
            entries.append(entry(table, loadTime: loadTime, measurement: measurement))
        }
        return entries
    }

    struct Measurement {
        var rows: Double?
        var latest: Double?
    }

    /// `SELECT count(*), max(<epoch seconds of the column>)` on one table: the one statement `--profile` runs per table.
    func measure(_ table: TableName, loadTime: CatalogColumn?) async throws(WarehouseError) -> Measurement {
        let dialect = warehouse.dialect
        var select = "count(*)"
        if let loadTime { select += ", max(\(dialect.epochSeconds(of: dialect.quote(loadTime.name), declaredType: loadTime.declaredType)))" }
        let row = try await warehouse.queryRow(SQLStatement("SELECT \(select) FROM \(dialect.qualifiedName(table))"))
        return Measurement(rows: row.first?.double, latest: row.count > 1 ? row[1].double : nil)
    }

    func entry(_ table: TableName, loadTime: CatalogColumn?, measurement: Measurement?) -> GeneratedEntry {
        let name = typeName == "sqlite" ? table.table : table.description
        var checks = [GeneratedCheck("schema: { on_added: warn, on_removed: fail, on_type_changed: fail }")]
        checks.append(volumeCheck(rows: measurement?.rows))
        if let loadTime { checks.append(InitThresholds.freshness(column: loadTime.name, latest: measurement?.latest, now: now, measured: profile)) }
        return GeneratedEntry(name: name, checks: checks)
    }

    func volumeCheck(rows: Double?) -> GeneratedCheck {
        guard let rows, rows.isFinite, rows >= 0, rows < 1e18 else {
            return GeneratedCheck("volume: { min_rows: 1 }", comment: "default: the table must not be empty" + (profile ? " (its row count could not be read)" : ""))
        }
        let count = Int64(rows)
        guard count > 0 else { return GeneratedCheck("volume: { min_rows: 0 }", comment: "table empty when generated") }
        return GeneratedCheck("volume: { min_rows: 1, max_change: 50% }", comment: "\(Format.count(rows)) row\(count == 1 ? "" : "s") when generated")
    }
}

/// Freshness thresholds: defaults, or proposed from the age of the latest row seen once.
enum InitThresholds {
    static let defaultWarn = Interval(seconds: 86_400)
    static let defaultError = Interval(seconds: 2 * 86_400)

    static func freshness(column: String, latest: Double?, now: Date, measured: Bool) -> GeneratedCheck {
        let columnText = YAMLText.scalar(column)
        guard measured, let latest, latest.isFinite else {
            let why = measured ? "default: \(column) held no readable timestamp when generated" : "default thresholds, not measured (dqmon init --profile proposes them from the data)"
            return GeneratedCheck("freshness: { column: \(columnText), warn_after: \(defaultWarn), error_after: \(defaultError) }", comment: oneLine(why))
        }
        // Whole seconds: a text timestamp read through julianday() comes back a few microseconds off.
        let age = max(now.timeIntervalSince1970 - latest, 0).rounded()
        let (warn, error) = proposed(forAge: age)
        return GeneratedCheck("freshness: { column: \(columnText), warn_after: \(warn), error_after: \(error) }",
                              comment: oneLine("latest row \(Format.age(age)) old when generated"))
    }

    /// warn after twice the age seen (at least 1h, rounded up to the hour), fail after twice that; capped at a year.
    static func proposed(forAge age: Double) -> (Interval, Interval) {
        let hour = 3_600.0
        let warnHours = min(max((2 * age / hour).rounded(.up), 1), 4_380)
        return (Interval(seconds: warnHours * hour), Interval(seconds: 2 * warnHours * hour))
    }

    /// A comment is one line whatever a column name holds.
    static func oneLine(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7f || $0 == "\u{2028}" || $0 == "\u{2029}" || $0 == "\u{85}" ? "?" : $0 }))
    }
}

/// Which column looks like the time a row was loaded or last updated: timestamp types first, then by name.
public enum LoadTimeColumn {
    /// Names in order of preference: load times over update times over creation times.
    public static let preferredNames = ["_etl_loaded_at", "_loaded_at", "loaded_at", "_sdc_batched_at", "_fivetran_synced",
                                        "_airbyte_extracted_at", "ingested_at", "updated_at", "last_updated", "last_modified",
                                        "modified_at", "modified", "updated", "inserted_at", "created_at", "created",
                                        "event_time", "timestamp", "ts"]

    public static func pick(from columns: [CatalogColumn]) -> CatalogColumn? {
        columns.compactMap { column in score(column).map { (column, $0) } }
            .min { $0.1.lexicographicallyPrecedes($1.1) }?.0
    }

    /// Lower is better; nil: not a candidate. (type rank, name rank, position).
    static func score(_ column: CatalogColumn) -> [Int]? {
        let name = column.name.lowercased()
        let type = column.declaredType.lowercased()
        let typeRank: Int
        if type.contains("timestamp") || type.contains("datetime") {
            typeRank = 0
        } else if type == "date" {
            typeRank = 1
        } else if type.isEmpty || type.contains("text") || type.contains("char") || type.contains("int") || type.contains("real") || type.contains("numeric") {
            typeRank = 2  // SQLite and others store timestamps as text or epoch numbers: only by name
        } else {
            return nil
        }
        let nameRank = preferredNames.firstIndex(of: name) ?? (name.hasSuffix("_at") || name.hasSuffix("_time") || name.hasSuffix("_ts") ? preferredNames.count : nil)
        guard let nameRank else { return typeRank < 2 ? [typeRank, preferredNames.count + 1, column.position] : nil }
        return [typeRank, nameRank, column.position]
    }
}
