import Foundation
import GRDB

/// SQLite's `REGEXP` operator, which SQLite declares but does not implement: dqmon registers it on its read-only
/// warehouse connection, so `pattern` checks read `value REGEXP ?` (SQLite calls `regexp(pattern, value)`).
///
/// Semantics follow PostgreSQL's `~` for the subset the README documents: a case-sensitive search for a match
/// anywhere in the value (anchor with `^…$` for a whole-value match), `.` matching newlines too, NULL for a NULL
/// value or pattern. Numbers are matched on their text. Patterns are compiled by ICU (`NSRegularExpression`) once
/// each and cached; a pattern ICU rejects is an SQL error naming it (config parsing rejects it first).
enum SQLiteRegexp {
    static func register(in db: Database) {
        db.add(function: function)
    }

    static let function = DatabaseFunction("regexp", argumentCount: 2, pure: true) { values -> Bool? in
        guard let pattern = String.fromDatabaseValue(values[0]) else { return nil }
        guard let text = text(of: values[1]) else { return nil }
        let expression = try cache.expression(for: pattern)
        let range = NSRange(text.startIndex..<text.endIndex, in: text)
        return expression.firstMatch(in: text, options: [], range: range) != nil
    }

    /// The value as PostgreSQL's `CAST(… AS TEXT)` would write it for the types SQLite stores.
    static func text(of value: DatabaseValue) -> String? {
        switch value.storage {
        case .null: return nil
        case .int64(let number): return String(number)
        case .double(let number): return String(number)
        case .string(let text): return text
        case .blob(let data): return String(decoding: data, as: UTF8.self)
        }
    }

    /// The options that make ICU read a pattern as PostgreSQL does by default (`.` also matches a newline).
    static let options: NSRegularExpression.Options = [.dotMatchesLineSeparators]

    static let cache = ExpressionCache()

    /// Compiled patterns by text (a run uses a handful); bounded so a query over many patterns cannot grow it.
    final class ExpressionCache: @unchecked Sendable {
        private let lock = NSLock()
        private var compiled: [String: NSRegularExpression] = [:]

        func expression(for pattern: String) throws -> NSRegularExpression {
            lock.lock()
            defer { lock.unlock() }
            if let known = compiled[pattern] { return known }
            let expression: NSRegularExpression
            do {
                expression = try NSRegularExpression(pattern: pattern, options: SQLiteRegexp.options)
            } catch {
                throw DatabaseError(resultCode: .SQLITE_ERROR, message: "invalid regular expression '\(pattern)'")
            }
            if compiled.count >= 64 { compiled.removeAll() }
            compiled[pattern] = expression
            return expression
        }
    }
}
