import Foundation

/// `pattern` — rows whose `column` (as text) does not match the regular expression `regex` (NULLs are not counted).
///
/// A match is found anywhere in the value, as PostgreSQL's `~` does; write `^…$` to match the whole value. SQLite
/// runs the same pattern through the `REGEXP` function dqmon registers on its connection (ICU). The README lists
/// the syntax both read alike; a pattern ICU cannot compile, or one using `\b`/`\B` (a word boundary in ICU, a
/// backspace in PostgreSQL), is a config error.
public struct PatternCheck: RowRuleCheck {
    public static let typeName = "pattern"
    public static let keys = ["column", "regex"] + RowRule.valueListingKeys

    public let column: String
    public let regex: String
    public let rule: RowRule

    public init(column: String, regex: String, rule: RowRule = RowRule()) {
        self.column = column
        self.regex = regex
        self.rule = rule
    }

    public static func parse(_ fields: ConfigFields) -> PatternCheck? {
        let column = fields.require("column") != nil ? fields.string("column") : nil
        let regex = fields.require("regex") != nil ? fields.string("regex") : nil
        let valid = regex.flatMap { regex in fields["regex"].flatMap { validate(regex, at: $0) } }
        let rule = RowRule.parse(fields)
        guard let column, let valid else { return nil }
        return PatternCheck(column: column, regex: valid, rule: rule)
    }

    /// The pattern when both warehouses read it alike; else one error at the value.
    static func validate(_ regex: String, at node: ConfigNode) -> String? {
        if regex.isEmpty {
            node.error("'regex' is empty; write the pattern values must match, e.g. regex: '^[A-Z]{3}-[0-9]+$'")
            return nil
        }
        if let problem = problem(in: regex) {
            node.error("'regex' \(ConfigText.quoted(regex)) \(problem)")
            return nil
        }
        return regex
    }

    /// Why `regex` cannot be used, or nil.
    static func problem(in regex: String) -> String? {
        var escaped = false
        for character in regex {
            if escaped {
                if character == "b" || character == "B" {
                    return "uses '\\\(character)', which means a word boundary in SQLite's regexp and a backspace in PostgreSQL: use '\\y' on PostgreSQL only, or spell the boundary with a character class"
                }
                escaped = false
            } else if character == "\\" {
                escaped = true
            }
        }
        do {
            _ = try NSRegularExpression(pattern: regex, options: [.dotMatchesLineSeparators])
        } catch {
            return "is not a valid regular expression (check brackets, parentheses and escapes)"
        }
        return nil
    }

    public var failingRows: Metric { .aggregate(FailingRowCount(Condition(column: column, regex: regex), filter: rule.filter)) }

    public var listsOffendingValues: Bool { true }

    public var violation: String { "have \(column) not matching \(ConfigText.quoted(regex))" }

    /// `column IS NOT NULL AND NOT (CAST(column AS TEXT) ~ ?)` (`REGEXP ?` on SQLite).
    struct Condition: RowCondition {
        let column: String
        let regex: String

        var name: String { "pattern_failing(\(column))" }
        var columns: [String] { [column] }

        func sql(over rows: DatasetRows) -> SQLStatement {
            let quoted = rows.dialect.quote(column)
            return SQLStatement("\(quoted) IS NOT NULL AND NOT (\(rows.dialect.regexMatch(rows.dialect.text(of: quoted))))",
                                arguments: [.text(regex)])
        }
    }
}
