import Foundation
import GRDB
import GRDBSQLite

/// What `dqmon report` draws of one dataset, reduced while its results are read: chart buckets, counts by status,
/// day slices, flagged points, the last statuses, freshness points and the statement time per run.
///
/// Why one pass in Swift rather than GROUP BY in SQLite: measured on `scripts/bench-report`'s history (1,000,000
/// results), SQLite's GROUP BY per check and chart bucket with the aggregates the page needs costs about 3 µs of CPU
/// per result (a sorter row plus a dozen aggregate calls each), three times the whole one-pass read; a separate pass
/// per reduction (days, flags, costs) adds a table lookup per result each time. So the results of the window are
/// read once, per dataset in `(evaluated_at, id)` order from `results_dataset_time` (a dataset's results of one run
/// are neighbours in the table), with the status and the check already turned into small integers by SQL, the
/// numbers taken straight from the statement, and every reduction done on that row.
///
/// Bucket and slice numbers use the arithmetic of the report's charts (`floor((t − from) / span × count)`, clamped
/// to `0 ..< count`), so the page draws the same buckets as before.
public struct ReportDatasetRows: Sendable {
    /// One chart bucket of one check: the finite observed values (count and sum), the widest valid expected band
    /// of its results.
    public struct Bucket: Sendable {
        public var index: Int
        public var valueCount = 0
        public var valueTotal = 0.0
        public var bandLow: Double?
        public var bandHigh: Double?
    }

    /// A result whose value the chart flags: outside its stored band (`above`/`below`), or, without a band, a warn or
    /// fail (`failed`; the report draws it as `above` for a freshness check).
    public struct Flagged: Sendable {
        public enum Shape: String, Sendable { case above, below, failed }
        public var at: Double
        public var value: Double
        public var shape: Shape
    }

    /// Count, sum and maximum of valid (finite, non-negative) `query_ms`.
    public struct Milliseconds: Sendable {
        public var count = 0
        public var total = 0.0
        public var maximum = 0.0

        mutating func add(_ value: Double) {
            count += 1
            total += value
            maximum = Swift.max(maximum, value)
        }
    }

    /// Per check, non-empty buckets in index order.
    public var buckets: [String: [Bucket]] = [:]
    /// Per check, results by status in the window.
    public var statusCounts: [String: [CheckStatus: Int]] = [:]
    /// Per check, `query_ms` of its results.
    public var milliseconds: [String: Milliseconds] = [:]
    /// Per check, flagged results oldest first.
    public var flagged: [String: [Flagged]] = [:]
    /// Per check, the last results of the window (at most `stripLength`), oldest first.
    public var strips: [String: [(at: Double, status: CheckStatus)]] = [:]
    /// Worst status per day slice (index → status), over the dataset's checks.
    public var dailyWorst: [Int: CheckStatus] = [:]
    /// Per freshness check, its results in the window (what `FreshnessTimeline` is built from).
    public var freshnessPoints: [String: [FreshnessTimeline.Point]] = [:]
    /// Per freshness check with a type in `ReportDatasetChecks.freshnessCheckTypes`, the points `dqmon sla` reads
    /// for it (`HistoryTransaction.freshnessPoints`): only its results of that type, and results of one instant in
    /// that query's order (status text, then data timestamp, NULL first, then id). `SLABuilder` takes these instead of
    /// reading them again.
    public var slaFreshnessPoints: [String: [FreshnessTimeline.Point]] = [:]
    /// The dataset's statement time per run: its largest valid `query_ms` of the run (count, sum, max over runs).
    public var perRun = Milliseconds()
}

/// The window and the resolutions of `forEachReportDatasetRows`.
public struct ReportRowsQuery: Sendable {
    public var start: Double
    public var end: Double
    /// Chart buckets over `(start, end]`.
    public var buckets: Int
    /// Day slices over `(dayStart, end]`.
    public var dayStart: Double
    public var days: Int
    public var stripLength: Int

