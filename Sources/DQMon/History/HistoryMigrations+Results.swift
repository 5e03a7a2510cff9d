import GRDB

extension HistoryMigrations {
    /// The `results.status` constraint as the v1 migration wrote it, and the same constraint as comparisons.
    static let statusInList = "CHECK (status IN ('pass', 'warn', 'fail', 'error', 'skipped'))"
    static let statusComparisons =
        "CHECK (status = 'pass' OR status = 'warn' OR status = 'fail' OR status = 'error' OR status = 'skipped')"

    /// `v8-results-status-comparisons`: `results.status` is checked with comparisons instead of an `IN` list. For a
    /// constant `IN` list of more than two values in a CHECK constraint, SQLite builds a temporary b-tree of the list
    /// for every row it inserts (OpenEphemeral: a pager and a b-tree opened and closed per row), a third of the cost of
    /// writing a run's 5,000 results. The constraint accepts exactly the same values (NULL is refused by NOT NULL).
    ///
    /// Only the table's definition text changes, with no rewrite of any row: SQLite's documented way to change a
    /// CHECK constraint in place (lang_altertable.html, "making other kinds of table schema changes": writable_schema,
    /// then a new schema_version so that every connection reloads the schema). A history whose text differs (made
    /// by hand), or a SQLite that refuses schema edits (defensive mode), keeps its own constraint.
    static func checkResultsStatusByComparison(_ db: Database) throws {
        let version = try Int.fetchOne(db, sql: "PRAGMA schema_version") ?? 0
        try db.execute(sql: "PRAGMA writable_schema = ON")
        do {
            try db.execute(sql: "UPDATE sqlite_schema SET sql = replace(sql, ?, ?) WHERE type = 'table' AND name = 'results'",
                           arguments: [statusInList, statusComparisons])
        } catch let error as DatabaseError where error.resultCode == .SQLITE_ERROR {
            // A SQLite in defensive mode (SQLITE_DBCONFIG_DEFENSIVE, on in some platform builds) refuses to edit the
            // schema ("table sqlite_master may not be modified"): the IN list stays, the same constraint, only slower.
            try? db.execute(sql: "PRAGMA writable_schema = OFF")
            return
        } catch {
            try? db.execute(sql: "PRAGMA writable_schema = OFF")
            throw error
        }
        try db.execute(sql: "PRAGMA writable_schema = OFF")
        try db.execute(sql: "PRAGMA schema_version = \(version + 1)")
        db.clearSchemaCache()
    }
}
