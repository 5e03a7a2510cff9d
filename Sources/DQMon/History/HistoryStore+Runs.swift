import Foundation
import GRDB
import GRDBSQLite

/// Runs, results, per-check state and metric points: recording a run and reading results back.
extension HistoryStore {
    /// Writes a run, its results and its metric points in one transaction, and returns the run id.
    @discardableResult
    public func record(run: RunRecord, results: [CheckResult], metrics: [SeriesPoint]) throws(HistoryError) -> Int64 {
        try recordRun { transaction in try transaction.insert(run: run, results: results, metrics: metrics) }
    }

    /// Scheduling and baseline state of each check that has ever been evaluated.
    public func checkStates() throws(HistoryError) -> [String: CheckState] {
        try snapshot { transaction in try transaction.checkStates() }
    }

    /// Check states read without creating, migrating or writing the history (for `--dry-run`).
    public static func checkStatesReadOnly(path: URL) throws(HistoryError) -> [String: CheckState] {
        guard FileManager.default.fileExists(atPath: path.path) else { return [:] }
        do {
            var configuration = GRDB.Configuration()
            configuration.readonly = true
            let queue = try DatabaseQueue(path: path.path, configuration: configuration)
            return try queue.read { db in
                guard try db.tableExists("check_state") else { return [:] }
                return try HistoryTransaction(db).checkStates()
            }
        } catch {
            if HistoryIntegrity.isCorruption(error) { throw HistoryIntegrity.corrupt(path, detail: describe(error)) }
            throw HistoryError(path: ConfigLoader.displayPath(path), message: "cannot read: \(describe(error))")
        }
    }

    /// One check's results, newest first.
    public func results(checkID: String, since: Date? = nil, limit: Int = 100) throws(HistoryError) -> [CheckResult] {
        try snapshot { transaction in
            try transaction.results(checkID: checkID, from: since?.timeIntervalSince1970 ?? -Double.greatestFiniteMagnitude,
                                    through: .infinity, limit: limit)
        }
    }

    /// Number of runs stored.
    public func runCount() throws(HistoryError) -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM runs") ?? 0 }
    }
}

/// The statements that record a run, inside the run's transaction, and the reads of results and check state.
extension HistoryTransaction {
    /// Writes one run: its row, its results, the SLA running totals, its metric points, the per-check state and the
    /// results' artifacts (a schema check's snapshot). Returns the new run id.
    public func insert(run: RunRecord, results: [CheckResult], metrics: [SeriesPoint]) throws -> Int64 {
        let runID = try insertRun(run, results: results)
        try insert(results: results, runID: runID)
        try addRunTotals(results: results)
        try insert(metrics: metrics, runID: runID)
        try updateCheckStates(results: results)
        try insertArtifacts(of: results, runID: runID)
        return runID
    }

    /// The run's row, with its result counts by status; returns its id.
    func insertRun(_ run: RunRecord, results: [CheckResult]) throws -> Int64 {
        let count = { (status: CheckStatus) in
            var count = 0
            for index in results.indices where results[index].status == status { count += 1 }  // no copy of each result
            return count
        }
        try db.execute(sql: """
            INSERT INTO runs (started_at, finished_at, evaluated_at, dqmon_version, config_hash, host, selection,
                              check_count, pass_count, warn_count, fail_count, error_count, exit_code)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [
                run.startedAt.timeIntervalSince1970, run.finishedAt.timeIntervalSince1970, run.evaluatedAt.timeIntervalSince1970,
                run.dqmonVersion, run.configHash, run.host, run.selection, results.count,
                count(.pass), count(.warn), count(.fail), count(.error), Int(run.exitCode),
            ])
        return db.lastInsertedRowID
    }

    func insert(results: [CheckResult], runID: Int64) throws {
        try executeEach("""
            INSERT INTO results (run_id, check_id, dataset, warehouse, check_type, status, observed, observed_text,
                                 expected, message, query_ms, data_timestamp, evaluated_at, expected_low, expected_high)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, results.indices) { row, index in
            row.bind(runID)
            row.bind(results[index].checkID)
            row.bind(results[index].dataset)
            row.bind(results[index].warehouse)
            row.bind(results[index].checkType)
            row.bind(results[index].status.rawValue)
            row.bind(results[index].observed)
            row.bind(results[index].observedText)
            row.bind(results[index].expected)
            row.bind(results[index].message)
            row.bind(results[index].queryMilliseconds)
            row.bind(results[index].dataTimestamp)
            row.bind(results[index].evaluatedAt.timeIntervalSince1970)
            row.bind(results[index].expectedRange?.lower)
            row.bind(results[index].expectedRange?.upper)
        }
    }