    public init(start: Double, end: Double, buckets: Int, dayStart: Double, days: Int, stripLength: Int) {
        (self.start, self.end, self.buckets, self.dayStart, self.days, self.stripLength) = (start, end, buckets, dayStart, days, stripLength)
    }

    /// `floor((t − from) / span × count)` clamped to `0 ..< count`: the charts' and strips' bucket of `t`.
    static func slice(_ t: Double, from: Double, span: Double, count: Int) -> Int {
        let position = ((t - from) / span * Double(count)).rounded(.down)
        guard position.isFinite, position > 0 else { return 0 }
        return position >= Double(count - 1) ? count - 1 : Int(position)
    }
}

/// One dataset's checks as `forEachReportDatasetRows` reads them.
public struct ReportDatasetChecks: Sendable {
    public var name: String
    public var checkIDs: [String]
    /// Ids of the checks whose results build the freshness timeline.
    public var freshnessCheckIDs: Set<String>
    /// The type name (`results.check_type`) of freshness checks whose SLA points the pass collects too
    /// (`ReportDatasetRows.slaFreshnessPoints`).
    public var freshnessCheckTypes: [String: String]

    public init(name: String, checkIDs: [String], freshnessCheckIDs: Set<String>, freshnessCheckTypes: [String: String] = [:]) {
        (self.name, self.checkIDs, self.freshnessCheckIDs, self.freshnessCheckTypes) = (name, checkIDs, freshnessCheckIDs, freshnessCheckTypes)
    }
}

extension HistoryStore {
    /// Calls `body` once per dataset (in the given order) with its results of `(start, end]` as read, not reduced
    /// (`ReportRawRow`s in `(evaluated_at, id)` order), all read in one snapshot: the caller reduces them
    /// (`ReportDatasetReducer.reduce`), possibly on another thread while the next dataset is read.
    public func forEachReportDatasetRows(_ datasets: [ReportDatasetChecks], query: ReportRowsQuery,
                                         _ body: (ReportDatasetChecks, [ReportRawRow]) throws -> Void) throws(HistoryError) {
        try snapshot { transaction in
            for dataset in datasets {
                var rows: [ReportRawRow] = []
                try transaction.readReportRows(dataset: dataset, query: query, into: &rows)
                try body(dataset, rows)
            }
        }
    }

    /// `(evaluated_at, status)` of each check's results in `(start, end]`, oldest first (for problem runs, which need
    /// the sequence; the report asks only for the few datasets its overview describes).
    public func statusSeries(checkIDs: [String], after start: Double, through end: Double) throws(HistoryError) -> [String: [(at: Double, status: CheckStatus)]] {
        try snapshot { transaction in
            var series: [String: [(at: Double, status: CheckStatus)]] = [:]
            for checkID in checkIDs {
                let rows = try Row.fetchCursor(transaction.db.cachedStatement(sql: """
                    SELECT evaluated_at, status FROM results WHERE check_id = ? AND evaluated_at > ? AND evaluated_at <= ?
                    ORDER BY evaluated_at, id
                    """), arguments: [checkID, start, end])
                var points: [(at: Double, status: CheckStatus)] = []
                while let row = try rows.next() { points.append((row.storedSeconds(0), CheckStatus(rawValue: row.stored(1)) ?? .error)) }
                series[checkID] = points
            }
            return series
        }
    }
}

