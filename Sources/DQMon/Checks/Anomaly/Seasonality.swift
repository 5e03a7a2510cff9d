/// A repeating pattern a metric may follow. Buckets are computed in UTC.
public enum Seasonality: String, Sendable, Hashable, CaseIterable {
    case hourOfDay = "hour_of_day"
    case dayOfWeek = "day_of_week"
    case hourOfWeek = "hour_of_week"
    case dayOfMonth = "day_of_month"

    /// One full cycle; a pattern is used only once the training data spans two of them.
    public var period: Double {
        switch self {
        case .hourOfDay: return 86_400
        case .dayOfWeek, .hourOfWeek: return 604_800
        case .dayOfMonth: return 31 * 86_400
        }
    }

    /// The coarsest metric interval that can still tell the buckets apart.
    var resolution: Double {
        switch self {
        case .hourOfDay, .hourOfWeek: return 3_600
        case .dayOfWeek, .dayOfMonth: return 86_400
        }
    }

    var bucketCount: Int {
        switch self {
        case .hourOfDay: return 24
        case .dayOfWeek: return 7
        case .hourOfWeek: return 168
        case .dayOfMonth: return 31
        }
    }

    /// The bucket of a UTC epoch time, 0..<bucketCount. Weeks start on Monday.
    func bucket(_ time: Double) -> Int {
        let days = Int((time / 86_400).rounded(.down))
        let hour = Int((time / 3_600).rounded(.down)) - days * 24
        let weekday = ((days + 3) % 7 + 7) % 7  // 1970-01-01 was a Thursday
        switch self {
        case .hourOfDay: return hour
        case .dayOfWeek: return weekday
        case .hourOfWeek: return weekday * 24 + hour
        case .dayOfMonth: return Self.dayOfMonth(daysSinceEpoch: days) - 1
        }
    }

    /// The buckets of many times. Every bucket boundary is a whole hour, so the calendar arithmetic runs once
    /// per hour of data, not once per point (this is the detector's hot loop).
    func buckets(_ times: [Double], into buckets: inout [Int]) {
        buckets.removeAll(keepingCapacity: true)
        var lastHour = Int.min
        var lastBucket = 0
        for time in times {
            let hour = Int((time / 3_600).rounded(.down))
            if hour != lastHour {
                lastHour = hour
                lastBucket = bucket(time)
            }
            buckets.append(lastBucket)
        }
    }

    /// The bucket for people, e.g. `14:00 UTC`, `Tuesday`, `Tuesday 14:00 UTC`, `day 3`.
    func label(_ bucket: Int) -> String {
        let weekdays = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
        func hour(_ h: Int) -> String { (h < 10 ? "0" : "") + "\(h):00 UTC" }
        switch self {
        case .hourOfDay: return hour(bucket)
        case .dayOfWeek: return weekdays[bucket]
        case .hourOfWeek: return weekdays[bucket / 24] + " " + hour(bucket % 24)
        case .dayOfMonth: return "day \(bucket + 1) of the month"
        }
    }

    /// Civil day of month from days since 1970-01-01 (proleptic Gregorian, as timestamps are printed).
    static func dayOfMonth(daysSinceEpoch: Int) -> Int {
        ISO8601.civil(daysSinceEpoch: Int64(daysSinceEpoch)).day
    }
}