    /// Metric points, from a run (`runID`) or from outside one (`dqmon backfill`, with its `source`).
    func insert(metrics: [SeriesPoint], runID: Int64?, source: String = "check") throws {
        try executeEach("""
            INSERT INTO metric_points (run_id, dataset, metric, value, measured_at, source, flagged) VALUES (?, ?, ?, ?, ?, ?, ?)
            """, metrics.indices) { row, index in
            row.bind(runID)
            row.bind(metrics[index].dataset)
            row.bind(metrics[index].metric)
            row.bind(metrics[index].point.value)
            row.bind(metrics[index].point.time)
            row.bind(source)
            row.bind(Int64(metrics[index].point.flagged ? 1 : 0))
        }
    }

    /// Each result's artifacts write themselves (a schema check's snapshot), in the run's transaction.
    func insertArtifacts(of results: [CheckResult], runID: Int64) throws {
        // By index: a `for result in results` copied each of a run's 5,000 results (a retain per string field) to find
        // the few that carry an artifact.
        for index in results.indices where !results[index].artifacts.isEmpty {
            for artifact in results[index].artifacts { try artifact.record(for: results[index], runID: runID, in: self) }
        }
    }

    /// Per-check scheduling and baseline state (`check_state`), from the run's evaluated results.
    func updateCheckStates(results: [CheckResult]) throws {
        try executeEach("""
            INSERT INTO check_state (check_id, last_evaluated_at, last_status, last_success_at, last_success_observed)
            VALUES (?1, ?2, ?3, CASE WHEN ?3 IN ('pass', 'warn') THEN ?2 END, CASE WHEN ?3 IN ('pass', 'warn') THEN ?4 END)
            ON CONFLICT (check_id) DO UPDATE SET
                last_evaluated_at = excluded.last_evaluated_at,
                last_status = excluded.last_status,
                last_success_at = coalesce(excluded.last_success_at, check_state.last_success_at),
                last_success_observed = CASE WHEN excluded.last_success_at IS NOT NULL
                    THEN excluded.last_success_observed ELSE check_state.last_success_observed END
            """, results.indices.lazy.filter { results[$0].status.isEvaluated }) { row, index in
            row.bind(results[index].checkID)
            row.bind(results[index].evaluatedAt.timeIntervalSince1970)
            row.bind(results[index].status.rawValue)
            row.bind(results[index].observed)
        }
    }

    /// Every check's scheduling and baseline state.
    func checkStates() throws -> [String: CheckState] {
        var states: [String: CheckState] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT check_id, last_evaluated_at, last_status, last_success_observed FROM check_state") {
            states[row.stored(0)] = CheckState(
                lastEvaluatedAt: row.stored(1) as Date,
                lastStatus: CheckStatus(rawValue: row.stored(2)) ?? .error,
                lastSuccessObserved: row.stored(3))
        }
        return states
    }

    /// One check's results evaluated in `[from, through]`, newest first, at most `limit`.
    func results(checkID: String, from start: Double, through end: Double, limit: Int) throws -> [CheckResult] {
        try Row.fetchAll(db, sql: """
            SELECT check_id, dataset, warehouse, check_type, status, observed, observed_text, expected, message,
                   query_ms, data_timestamp, evaluated_at, expected_low, expected_high
            FROM results WHERE check_id = ? AND evaluated_at >= ? AND evaluated_at <= ? ORDER BY evaluated_at DESC, id DESC LIMIT ?
            """, arguments: [checkID, start, end, limit]).map(Self.result)
    }

    static func result(_ row: Row) -> CheckResult {
        CheckResult(
            checkID: row.stored(0), dataset: row.stored(1), warehouse: row.stored(2), checkType: row.stored(3),
            status: CheckStatus(rawValue: row.stored(4)) ?? .error, observed: row.stored(5), observedText: row.stored(6), expected: row.stored(7),
            message: row.stored(8), queryMilliseconds: row.stored(9), dataTimestamp: row.storedSecondsIfPresent(10),
            evaluatedAt: row.stored(11) as Date,
            expectedRange: (row.stored("expected_low") as Double?).flatMap { low in (row.stored("expected_high") as Double?).flatMap { ExpectedRange(lower: low, upper: $0) } })
    }
}