extension HistoryTransaction {
    /// The dataset's results of the window in `(evaluated_at, id)` order, appended to `rows` as numbers: the check
    /// as its position in `checkIDs` (results of a check no longer configured are skipped), the status as its rank
    /// (`StatusSeverity`), NULL as NaN.
    func readReportRows(dataset: ReportDatasetChecks, query: ReportRowsQuery, into rows: inout [ReportRawRow]) throws {
        guard !dataset.checkIDs.isEmpty else { return }
        let slaTypes = ReportDatasetReducer.freshnessTypes(dataset)
        let checkCase = dataset.checkIDs.indices.map { "WHEN ?\($0 + 4) THEN \($0)" }.joined(separator: " ")
        let statement = try db.cachedStatement(sql: """
            SELECT CASE check_id \(checkCase) ELSE -1 END, run_id, evaluated_at,
                   CASE status WHEN 'pass' THEN 0 WHEN 'skipped' THEN 1 WHEN 'warn' THEN 2 WHEN 'fail' THEN 4 ELSE 3 END,
                   observed, expected_low, expected_high, query_ms, data_timestamp, check_type
            FROM results WHERE dataset = ?1 AND evaluated_at > ?2 AND evaluated_at <= ?3
            ORDER BY evaluated_at, id
            """)
        var arguments: [(any DatabaseValueConvertible)?] = [dataset.name, query.start, query.end]
        arguments += dataset.checkIDs.map { $0 as (any DatabaseValueConvertible)? }
        try statement.setArguments(StatementArguments(arguments))
        let handle = statement.sqliteStatement
        func number(_ column: Int32) -> Double {
            sqlite3_column_type(handle, column) == SQLITE_NULL ? .nan : sqlite3_column_double(handle, column)
        }
        sqlite3_reset(handle)
        defer { sqlite3_reset(handle) }
        while true {
            let code = sqlite3_step(handle)
            if code == SQLITE_DONE { break }
            guard code == SQLITE_ROW else {
                throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(sqlite3_db_handle(handle))))
            }
            let check = Int(sqlite3_column_int64(handle, 0))
            guard check >= 0 else { continue }
            rows.append(ReportRawRow(check: check, run: sqlite3_column_int64(handle, 1), at: sqlite3_column_double(handle, 2),
                                     rank: Int(sqlite3_column_int64(handle, 3)), observed: number(4), low: number(5), high: number(6),
                                     milliseconds: number(7), dataTimestamp: number(8),
                                     slaType: check < slaTypes.count && slaTypes[check].map { Self.columnText(handle, 9, equals: $0) } ?? false))
        }
    }
}

/// One result of the report's pass as read: numbers only, NULL as NaN (SQLite stores no NaN: a NaN written is read
/// back as NULL, so NaN here always means NULL).
public struct ReportRawRow: Sendable {
    var check: Int
    var run: Int64
    var at: Double
    var rank: Int
    var observed: Double
    var low: Double
    var high: Double
    var milliseconds: Double
    var dataTimestamp: Double
    /// A freshness check's result of the check's own type (one `dqmon sla` reads).
    var slaType: Bool
}

/// The warehouse time per run over datasets: (first evaluation time, sum of the datasets' statement times), summed
/// in the order datasets are added.
public struct ReportRunTimes: Sendable {
    var runs: [Int64: (at: Double, milliseconds: Double)] = [:]

    mutating func add(_ reducer: ReportDatasetReducer) {
        for (run, time) in reducer.runTimes {
            runs[run, default: (time.at, 0)].milliseconds += time.milliseconds
        }
    }

    var oldestFirst: [(at: Double, milliseconds: Double)] { runs.values.sorted { $0.at < $1.at } }
}

extension HistoryTransaction {
    /// Whether column `column` of the current row is the text `expected` (compared as bytes, no String made).
    static func columnText(_ handle: OpaquePointer?, _ column: Int32, equals expected: [UInt8]) -> Bool {
        guard let text = sqlite3_column_text(handle, column) else { return false }
        let count = Int(sqlite3_column_bytes(handle, column))
        return count == expected.count && memcmp(text, expected, count) == 0
    }
}

