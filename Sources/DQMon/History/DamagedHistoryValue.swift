import Foundation
import GRDB

/// A stored value whose type does not fit its column: text or a blob where a number belongs, a number or a blob
/// where text belongs, a real in an integer column. SQLite accepts any value in any column, and `PRAGMA quick_check`
/// does not look at types, so a hand edit, a restore from another tool or damage can leave one.
///
/// dqmon never stops on such a value (the history reads every value leniently: see `Row.stored`), so a command shows
/// it as a plain wrong value in the one row that holds it; `dqmon doctor` names it with this, as one line.
public struct DamagedHistoryValue: Sendable, Equatable {
    public let table: String
    public let column: String
    /// Where the row is, as an SQL condition: `rowid = 12`, or the primary key of a table without rowid.
    public let rowKey: String
    /// The value as SQL would show it: quoted text (cut at 40 characters), a number, or `a blob of N bytes`.
    public let shown: String
    /// `a number`, `an integer` or `text`.
    public let expected: String
    /// What dqmon reads instead (SQLite's conversion, as `CAST` would give it).
    public let readAs: String
    /// Further tables that hold such a value.
    public let otherTables: [String]

    /// `incidents.detected_at holds 'abc' where a number belongs (row 12); dqmon reads it as 0`.
    public var message: String {
        let others = otherTables.isEmpty ? "" : "; also in \(otherTables.joined(separator: ", "))"
        return "\(table).\(column) holds \(shown) where \(expected) belongs (\(rowKey.hasPrefix("rowid = ") ? "row " + rowKey.dropFirst(8) : rowKey)); dqmon reads it as \(readAs)\(others)"
    }

    /// The fix, for the history at `display`.
    public func fix(_ display: String) -> String {
        "restore a copy made with 'dqmon history backup PATH', or correct or delete that row with the sqlite3 shell "
            + "(sqlite3 \(display) \"DELETE FROM \(table) WHERE \(rowKey)\")"
    }

    /// Scans each table of the history once (`typeof` of every typed column), and returns the first misfit; nil
    /// also when the scan itself fails (it only adds a line to `dqmon doctor`).
    static func first(in db: Database) -> DamagedHistoryValue? {
        (try? scan(db)) ?? nil
    }

    private static func scan(_ db: Database) throws -> DamagedHistoryValue? {
        var found: DamagedHistoryValue?
        var others: [String] = []
        let tables = try String.fetchAll(db, sql: """
            SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != 'grdb_migrations' ORDER BY name
            """)
        let withoutRowID = Set(try String.fetchAll(db, sql: """
            SELECT name FROM sqlite_master WHERE type = 'table' AND upper(sql) LIKE '%WITHOUT%ROWID%'
            """))
        for table in tables {
            guard let damaged = try first(in: db, table: table, withoutRowID: withoutRowID.contains(table)) else { continue }
            if found == nil { found = damaged } else { others.append(table) }
        }
        return found.map { DamagedHistoryValue(table: $0.table, column: $0.column, rowKey: $0.rowKey, shown: $0.shown, expected: $0.expected,
                                               readAs: $0.readAs, otherTables: others) }
    }

    /// The storage classes SQLite gives a value that fits a declared type, and what to call that type; nil for
    /// types that take anything (BLOB, none, NUMERIC).
    static func fitting(_ declared: String) -> (classes: [String], expected: String)? {
        let type = declared.uppercased()
        if type.contains("INT") { return (["integer"], "an integer") }
        if type.contains("CHAR") || type.contains("CLOB") || type.contains("TEXT") { return (["text"], "text") }
        if type.contains("REAL") || type.contains("FLOA") || type.contains("DOUB") { return (["real", "integer"], "a number") }
        return nil
    }

    private static func quoted(_ name: String) -> String { "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }

    private static func first(in db: Database, table: String, withoutRowID: Bool) throws -> DamagedHistoryValue? {
        var columns: [(name: String, condition: String, expected: String)] = []
        var keys: [String] = withoutRowID ? [] : ["rowid"]
        for row in try Row.fetchAll(db, sql: "SELECT name, type, pk FROM pragma_table_info(?) ORDER BY pk, cid", arguments: [table]) {
            let name: String = row.stored(0)
            if withoutRowID, row.stored(2) as Int > 0 { keys.append(quoted(name)) }
            guard let fit = fitting(row.stored(1)) else { continue }
            let classes = (fit.classes + ["null"]).map { "'\($0)'" }.joined(separator: ", ")
            columns.append((name, "typeof(\(quoted(name))) NOT IN (\(classes))", fit.expected))
        }
        guard !columns.isEmpty, !keys.isEmpty else { return nil }
        let which = columns.enumerated().map { "WHEN \($0.element.condition) THEN \($0.offset)" }.joined(separator: " ")
        guard let row = try Row.fetchOne(db, sql: """
            SELECT CASE \(which) END, \(keys.map { "quote(\($0))" }.joined(separator: ", ")) FROM \(quoted(table)) WHERE \(columns.map(\.condition).joined(separator: " OR ")) LIMIT 1
            """) else { return nil }
        let column = columns[min(max(row.stored(0) as Int, 0), columns.count - 1)]
        let rowKey = keys.indices.map { "\(keys[$0]) = \(row.stored($0 + 1) as String)" }.joined(separator: " AND ")
        guard let value = try Row.fetchOne(db, sql: "SELECT \(quoted(column.name)) FROM \(quoted(table)) WHERE \(rowKey)") else { return nil }
        // Shown on doctor's one line: a key holding a line break or a control character must not break it.
        let shownKey = oneLine(rowKey)
        let stored = value.storedValue(0)
        let readAs = column.expected == "text" ? "'\(cut(StoredValues.text(stored)))'"
            : column.expected == "an integer" ? String(StoredValues.integer(stored)) : "\(StoredValues.real(stored))"
        return DamagedHistoryValue(table: table, column: column.name, rowKey: shownKey, shown: shown(stored), expected: column.expected,
                                   readAs: readAs, otherTables: [])
    }

    static func shown(_ value: DatabaseValue.Storage) -> String {
        switch value {
        case .null: return "NULL"
        case .int64(let integer): return String(integer)
        case .double(let real): return "\(real)"
        case .string(let text): return "'\(cut(text))'"
        case .blob(let data): return "a blob of \(data.count) bytes"
        }
    }

    /// At most 40 characters, with `…` when cut, on one line (`oneLine`).
    static func cut(_ text: String) -> String {
        let clean = oneLine(String(text.prefix(41)))
        return clean.count > 40 ? String(clean.prefix(40)) + "…" : clean
    }

    /// Line breaks (including U+0085, U+2028, U+2029) and control characters shown as `?`, so the line stays one line.
    static func oneLine(_ text: String) -> String {
        String(text.map { $0.isNewline || ($0.asciiValue.map { $0 < 0x20 || $0 == 0x7F } ?? false) ? "?" : $0 })
    }
}
