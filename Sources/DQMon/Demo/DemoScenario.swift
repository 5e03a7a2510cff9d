import Foundation

/// The story the demo replays over 30 days of hourly runs: steady loads with a daily rhythm, then
/// `events` loses most of its daily volume for three days (and recovers), a bot floods `events` for three hours
/// on day 25 (a metric anomaly the `anomaly` check catches), and `payments` stops loading
/// 36 hours before the end (still stale when the replay ends). Schema drift: 30% into the replay (day 9 of
/// 30) the payments loader starts writing `amount` as text (the column's type changes), and 80% in (day 24)
/// `orders.discount` is dropped. Business rules: 5 days 16 hours in, a batch of 24 payments from the payment provider's
/// sandbox references orders that do not exist (`payments/references` fails) until the payments team deletes it 22
/// hours later; 12 days 6 hours in, a release of the orders service writes its next API's status names (`settled`
/// for `paid`) for one order in four for a day (`orders/accepted_values` fails), and a fix-up job corrects them three hours after the
/// rollback. (Shorter replays scale these days down; see each date.)
public struct DemoScenario: Sendable {
    /// The replay's last run; the demo starts `days` before it.
    public var end: Date
    public var days: Int

    public init(end: Date, days: Int = 30) {
        self.end = Self.hour(containing: end)
        self.days = days
    }

    public var start: Date { end.addingTimeInterval(-Double(days) * 86_400) }

    /// Data is seeded this far before the first run so windowed checks start with full windows.
    public var seedStart: Date { start.addingTimeInterval(-2 * 86_400) }

    /// The drop starts a little past the middle of the replay and lasts three days (shorter replays: a tenth).
    public var eventsDropStart: Date { start.addingTimeInterval((Double(days) * 0.57).rounded() * 86_400) }
    public var eventsDropEnd: Date { eventsDropStart.addingTimeInterval(min(3, Double(days) / 10) * 86_400) }
    public var paymentsStopAt: Date { end.addingTimeInterval(-36 * 3_600) }
    /// `payments.amount` changes type NUMERIC -> TEXT (the table is rebuilt, as SQLite needs), 9 days 10 hours in (of 30).
    public var paymentsAmountBecomesTextAt: Date { start.addingTimeInterval(Double(days * 3 / 10) * 86_400 + 10 * 3_600) }
    /// `ALTER TABLE orders DROP COLUMN discount`, 24 days 14 hours in (of 30).
    public var ordersDiscountDroppedAt: Date { start.addingTimeInterval(Double(days * 8 / 10) * 86_400 + 14 * 3_600) }
    /// A metric anomaly: a bot floods `events` with four times the usual traffic for three hours.
    public var eventsSpikeStart: Date { start.addingTimeInterval((Double(days) * 0.83).rounded() * 86_400 + 14 * 3_600) }
    public var eventsSpikeEnd: Date { eventsSpikeStart.addingTimeInterval(3 * 3_600) }

    /// The sandbox batch of payments with order ids that do not exist is loaded in this hour (a sixth of the way in).
    public var orphanPaymentsAt: Date { start.addingTimeInterval((Double(days) * 0.17).rounded(.down) * 86_400 + 16 * 3_600) }
    /// The payments team deletes the batch in this hour: 22 hours later (shorter replays: `days` × 4 hours).
    public var orphanPaymentsRemovedAt: Date { orphanPaymentsAt.addingTimeInterval(Double(min(22, days * 4)) * 3_600) }
    /// The order ids the sandbox batch references: far above any id the demo's orders reach.
    public static let orphanOrderIDs = 900_001...900_024

    /// From this hour one order in four gets its status under the release's new name (`settled` for `paid`), outside the
    /// accepted list; 40% of the way in,
    /// but in short replays early enough that it is corrected 6 hours before payments stop loading (the two stories
    /// do not overlap: daily_revenue, built from both, goes stale with payments alone).
    public var badStatusesStart: Date {
        let planned = start.addingTimeInterval((Double(days) * 0.4).rounded(.down) * 86_400 + 6 * 3_600)
        return min(planned, paymentsStopAt.addingTimeInterval(-badStatusesDuration - 9 * 3_600))
    }
    /// The release is rolled back: statuses are written correctly again from this hour.
    public var badStatusesEnd: Date { badStatusesStart.addingTimeInterval(badStatusesDuration) }
    /// A day (shorter replays: a tenth of the replay, in whole hours).
    var badStatusesDuration: TimeInterval { Double(min(24, days * 24 / 10)) * 3_600 }
    /// A fix-up job maps the new names back (and stamps `updated_at`), three hours after the rollback.
    public var statusesCorrectedAt: Date { badStatusesEnd.addingTimeInterval(3 * 3_600) }

    /// The faulty release's names for the accepted statuses. Different words, not only another case: MySQL's default
    /// collations compare text case-insensitively, so `PAID` would pass `accepted_values` there and not on SQLite.
    public static let releaseStatusNames: KeyValuePairs<String, String> = [
        "placed": "created", "paid": "settled", "shipped": "in_transit", "delivered": "completed", "cancelled": "voided",
    ]

    func writesBadStatuses(in hour: Date) -> Bool { hour >= badStatusesStart && hour < badStatusesEnd }

    /// Rows per hour follow a daily curve, lowest at 03:00 UTC and highest in the afternoon.
    func dailyFactor(_ hour: Date) -> Double {
        let hourOfDay = Double(Calendar.utc.component(.hour, from: hour))
        return 0.55 + 0.45 * sin((hourOfDay - 9) / 24 * 2 * .pi)
    }

    func orders(in hour: Date) -> Int { Int((40 * dailyFactor(hour)).rounded()) }

    func payments(in hour: Date) -> Int { hour >= paymentsStopAt ? 0 : Int((36 * dailyFactor(hour)).rounded()) }

    func customers(in hour: Date) -> Int { Int((8 * dailyFactor(hour)).rounded()) }

    func events(in hour: Date) -> Int {
        let normal = 90 * dailyFactor(hour)
        let dropped = hour >= eventsDropStart && hour < eventsDropEnd
        let spiked = hour >= eventsSpikeStart && hour < eventsSpikeEnd
        return Int((dropped ? normal * 0.12 : spiked ? normal * 4 : normal).rounded())
    }

    static func hour(containing date: Date) -> Date {
        Date(timeIntervalSince1970: (date.timeIntervalSince1970 / 3_600).rounded(.down) * 3_600)
    }
}

/// The upstream schema changes of the demo story (see `DemoScenario`), for sinks that copy the demo.
public enum DemoSchemaChange: Sendable, Hashable {
    /// `payments.amount` NUMERIC -> TEXT; later rows hold text such as "12.50 EUR".
    case paymentsAmountBecomesText
    /// `orders.discount` is dropped.
    case ordersDiscountDropped
}

extension Calendar {
    static var utc: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }
}

/// A small deterministic random generator (SplitMix64), so every demo (and randomized test) tells the same story.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