/// Folds one dataset's results, in time order, into what the report draws (`ReportDatasetRows`).
struct ReportDatasetReducer {
    let checks: ReportDatasetChecks
    let query: ReportRowsQuery
    let span: Double
    let daySpan: Double
    let isFreshness: [Bool]
    /// Per check, per chart bucket (flat: `check * bucketCount + bucket`, one array rather than one per check).
    var buckets: [ReportDatasetRows.Bucket?]
    let bucketCount: Int
    /// Per check, per status rank (flat: `check * 5 + rank`).
    var counts: [Int]
    var milliseconds: [ReportDatasetRows.Milliseconds]
    var flagged: [[ReportDatasetRows.Flagged]]
    var strips: [[(at: Double, status: CheckStatus)]]
    var freshness: [[FreshnessTimeline.Point]]
    /// Per check: the UTF-8 of its type name when it is a freshness check whose SLA points are collected.
    let freshnessTypes: [[UInt8]?]
    /// Per check: positions in `freshness` of results of another type (left out of the SLA points).
    var otherTypePoints: [[Int]]
    var daily: [Int]
    /// Per run: first evaluation time and the largest statement time of the dataset.
    var runTimes: [Int64: (at: Double, milliseconds: Double)] = [:]
    /// Run ids in order of first appearance (so sums do not depend on hashing order).
    var runOrder: [Int64] = []
    var currentRun: (id: Int64, at: Double, milliseconds: Double)?

    init(checks: ReportDatasetChecks, query: ReportRowsQuery) {
        self.checks = checks
        self.query = query
        span = query.end - query.start
        daySpan = query.end - query.dayStart
        let count = checks.checkIDs.count
        isFreshness = checks.checkIDs.map { checks.freshnessCheckIDs.contains($0) }
        bucketCount = max(1, query.buckets)
        buckets = Array(repeating: nil, count: bucketCount * count)
        counts = Array(repeating: 0, count: 5 * count)
        milliseconds = Array(repeating: .init(), count: count)
        flagged = Array(repeating: [], count: count)
        strips = Array(repeating: [], count: count)
        freshness = Array(repeating: [], count: count)
        freshnessTypes = Self.freshnessTypes(checks)
        otherTypePoints = Array(repeating: [], count: count)
        daily = Array(repeating: -1, count: max(1, query.days))
    }

    static let finite = -Double.greatestFiniteMagnitude...Double.greatestFiniteMagnitude

    /// Per check: the UTF-8 of its type name when it is a freshness check whose SLA points are collected.
    static func freshnessTypes(_ checks: ReportDatasetChecks) -> [[UInt8]?] {
        checks.checkIDs.map { id in checks.freshnessCheckIDs.contains(id) ? checks.freshnessCheckTypes[id].map { Array($0.utf8) } : nil }
    }

    /// One dataset's rows as read, folded in order; the reducer is returned for its run times (`ReportRunTimes`).
    static func reduce(_ raw: [ReportRawRow], checks: ReportDatasetChecks, query: ReportRowsQuery) -> (ReportDatasetRows, ReportDatasetReducer) {
        var reducer = ReportDatasetReducer(checks: checks, query: query)
        for row in raw { reducer.add(row) }
        return (reducer.finish(), reducer)
    }

    mutating func add(_ row: ReportRawRow) {
        func value(_ number: Double) -> Double? { number.isNaN ? nil : number }
        add(check: row.check, run: row.run, at: row.at, rank: row.rank, observed: value(row.observed), low: value(row.low),
            high: value(row.high), milliseconds: value(row.milliseconds), dataTimestamp: value(row.dataTimestamp), slaType: row.slaType)
    }

