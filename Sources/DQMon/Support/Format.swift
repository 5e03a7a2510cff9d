import Foundation

/// Human formatting shared by messages, tables and reports.
public enum Format {
    /// `0.5` -> `50%`, `0.125` -> `12.5%`.
    public static func percent(_ fraction: Double) -> String {
        let value = fraction * 100
        if value == value.rounded() { return "\(Int(value))%" }
        return fixed(value, places: 1) + "%"
    }

    /// `value` with exactly `places` decimals (0...6), like `String(format: "%.2f")` (ties to even; never "-0"), without
    /// Foundation's formatter (reports print thousands of figures).
    public static func fixed(_ value: Double, places: Int) -> String {
        var scale: Int64 = 1
        for _ in 0..<min(max(places, 0), 6) { scale *= 10 }
        guard value.isFinite, (0...6).contains(places), abs(value) * Double(scale) < 9e18 else {
            return String(format: "%.\(places)f", value)
        }
        let scaled = Int64((abs(value) * Double(scale)).rounded(.toNearestOrEven))
        let whole = String(scaled / scale)
        let sign = value < 0 && scaled != 0 ? "-" : ""
        guard places > 0 else { return sign + whole }
        let fraction = String(scaled % scale)
        return sign + whole + "." + String(repeating: "0", count: places - fraction.count) + fraction
    }

    /// A count with thousands separators: `12345` -> `12,345`.
    public static func count(_ value: Double) -> String {
        guard value.isFinite else { return "\(value)" }
        if value != value.rounded() { return fixed(value, places: 2) }
        let digits = String(Int64(value).magnitude)
        var grouped = ""
        for (index, character) in digits.reversed().enumerated() {
            if index > 0, index % 3 == 0 { grouped.append(",") }
            grouped.append(character)
        }
        return (value < 0 ? "-" : "") + String(grouped.reversed())
    }

    /// A duration in the largest sensible units: `5400` -> `1h30m`.
    public static func age(_ seconds: TimeInterval) -> String {
        if seconds < 0 { return "-" + age(-seconds) }
        if seconds < 60 { return "\(Int(seconds.rounded()))s" }
        let minutes = Int((seconds / 60).rounded(.down))
        if minutes < 60 { return "\(minutes)m" }
        let hours = minutes / 60
        if hours < 48 { return minutes % 60 == 0 ? "\(hours)h" : "\(hours)h\(minutes % 60)m" }
        let days = hours / 24
        return hours % 24 == 0 ? "\(days)d" : "\(days)d\(hours % 24)h"
    }

    /// ISO 8601 in UTC, to the second: `2026-11-25T18:00:00Z`.
    public static func timestamp(_ date: Date) -> String {
        ISO8601.string(from: date)
    }
}

/// ISO 8601 parsing and printing that accepts the forms users type for `--now`.
public enum ISO8601 {
    /// Formatted with `gmtime_r`: a formatter per call costs ICU set-up, and this runs for every result.
    public static func string(from date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
                      Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
    }

    /// Accepts `2026-11-25T18:00:00Z`, with fractional seconds or an offset, `2026-11-25T18:00` and `2026-11-25` (UTC).
    public static func date(from text: String) -> Date? {
        let full = ISO8601DateFormatter()
        full.formatOptions = [.withInternetDateTime]
        if let date = full.date(from: text) { return date }
        full.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = full.date(from: text) { return date }
        for pattern in ["yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd"] {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "UTC")
            formatter.dateFormat = pattern
            if let date = formatter.date(from: text) { return date }
        }
        return nil
    }
}