extension HistoryTransaction {
    /// Runs the cached statement `sql` once per element of `rows`, `bind` giving the row's values in parameter order
    /// with SQLite's own calls. GRDB's `execute(arguments:)` boxed each value into `StatementArguments` and nested a
    /// closure per string; for the 5,000 results, check states and metric points of a 1,000-table run that was most of
    /// the cost of writing them. The values are bound as GRDB binds them (text copied, NULL for nil).
    ///
    /// The run's statements pass the indices of their rows, not the rows: iterating an array of `CheckResult` copied
    /// each one (a retain and a release of every string it holds) per statement, while `results[index].checkID`
    /// reads the one field in place.
    func executeEach<Rows: Sequence>(_ sql: String, _ rows: Rows, bind: (inout BoundRow, Rows.Element) -> Void) throws {
        let statement = try db.cachedStatement(sql: sql)
        let handle = statement.sqliteStatement
        let parameters = sqlite3_bind_parameter_count(handle)
        // Freed after the bindings that point into it are cleared (defers run last to first).
        let arena = TextArena()
        defer { arena.free() }
        defer {
            sqlite3_reset(handle)
            sqlite3_clear_bindings(handle)
        }
        for element in rows {
            sqlite3_reset(handle)
            arena.reuse()
            var row = BoundRow(handle: handle, arena: arena)
            bind(&row, element)
            try row.expectBound(parameters, sql: sql)
            let code = sqlite3_step(handle)
            guard code == SQLITE_DONE else { throw Self.stepError(code, handle: handle, sql: sql) }
        }
    }

    /// Runs the cached read `sql` with the values `bind` gives, handing each row to `read` (SQLite's own calls, as
    /// `executeEach`: GRDB's `Row.fetchOne` built arguments and a row object for the one lookup per dataset of a run).
    func readEach(_ sql: String, bind: (inout BoundRow) -> Void, _ read: (ReadRow) throws -> Void) throws {
        let statement = try db.cachedStatement(sql: sql)
        let handle = statement.sqliteStatement
        defer {
            sqlite3_reset(handle)
            sqlite3_clear_bindings(handle)
        }
        sqlite3_reset(handle)
        var row = BoundRow(handle: handle)
        bind(&row)
        try row.expectBound(sqlite3_bind_parameter_count(handle), sql: sql)
        while case let code = sqlite3_step(handle), code != SQLITE_DONE {
            guard code == SQLITE_ROW else { throw Self.stepError(code, handle: handle, sql: sql) }
            try read(ReadRow(handle: handle))
        }
    }