    mutating func add(check: Int, run: Int64, at: Double, rank: Int, observed: Double?, low: Double?, high: Double?,
                      milliseconds ms: Double?, dataTimestamp: Double?, slaType: Bool = false) {
        let status = StatusSeverity.status(ranked: rank)
        let rank = StatusSeverity.rank(status)
        counts[check * 5 + rank] += 1
        if at > query.dayStart {
            let day = ReportRowsQuery.slice(at, from: query.dayStart, span: daySpan, count: daily.count)
            if rank > daily[day] { daily[day] = rank }
        }
        var band: ExpectedRange?
        if let low, let high { band = ExpectedRange(lower: low, upper: high) }
        let value = observed.flatMap { Self.finite.contains($0) ? $0 : nil }
        if value != nil || band != nil {
            let index = ReportRowsQuery.slice(at, from: query.start, span: span, count: bucketCount)
            var bucket = buckets[check * bucketCount + index] ?? .init(index: index)
            if let value {
                bucket.valueCount += 1
                bucket.valueTotal += value
            }
            if let band {
                bucket.bandLow = min(bucket.bandLow ?? band.lower, band.lower)
                bucket.bandHigh = max(bucket.bandHigh ?? band.upper, band.upper)
            }
            buckets[check * bucketCount + index] = bucket
        }
        if let value, let shape = Self.flag(value: value, band: band, status: status) {
            flagged[check].append(.init(at: at, value: value, shape: shape))
        }
        strips[check].append((at, status))
        if strips[check].count >= query.stripLength * 2 { strips[check].removeFirst(strips[check].count - query.stripLength) }
        if isFreshness[check] {
            if !slaType, freshnessTypes[check] != nil { otherTypePoints[check].append(freshness[check].count) }
            freshness[check].append(.init(at: at, status: status, dataTimestamp: dataTimestamp))
        }
        if let ms, ms >= 0, ms.isFinite {
            milliseconds[check].add(ms)
            addRunTime(run: run, at: at, milliseconds: ms)
        }
    }

    /// `points` (in `(evaluated_at, id)` order) without the positions in `left`, results of one instant reordered as
    /// `HistoryTransaction.freshnessPoints` returns them: by status text, then data timestamp (NULL first), then id.
    /// Without other-type results or shared instants (the usual case) this is `points` itself, not a copy.
    static func slaPoints(_ points: [FreshnessTimeline.Point], leaving left: [Int]) -> [FreshnessTimeline.Point] {
        var kept = points
        if !left.isEmpty {
            let leave = Set(left)
            kept = points.indices.filter { !leave.contains($0) }.map { points[$0] }
        }
        var start = 0
        while start < kept.count {
            var end = start + 1
            while end < kept.count, kept[end].at == kept[start].at { end += 1 }
            if end - start > 1 {
                let ordered = kept[start..<end].enumerated().sorted { lhs, rhs in
                    let (a, b) = (lhs.element, rhs.element)
                    if a.status.rawValue != b.status.rawValue { return a.status.rawValue < b.status.rawValue }
                    if a.dataTimestamp != b.dataTimestamp {
                        guard let x = a.dataTimestamp else { return true }
                        guard let y = b.dataTimestamp else { return false }
                        return x < y
                    }
                    return lhs.offset < rhs.offset
                }
                kept.replaceSubrange(start..<end, with: ordered.map(\.element))
            }
            start = end
        }
        return kept
    }

    /// Outside a valid band: above or below it (whatever the status); without one: a warn or fail.
    static func flag(value: Double, band: ExpectedRange?, status: CheckStatus) -> ReportDatasetRows.Flagged.Shape? {
        if let band {
            if value > band.upper { return .above }
            if value < band.lower { return .below }
            return nil
        }
        return status == .fail || status == .warn ? .failed : nil
    }

    /// A run's results of one dataset are neighbours in time order; its statement time is their largest `query_ms`.
    mutating func addRunTime(run: Int64, at: Double, milliseconds: Double) {
        if let current = currentRun, current.id == run {
            currentRun?.milliseconds = max(current.milliseconds, milliseconds)
            return
        }
        flushRun()
        currentRun = (run, at, milliseconds)
    }

    mutating func flushRun() {
        guard let current = currentRun else { return }
        if let existing = runTimes[current.id] {
            runTimes[current.id] = (existing.at, max(existing.milliseconds, current.milliseconds))
        } else {
            runTimes[current.id] = (current.at, current.milliseconds)
            runOrder.append(current.id)
        }
        currentRun = nil
    }

