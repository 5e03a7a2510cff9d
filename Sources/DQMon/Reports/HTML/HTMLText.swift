import Foundation

/// Escaping and small text helpers for the HTML report. Every value that comes from config or history (dataset
/// names, messages, owners, URLs) passes through `escape` before it reaches the page; nothing else is trusted.
enum HTMLText {
    /// Text for an element body or a double-quoted attribute: `&`, `<`, `>`, `"` and `'` become entities, and
    /// control characters (other than tab and newline) are dropped, so no value can close a tag or an attribute.
    static func escape(_ text: String) -> String {
        // Most values (names, messages) need nothing: one scan of the bytes, and the text is returned as it is. A byte
        // 0xC2 may start a C1 control (U+0080-U+009F), so it takes the careful path below.
        if !text.utf8.contains(where: { byte in
            byte < 0x20 || byte == 0x7F || byte == 0xC2 || byte == UInt8(ascii: "&") || byte == UInt8(ascii: "<")
                || byte == UInt8(ascii: ">") || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'")
        }) { return text }
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            case "\t", "\n": escaped.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) { continue }
                escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }

    /// At most `limit` characters, ending with `…` when cut (messages and samples can be long).
    static func clipped(_ text: String, to limit: Int) -> String {
        text.count <= limit ? text : String(text.prefix(max(0, limit - 1))) + "…"
    }

    /// A stable fragment id for a name: lowercase ASCII letters and digits, runs of anything else as one `-`, plus a
    /// short hash of the exact name so that `a b` and `a-b` (or two non-ASCII names) never share an anchor.
    static func slug(_ name: String) -> String {
        var slug = ""
        var pendingDash = false
        for scalar in name.lowercased().unicodeScalars {
            if ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) {
                if pendingDash, !slug.isEmpty { slug += "-" }
                pendingDash = false
                slug.unicodeScalars.append(scalar)
            } else {
                pendingDash = true
            }
        }
        let readable = String(slug.prefix(60))
        let plain = readable == name
        return plain ? readable : (readable.isEmpty ? "" : readable + "-") + shortHash(name)
    }

    /// 8 hex digits of FNV-1a over the name's UTF-8: stable across runs and platforms.
    static func shortHash(_ text: String) -> String {
        var hash: UInt32 = 2_166_136_261
        for byte in text.utf8 {
            hash ^= UInt32(byte)
            hash = hash &* 16_777_619
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 8 - hex.count) + hex
    }

    /// A link target that is safe to put in `href`: http(s) URLs and relative paths; anything else (`javascript:`,
    /// `data:`) is refused so that a runbook value cannot run script in the page.
    static func safeHref(_ link: String) -> String? {
        let lowered = link.lowercased()
        if lowered.hasPrefix("http://") || lowered.hasPrefix("https://") { return link }
        if let colon = lowered.firstIndex(of: ":"), !lowered[..<colon].contains("/") { return nil }
        return link
    }
}

/// Dates and numbers as the report writes them (UTC, compact).
enum HTMLFormat {
    static func day(_ time: Double) -> String { parts(time).map { "\($0.year)-\(two($0.month))-\(two($0.day))" } ?? Format.nonFinite(time) }
    static func minute(_ time: Double) -> String {
        parts(time).map { "\($0.year)-\(two($0.month))-\(two($0.day)) \(two($0.hour)):\(two($0.minute))" } ?? Format.nonFinite(time)
    }
    static func shortDay(_ time: Double) -> String {
        parts(time).map { "\(months[$0.month - 1]) \($0.day)" } ?? Format.nonFinite(time)
    }

    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    static func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }

    /// UTC calendar fields of an epoch time (civil-from-days arithmetic, no formatter: the report prints thousands
    /// of dates); nil outside years 0001-9999 or for a non-finite time.
    static func parts(_ time: Double) -> (year: Int, month: Int, day: Int, hour: Int, minute: Int)? {
        guard time.isFinite, ISO8601.supportedRange.contains(time) else { return nil }
        let seconds = Int(time.rounded(.down))
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day, secondOfDay / 3_600, secondOfDay % 3_600 / 60)
    }

    /// An axis number: `15.1k`, `2.4M`, `412`, `0.42`.
    static func compact(_ value: Double) -> String {
        guard value.isFinite else { return Format.nonFinite(value) }
        let magnitude = abs(value)
        if magnitude >= 1e12 { return Format.scientific(value) }
        if magnitude >= 1e9 { return Format.fixed(value / 1e9, places: 1) + "G" }
        if magnitude >= 1e6 { return Format.fixed(value / 1e6, places: 1) + "M" }
        if magnitude >= 1e4 { return Format.fixed(value / 1e3, places: 1) + "k" }
        if magnitude >= 100 || value == value.rounded() { return Format.fixed(value, places: 0) }
        return Format.fixed(value, places: 2)
    }

    static func percent(_ fraction: Double?) -> String { fraction.map(Format.percent) ?? "–" }
    static func duration(_ seconds: Double?) -> String {
        guard let seconds, seconds.isFinite else { return "–" }
        return Format.age(max(0, seconds))
    }

    static func milliseconds(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "–" }
        return value >= 1_000 ? Format.fixed(value / 1_000, places: 2) + " s" : Format.fixed(value, places: value < 10 ? 1 : 0) + " ms"
    }
}