    static func stepError(_ code: Int32, handle: OpaquePointer?, sql: String) -> DatabaseError {
        DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(sqlite3_db_handle(handle))), sql: sql)
    }

    /// The current row of `readEach`, read by column index (0-based) as SQLite converts it.
    struct ReadRow {
        let handle: OpaquePointer?

        func double(_ column: Int32) -> Double { sqlite3_column_double(handle, column) }
        func int(_ column: Int32) -> Int { Int(sqlite3_column_int64(handle, column)) }
    }

    /// The values of one row of `executeEach`, bound in order to parameters 1, 2, …; the first failure is kept.
    struct BoundRow {
        let handle: OpaquePointer?
        /// Where `executeEach` keeps a row's text until the row is written (nil: SQLite copies each text).
        let arena: TextArena?
        private(set) var count: Int32 = 0
        private(set) var code = SQLITE_OK

        init(handle: OpaquePointer?, arena: TextArena? = nil) {
            self.handle = handle
            self.arena = arena
        }

        /// Text is bound from the string's own UTF-8 bytes up to its first NUL, as a C string (`-1`) bound it, without
        /// the C string copy and `strlen` per value. In `executeEach` the bytes are copied into the row's arena and
        /// bound without SQLite's own copy (a malloc and free per value: 40,000 a run of 5,000 results).
        mutating func bind(_ value: String?) {
            let handle = handle, arena = arena
            next { index in
                guard var text = value else { return sqlite3_bind_null(handle, index) }
                return text.withUTF8 { bytes in
                    guard let start = bytes.baseAddress else { return sqlite3_bind_text(handle, index, "", 0, HistoryTransaction.transient) }
                    let length = memchr(start, 0, bytes.count).map { UnsafeRawPointer($0) - UnsafeRawPointer(start) } ?? bytes.count
                    if let kept = arena?.keep(UnsafeRawBufferPointer(start: start, count: length)) {
                        return sqlite3_bind_text64(handle, index, kept, sqlite3_uint64(length), HistoryTransaction.static, UInt8(SQLITE_UTF8))
                    }
                    return start.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
                        sqlite3_bind_text64(handle, index, $0, sqlite3_uint64(length), HistoryTransaction.transient, UInt8(SQLITE_UTF8))
                    }
                }
            }
        }

        mutating func bind(_ value: Double?) {
            let handle = handle
            next { index in value.map { sqlite3_bind_double(handle, index, $0) } ?? sqlite3_bind_null(handle, index) }
        }

        mutating func bind(_ value: Int64?) {
            let handle = handle
            next { index in value.map { sqlite3_bind_int64(handle, index, $0) } ?? sqlite3_bind_null(handle, index) }
        }

        /// Throws when a value failed to bind or the count of values is not `parameters`.
        func expectBound(_ parameters: Int32, sql: String) throws {
            guard code != SQLITE_OK || count != parameters else { return }
            let message = code == SQLITE_OK ? "\(count) values for \(parameters) parameters"
                : String(cString: sqlite3_errmsg(sqlite3_db_handle(handle)))
            throw DatabaseError(resultCode: ResultCode(rawValue: code == SQLITE_OK ? SQLITE_MISUSE : code), message: message, sql: sql)
        }

        private mutating func next(_ bind: (Int32) -> Int32) {
            count += 1
            let result = bind(count)
            if code == SQLITE_OK { code = result }
        }
    }

    /// SQLite copies the text before the bind returns (`SQLITE_TRANSIENT`), as GRDB binds strings.
    static let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)
    /// SQLite reads the text where it is until it is bound again or the bindings are cleared (`SQLITE_STATIC`).
    static let `static` = unsafeBitCast(OpaquePointer(bitPattern: 0), to: sqlite3_destructor_type.self)

    /// The text of one row of `executeEach`, kept in one buffer until SQLite has written the row: the bytes stay put
    /// until `reuse()` (called before the next row is bound, when every text parameter is about to be bound again) or
    /// `free()` (after the statement's bindings are cleared). A text that does not fit is left to SQLite to copy.
    final class TextArena {
        private let base: UnsafeMutableRawPointer
        private let capacity = 64 * 1024
        private var used = 0

        init() {
            base = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
        }

        /// A copy of `bytes` that stays until `reuse()`, or nil when the buffer is full.
        func keep(_ bytes: UnsafeRawBufferPointer) -> UnsafePointer<CChar>? {
            guard bytes.count <= capacity - used else { return nil }
            let start = base + used
            if let source = bytes.baseAddress, bytes.count > 0 { start.copyMemory(from: source, byteCount: bytes.count) }
            used += bytes.count
            return UnsafePointer(start.assumingMemoryBound(to: CChar.self))
        }

        func reuse() { used = 0 }

        func free() { base.deallocate() }
    }
}