    mutating func finish() -> ReportDatasetRows {
        flushRun()
        var rows = ReportDatasetRows()
        let statuses: [CheckStatus] = [.pass, .skipped, .warn, .error, .fail]
        for (index, checkID) in checks.checkIDs.enumerated() {
            rows.buckets[checkID] = buckets[index * bucketCount ..< (index + 1) * bucketCount].compactMap { $0 }
            var byStatus: [CheckStatus: Int] = [:]
            for status in statuses where counts[index * 5 + StatusSeverity.rank(status)] > 0 {
                byStatus[status] = counts[index * 5 + StatusSeverity.rank(status)]
            }
            rows.statusCounts[checkID] = byStatus
            rows.milliseconds[checkID] = milliseconds[index]
            rows.flagged[checkID] = flagged[index]
            rows.strips[checkID] = Array(strips[index].suffix(query.stripLength))
            if isFreshness[index] { rows.freshnessPoints[checkID] = freshness[index] }
            if freshnessTypes[index] != nil { rows.slaFreshnessPoints[checkID] = Self.slaPoints(freshness[index], leaving: otherTypePoints[index]) }
        }
        for (day, rank) in daily.enumerated() where rank >= 0 { rows.dailyWorst[day] = StatusSeverity.status(ranked: rank) }
        for run in runOrder { rows.perRun.add(runTimes[run]?.milliseconds ?? 0) }
        return rows
    }
}

/// pass < skipped < warn < error < fail: the order "worst of a slice" uses (the report's `StatusStrip.severity`).
enum StatusSeverity {
    static func rank(_ status: CheckStatus) -> Int {
        switch status {
        case .pass: return 0
        case .skipped: return 1
        case .warn: return 2
        case .error: return 3
        case .fail: return 4
        }
    }

    /// The status of a rank (`rank`'s inverse; the SQL ranks an unknown status as an error, as decoding does).
    static func status(ranked rank: Int) -> CheckStatus {
        switch rank {
        case ...0: return .pass
        case 1: return .skipped
        case 2: return .warn
        case 3: return .error
        default: return .fail
        }
    }
}

/// A recent result as the report prints it, with the failing-row samples stored with it (only checks with
/// `samples:` store any).
public struct ReportRecentResult: Sendable {
    public var result: CheckResult
    public var samples: FailingRowSamples?
}

extension HistoryStore {
    /// The newest `limit` results (with their texts and stored samples) of each check in `checkIDs` evaluated at
    /// or before `end`, newest first.
    public func reportRecentResults(_ checkIDs: [String], through end: Double, limit: Int) throws(HistoryError) -> [String: [ReportRecentResult]] {
        try snapshot { transaction in
            let statement = try transaction.db.cachedStatement(sql: """
                SELECT r.check_id, r.dataset, r.warehouse, r.check_type, r.status, r.observed, r.observed_text, r.expected, r.message,
                       r.query_ms, r.data_timestamp, r.evaluated_at, r.expected_low, r.expected_high, s.columns, s.rows
                FROM results AS r LEFT JOIN result_samples AS s ON s.result_id = r.id
                WHERE r.check_id = ? AND r.evaluated_at <= ? ORDER BY r.evaluated_at DESC, r.id DESC LIMIT ?
                """)
            var recent: [String: [ReportRecentResult]] = [:]
            for checkID in checkIDs {
                let rows = try Row.fetchCursor(statement, arguments: [checkID, end, limit])
                var results: [ReportRecentResult] = []
                while let row = try rows.next() {
                    let columns: String? = row.stored(14), sampleRows: String? = row.stored(15)
                    let samples = columns.flatMap { columns in sampleRows.flatMap { FailingRowSamples.decoded(columns: columns, rows: $0) } }
                    results.append(ReportRecentResult(result: HistoryTransaction.result(row), samples: samples))
                }
                recent[checkID] = results
            }
            return recent
        }
    }

