import Foundation

/// A 5-field cron expression (`minute hour day-of-month month day-of-week`), evaluated in UTC.
///
/// Fields take `*`, numbers, ranges `1-5`, lists `1,3,5`, steps `*/15` or `1-30/5`, and names for
/// months (`JAN`) and weekdays (`SUN`–`SAT`; 0 and 7 are Sunday). As in Vixie cron, when both
/// day-of-month and day-of-week are restricted, a day matching either one fires.
public struct CronSchedule: Sendable, Hashable, CustomStringConvertible {
    public let expression: String
    let minutes: Set<Int>
    let hours: Set<Int>
    let daysOfMonth: Set<Int>
    let months: Set<Int>
    let daysOfWeek: Set<Int>
    let dayOfMonthRestricted: Bool
    let dayOfWeekRestricted: Bool

    public var description: String { expression }

    static let monthNames = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
    static let dayNames = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]

    /// Parses the expression, or throws a message naming the bad field.
    public init(parsing text: String) throws(CronError) {
        let fields = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard fields.count == 5 else {
            throw CronError(message: "cron '\(text)' must have 5 fields (minute hour day-of-month month day-of-week), got \(fields.count)")
        }
        expression = text
        minutes = try Self.field(fields[0], name: "minute", range: 0...59, names: [], offset: 0)
        hours = try Self.field(fields[1], name: "hour", range: 0...23, names: [], offset: 0)
        daysOfMonth = try Self.field(fields[2], name: "day-of-month", range: 1...31, names: [], offset: 0)
        months = try Self.field(fields[3], name: "month", range: 1...12, names: Self.monthNames, offset: 1)
        let weekdays = try Self.field(fields[4], name: "day-of-week", range: 0...7, names: Self.dayNames, offset: 0)
        daysOfWeek = Set(weekdays.map { $0 % 7 })
        dayOfMonthRestricted = fields[2] != "*"
        dayOfWeekRestricted = fields[4] != "*"
    }

    static func field(_ text: String, name: String, range: ClosedRange<Int>, names: [String], offset: Int) throws(CronError) -> Set<Int> {
        var values = Set<Int>()
        for part in text.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
            let pieces = part.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            guard pieces.count <= 2, !pieces[0].isEmpty else { throw CronError(message: "cron \(name) field '\(text)' is not valid") }
            var step = 1
            if pieces.count == 2 {
                guard let value = Int(pieces[1]), value > 0 else { throw CronError(message: "cron \(name) step '\(pieces[1])' must be a positive number") }
                step = value
            }
            var low = range.lowerBound, high = range.upperBound
            if pieces[0] != "*" {
                let bounds = pieces[0].split(separator: "-", omittingEmptySubsequences: false).map(String.init)
                guard bounds.count <= 2 else { throw CronError(message: "cron \(name) range '\(pieces[0])' is not valid") }
                low = try value(bounds[0], name: name, range: range, names: names, offset: offset)
                high = bounds.count == 2 ? try value(bounds[1], name: name, range: range, names: names, offset: offset)
                    : (pieces.count == 2 ? range.upperBound : low)
                guard low <= high else { throw CronError(message: "cron \(name) range '\(pieces[0])' runs backwards") }
            }
            values.formUnion(stride(from: low, through: high, by: step))
        }
        return values
    }

    static func value(_ text: String, name: String, range: ClosedRange<Int>, names: [String], offset: Int) throws(CronError) -> Int {
        if let index = names.firstIndex(of: text.uppercased()) { return index + offset }
        guard let number = Int(text), range.contains(number) else {
            let hint = names.isEmpty ? "" : " or a name such as \(names[0])"
            throw CronError(message: "cron \(name) value '\(text)' must be \(range.lowerBound)-\(range.upperBound)\(hint)")
        }
        return number
    }

    static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    /// Whether the schedule fires in the minute that starts at `date` (seconds ignored).
    public func fires(at date: Date) -> Bool {
        let parts = Self.utc.dateComponents([.minute, .hour, .day, .month, .weekday], from: date)
        guard minutes.contains(parts.minute!), hours.contains(parts.hour!), months.contains(parts.month!) else { return false }
        let dayOfMonth = daysOfMonth.contains(parts.day!)
        let dayOfWeek = daysOfWeek.contains(parts.weekday! - 1)
        if dayOfMonthRestricted && dayOfWeekRestricted { return dayOfMonth || dayOfWeek }
        return dayOfMonth && dayOfWeek
    }

    /// The latest firing minute at or before `date`, looking back at most `window` seconds.
    public func lastFire(atOrBefore date: Date, within window: TimeInterval) -> Date? {
        let start = (date.timeIntervalSince1970 / 60).rounded(.down) * 60
        var minute = start
        while start - minute <= window {
            let candidate = Date(timeIntervalSince1970: minute)
            if fires(at: candidate) { return candidate }
            minute -= 60
        }
        return nil
    }
}

public struct CronError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}
