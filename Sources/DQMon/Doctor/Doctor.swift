import Foundation

/// `dqmon doctor`: everything a scheduled `dqmon check` depends on, looked at without running a check, writing
/// the history, taking the lock for longer than a look, or sending an alert. The CLI prints the report.
///
/// The history is read through a read-only connection (`HistoryStore.diagnose`), the lock is tried and released at
/// once, warehouses are asked for their catalog, version and clock only, and HTTP receivers get one `HEAD` to
/// their host (`ReceiverProbe`).
public enum Doctor {
    /// Beyond this, the machine's clock and the warehouse's disagree enough to shift freshness verdicts.
    public static let clockSkewLimit: TimeInterval = 120

    /// Looks at everything. `now` is this machine's clock (never `--now`: the point is to compare real clocks).
    public static func examine(_ configuration: Configuration, now: @escaping @Sendable () -> Date = { Date() }) async -> DoctorReport {
        var findings = [configFinding(configuration)]
        findings += await warehouseFindings(configuration, now: now)
        findings += historyFindings(configuration.project.history.path)
        findings.append(lockFinding(configuration.project.history.path))
        findings += await receiverFindings(configuration.alerts)
        return DoctorReport(findings: findings)
    }

    /// The report for a configuration that does not load: one broken line, and what could not be looked at.
    public static func invalidConfiguration(_ errors: ConfigErrors) -> DoctorReport {
        let count = errors.errors.count
        let first = errors.errors.first.map { $0.description } ?? "unreadable"
        return DoctorReport(findings: [
            DoctorFinding("config", nil, .broken, "\(count) error\(count == 1 ? "" : "s"), the first: \(first)",
                          fix: "run 'dqmon validate' for every error with its file:line:column, and correct them",
                          facts: [("errors", .array(errors.errors.map { .string($0.description) }))]),
            DoctorFinding("warehouse", nil, .notTried, "not looked at: the configuration does not load"),
        ])
    }

    static func configFinding(_ configuration: Configuration) -> DoctorFinding {
        let alerts = configuration.alerts.receivers.count
        return DoctorFinding("config", nil, .ok, """
            valid: \(configuration.project.warehouses.count) warehouse(s), \(configuration.datasets.count) dataset(s), \
            \(configuration.checks.count) check(s), \(alerts) receiver(s)
            """)
    }

    // MARK: Warehouses, tables, clock

    static func warehouseFindings(_ configuration: Configuration, now: @escaping @Sendable () -> Date) async -> [DoctorFinding] {
        await withTaskGroup(of: (Int, [DoctorFinding]).self) { group in
            for (index, warehouse) in configuration.project.warehouses.enumerated() {
                let datasets = configuration.datasets.filter { $0.warehouse == warehouse.name }
                group.addTask { (index, await examine(warehouse, datasets: datasets, now: now)) }
            }
            var byIndex: [Int: [DoctorFinding]] = [:]
            for await (index, findings) in group { byIndex[index] = findings }
            return byIndex.keys.sorted().flatMap { byIndex[$0] ?? [] }
        }
    }

    static func examine(_ config: WarehouseConfig, datasets: [DatasetConfig], now: @escaping @Sendable () -> Date) async -> [DoctorFinding] {
        let started = Date()
        let warehouse: any Warehouse
        let catalog: Catalog
        do throws(WarehouseError) {
            warehouse = try await config.settings.connect(name: config.name)
        } catch {
            return [DoctorFinding("warehouse", config.name, .broken, "cannot connect: \(error.message)",
                                  fix: "check its settings in dqmon.yml (\(config.location)), the network path and the credentials")]
                + datasets.map { DoctorFinding("dataset", $0.name, .notTried, "table \($0.table) not looked for: warehouse '\(config.name)' is unreachable") }
        }
        do throws(WarehouseError) {
            catalog = try await warehouse.catalog(for: datasets.map(\.table))
        } catch {
            await warehouse.close()
            return [DoctorFinding("warehouse", config.name, .broken, "connected, but its catalog cannot be read: \(error.message)",
                                  fix: "grant the dqmon user read access to the catalog (information_schema / pg_catalog)")]
        }
        let connectSeconds = Date().timeIntervalSince(started)
        var findings = [await versionFinding(config, warehouse: warehouse, connectSeconds: connectSeconds)]
        findings += datasets.map { tableFinding($0, catalog: catalog) }
        findings.append(await clockFinding(config, warehouse: warehouse, now: now))
        await warehouse.close()
        return findings
    }