    /// For each of `incidentIDs` linked to an upstream root (`incidents.caused_by`, lineage inhibition): the root's
    /// id, dataset and check.
    public func reportUpstreamRoots(of incidentIDs: [Int64]) throws(HistoryError) -> [Int64: (id: Int64, dataset: String, checkID: String)] {
        try snapshot { transaction in
            var roots: [Int64: (id: Int64, dataset: String, checkID: String)] = [:]
            let ids = "[" + incidentIDs.map(String.init).joined(separator: ",") + "]"
            let rows = try Row.fetchCursor(transaction.db, sql: """
                SELECT linked.id, root.id, root.dataset, root.check_id
                FROM incidents AS linked JOIN incidents AS root ON root.id = linked.caused_by
                WHERE linked.caused_by IS NOT NULL AND linked.id IN (SELECT value FROM json_each(?))
                """, arguments: [ids])
            while let row = try rows.next() { roots[row.stored(0)] = (row.stored(1), row.stored(2), row.stored(3)) }
            return roots
        }
    }
}

extension HistoryStore {
    /// Each dataset's stored schema snapshots, newest first, at most `limit` (what `schemaSnapshots(dataset:limit:)`
    /// returns), all in one read transaction with one prepared statement: the report asks for a thousand datasets,
    /// and a transaction plus a statement prepare per dataset cost more than the rows.
    public func reportSchemaSnapshots(datasets: [String], limit: Int) throws(HistoryError) -> [String: [StoredSchemaSnapshot]] {
        try snapshot { transaction in
            let statement = try transaction.db.cachedStatement(sql: """
                SELECT run_id, warehouse, taken_at, columns_hash, columns FROM schema_snapshots
                WHERE dataset = ? AND taken_at >= ? ORDER BY id DESC LIMIT ?
                """)
            var snapshots: [String: [StoredSchemaSnapshot]] = [:]
            for dataset in datasets where snapshots[dataset] == nil {
                snapshots[dataset] = try Row.fetchAll(statement, arguments: [dataset, -Double.greatestFiniteMagnitude, limit]).map { row in
                    StoredSchemaSnapshot(
                        runID: row.stored(0), dataset: dataset, warehouse: row.stored(1), hash: row.stored(3),
                        snapshot: SchemaSnapshot(columns: SchemaSnapshot.columns(fromJSON: row.stored(4)), takenAt: row.stored(2) as Date))
                }
            }
            return snapshots
        }
    }
}

extension HistoryStore {
    /// Per incident: the failing-row samples stored with its newest result that has some, in the range of results
    /// `dqmon incidents show` looks at (from the earlier of onset and detection to its resolution, or `now`).
    public func reportIncidentSamples(_ incidents: [Incident], now: Date) throws(HistoryError) -> [Int64: (evaluatedAt: Date, rows: FailingRowSamples)] {
        try snapshot { transaction in
            let statement = try transaction.db.cachedStatement(sql: """
                SELECT r.evaluated_at, s.columns, s.rows FROM results AS r JOIN result_samples AS s ON s.result_id = r.id
                WHERE r.check_id = ? AND r.evaluated_at >= ? AND r.evaluated_at <= ? ORDER BY r.evaluated_at DESC, r.id DESC LIMIT 1
                """)
            var samples: [Int64: (evaluatedAt: Date, rows: FailingRowSamples)] = [:]
            for incident in incidents {
                let start = min(incident.onsetAt, incident.detectedAt).timeIntervalSince1970
                let end = (incident.resolvedAt ?? now).timeIntervalSince1970
                guard let row = try Row.fetchOne(statement, arguments: [incident.checkID, start, end]),
                      let rows = FailingRowSamples.decoded(columns: row.stored(1), rows: row.stored(2)) else { continue }
                samples[incident.id] = (row.stored(0) as Date, rows)
            }
            return samples
        }
    }
}