    static func versionFinding(_ config: WarehouseConfig, warehouse: any Warehouse, connectSeconds: TimeInterval) async -> DoctorFinding {
        var version = "server version not asked (no probe for type '\(config.typeName)')"
        var facts: [(String, JSONValue)] = [("type", .string(config.typeName)), ("connect_ms", .number((connectSeconds * 1000).rounded()))]
        if let probing = warehouse.dialect as? any DoctorProbing {
            do throws(WarehouseError) {
                let row = try await warehouse.queryRow(probing.serverVersionQuery)
                if case .text(let text)? = row.first {
                    version = text
                    facts.append(("server_version", .string(text)))
                }
            } catch {
                version = "server version unknown (\(error.message))"
            }
        }
        return DoctorFinding("warehouse", config.name, .ok,
                             "reachable (\(config.typeName), \(Format.fixed(connectSeconds * 1000, places: 0)) ms), catalog readable, \(version)",
                             facts: facts)
    }

    static func tableFinding(_ dataset: DatasetConfig, catalog: Catalog) -> DoctorFinding {
        if let columns = catalog.columns(of: dataset.table) {
            return DoctorFinding("dataset", dataset.name, .ok, "table \(dataset.table) present (\(columns.count) columns)",
                                 facts: [("table", .string(dataset.table.description)), ("columns", .number(Double(columns.count)))])
        }
        return DoctorFinding("dataset", dataset.name, .broken, "table \(dataset.table) not found in warehouse '\(dataset.warehouse)'",
                             fix: "create it, grant the dqmon user SELECT on it, or correct 'name:' at \(dataset.location)",
                             facts: [("table", .string(dataset.table.description))])
    }

    /// The warehouse's clock against this machine's, half the query's round trip taken off as latency.
    static func clockFinding(_ config: WarehouseConfig, warehouse: any Warehouse, now: @escaping @Sendable () -> Date) async -> DoctorFinding {
        guard let probing = warehouse.dialect as? any DoctorProbing else {
            return DoctorFinding("clock", config.name, .notTried, "not compared: no clock query for type '\(config.typeName)'")
        }
        let before = now()
        let serverTime: Double?
        do throws(WarehouseError) { serverTime = try await warehouse.queryRow(probing.clockQuery).first?.double } catch {
            return DoctorFinding("clock", config.name, .notTried, "not compared: \(error.message)")
        }
        let after = now()
        guard let serverTime, serverTime.isFinite else {
            return DoctorFinding("clock", config.name, .notTried, "not compared: the warehouse returned no time")
        }
        let local = (before.timeIntervalSince1970 + after.timeIntervalSince1970) / 2
        let measured = serverTime - local
        let skew = abs(measured) < 0.0005 ? 0 : measured  // no "-0.000 s"
        let facts: [(String, JSONValue)] = [("skew_seconds", .number((skew * 1000).rounded() / 1000))]
        let shown = (skew >= 0 ? "+" : "-") + Format.fixed(abs(skew), places: 3) + " s"
        if abs(skew) > clockSkewLimit {
            return DoctorFinding("clock", config.name, .broken,
                                 "warehouse now() is \(shown) from this machine's clock (more than \(Format.age(clockSkewLimit)))",
                                 fix: "synchronize the clocks (timedatectl status; chrony or systemd-timesyncd): freshness ages would be off by as much",
                                 facts: facts)
        }
        return DoctorFinding("clock", config.name, .ok, "warehouse now() is \(shown) from this machine's clock", facts: facts)
    }

    // MARK: History and lock

    static func historyFindings(_ path: URL) -> [DoctorFinding] {
        let display = ConfigLoader.displayPath(path)
        let history = HistoryStore.diagnose(path: path)
        var findings: [DoctorFinding] = []
        if !history.writable {
            findings.append(DoctorFinding("history", "file", .broken, "\(display) is not writable by this user",
                                          fix: "run dqmon as the user that owns it, or chown/chmod it and its folder (runs write a journal beside it)"))
        } else if !history.exists {
            findings.append(DoctorFinding("history", "file", .ok, "\(display) does not exist yet; the first 'dqmon check' creates it (its folder is writable)"))
            return findings
        } else {
            findings.append(DoctorFinding("history", "file", .ok, "\(display) is writable, \(Format.fixed(Double(history.sizeBytes) / 1_048_576, places: 1)) MiB",
                                          facts: [("path", .string(display)), ("size_bytes", .number(Double(history.sizeBytes)))]))
        }
        guard history.exists else { return findings }
        if let problem = history.integrityProblem {
            findings.append(DoctorFinding("history", "integrity", .broken, problem,
                                          fix: "restore a copy made with 'dqmon history backup PATH', or move the file aside to start a new history"))
            return findings
        }
        findings.append(DoctorFinding("history", "integrity", .ok, "quick_check ok"))
        findings.append(migrationFinding(history))
        findings.append(runsFinding(history))
        findings.append(alertsFinding(history))
        if let damaged = history.damagedValue {   // a wrong-typed stored value: commands read it leniently, named here
            findings.append(DoctorFinding("history", "values", .attention, "\(display): \(damaged.message)", fix: damaged.fix(display)))
        }
        return findings
    }

    static func migrationFinding(_ history: HistoryDiagnosis) -> DoctorFinding {
        if let unknown = history.unknownMigration {
            return DoctorFinding("history", "migrations", .broken, "written by a newer dqmon (migration '\(unknown)' is unknown to dqmon \(DQMonVersion.current))",
                                 fix: "upgrade dqmon on this machine to the version that wrote the history")
        }
        if history.pendingMigrations.isEmpty { return DoctorFinding("history", "migrations", .ok, "current") }
        return DoctorFinding("history", "migrations", .ok,
                             "\(history.pendingMigrations.count) to apply (\(history.pendingMigrations.joined(separator: ", "))); the next writing command applies them",
                             facts: [("pending_migrations", .array(history.pendingMigrations.map(JSONValue.string)))])
    }

    static func runsFinding(_ history: HistoryDiagnosis) -> DoctorFinding {
        var facts: [(String, JSONValue)] = [("runs", .number(Double(history.runCount)))]
        guard let oldest = history.oldestRun, let newest = history.newestRun else {
            return DoctorFinding("history", "runs", .ok, "no runs recorded yet", facts: facts)
        }
        facts += [("oldest_run", .string(ISO8601.string(from: oldest))), ("newest_run", .string(ISO8601.string(from: newest)))]
        return DoctorFinding("history", "runs", .ok,
                             "\(Format.count(Double(history.runCount))) runs, oldest \(Format.timestamp(oldest)), newest \(Format.timestamp(newest))",
                             facts: facts)
    }

    static func alertsFinding(_ history: HistoryDiagnosis) -> DoctorFinding {
        let facts: [(String, JSONValue)] = [("pending", .number(Double(history.pendingNotifications))),
                                            ("failed", .number(Double(history.failedNotifications)))]
        if history.pendingNotifications == 0 && history.failedNotifications == 0 {
            return DoctorFinding("alerts", nil, .ok, "no pending or failed notifications", facts: facts)
        }
        return DoctorFinding("alerts", nil, .attention,
                             "\(history.pendingNotifications) pending, \(history.failedNotifications) failed notification(s)",
                             fix: "'dqmon alerts' lists them with their last error; 'dqmon alerts flush' retries the pending ones", facts: facts)
    }

    /// Tries the run lock without waiting and lets go at once. A missing lock file means nobody holds it (and is not created).
    static func lockFinding(_ history: URL) -> DoctorFinding {
        let lockPath = history.path + ".lock"
        let display = ConfigLoader.displayPath(URL(fileURLWithPath: lockPath))
        guard FileManager.default.fileExists(atPath: lockPath) else { return DoctorFinding("lock", nil, .ok, "free (no lock file yet)") }
        do {
            let lock = try RunLock.acquire(for: history, timeout: 0)
            withExtendedLifetime(lock) {}
            return DoctorFinding("lock", nil, .ok, "free")
        } catch {
            return DoctorFinding("lock", nil, .attention, "held by another dqmon process right now (a run in progress?)",
                                 fix: "if no run should be going on, look for a stuck one: fuser \(display)")
        }
    }

    // MARK: Receivers

    static func receiverFindings(_ alerts: AlertsConfig) async -> [DoctorFinding] {
        let timeout = min(alerts.delivery.timeout.seconds, 10)
        var findings: [DoctorFinding] = []
        for receiver in alerts.receivers {
            let outcome = await ReceiverProbe.probe(receiver, timeout: timeout)
            findings.append(receiverFinding(receiver, outcome: outcome, secrets: alerts.secrets))
        }
        return findings
    }

    static func receiverFinding(_ receiver: ReceiverConfig, outcome: ReceiverProbe.Outcome, secrets: [Secret]) -> DoctorFinding {
        let type = type(of: receiver.settings).typeName
        let facts: [(String, JSONValue)] = [("type", .string(type))]
        switch outcome {
        case .answered(let status, let origin):
            return DoctorFinding("receiver", receiver.name, .ok, """
                host reachable (HEAD \(Secret.scrub(origin, secrets: secrets)) answered HTTP \(status)); no message sent, so the \
                webhook itself is not proven ('dqmon alerts test' sends one)
                """, facts: facts + [("http_status", .number(Double(status)))])
        case .writable(let path):
            return DoctorFinding("receiver", receiver.name, .ok, "\(path) is writable (nothing written)", facts: facts)
        case .failed(let reason):
            return DoctorFinding("receiver", receiver.name, .alerting, "\(receiver.settings.destination) unreachable: \(Secret.scrub(reason, secrets: secrets))",
                                 fix: "check DNS, the proxy (HTTPS_PROXY) and the firewall from this machine; alerts would stay pending", facts: facts)
        case .notTried(let reason):
            return DoctorFinding("receiver", receiver.name, .notTried, "not tried: \(reason)", facts: facts)
        }
    }
}
