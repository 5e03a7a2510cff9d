import Foundation
import GRDB

/// Writes the demo SQLite warehouse: orders, customers, payments and events, loaded hour by hour, and the story's
/// corrections (statuses renamed back, orphan payments deleted), which its change log records for the copies.
///
/// Timestamps are stored the ways real loaders store them: ISO 8601 text (orders, customers, payments)
/// and epoch seconds (events).
public final class DemoWarehouse {
    let queue: DatabaseQueue
    var random = SeededRandom(seed: 20_261_125)
    var nextOrderID = 1
    var nextCustomerID = 1
    /// Schema drift applied so far (see `DemoScenario`): later loads write what the table now holds.
    var paymentsAmountIsText = false
    var ordersHaveDiscount = true
    /// Changes applied since `takeSchemaChanges()`, for a `DemoSink` to apply to its copy.
    var pendingSchemaChanges: [DemoSchemaChange] = []
    /// Business-rule story steps done so far (see `DemoScenario`): each happens once, in the first hour at or after its date.
    var orphanPaymentsLoaded = false
    var orphanPaymentsRemoved = false
    var statusesCorrected = false
    /// Every row written or deleted, for `DemoExport` to copy corrections and removals, not only new rows.
    let changeLog = DemoChangeLog(tables: DemoTable.all.map(\.name))

    /// The schema changes applied since the last call.
    public func takeSchemaChanges() -> [DemoSchemaChange] {
        defer { pendingSchemaChanges = [] }
        return pendingSchemaChanges
    }

    /// Creates a fresh warehouse file at `path`, replacing any previous demo warehouse.
    public init(path: URL) throws {
        try FileManager.default.createDirectory(at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
        for suffix in ["", "-wal", "-shm", "-journal"] { try? FileManager.default.removeItem(atPath: path.path + suffix) }
        queue = try DatabaseQueue(path: path.path)
        try queue.write { db in
            try db.execute(sql: """
                CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT, country TEXT NOT NULL,
                                        created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
                CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL, status TEXT NOT NULL,
                                     amount NUMERIC NOT NULL, currency TEXT NOT NULL, discount NUMERIC,
                                     created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
                CREATE TABLE payments (id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL, method TEXT NOT NULL,
                                       amount NUMERIC NOT NULL, paid_at TEXT NOT NULL);
                CREATE TABLE events (id INTEGER PRIMARY KEY, user_id INTEGER, event_type TEXT NOT NULL,
                                     occurred_at INTEGER NOT NULL);
                CREATE INDEX orders_created_at ON orders(created_at);
                CREATE TABLE daily_revenue (id INTEGER PRIMARY KEY, day TEXT NOT NULL, amount NUMERIC NOT NULL, updated_at TEXT NOT NULL);
                CREATE INDEX events_occurred_at ON events(occurred_at);
                """)
        }
        let changeLog = changeLog
        queue.inDatabase { db in db.add(transactionObserver: changeLog, extent: .databaseLifetime) }
    }

    /// Loads the rows that arrived during the hour starting at `hour`, in one transaction.
    public func load(hour: Date, scenario: DemoScenario) throws {
        let customers = scenario.customers(in: hour), orders = scenario.orders(in: hour)
        let payments = scenario.payments(in: hour), events = scenario.events(in: hour)
        try applySchemaChanges(before: hour, scenario: scenario)
        try applyFixUps(before: hour, scenario: scenario)
        let badStatuses = scenario.writesBadStatuses(in: hour)
        try queue.write { db in
            for _ in 0..<customers { try insertCustomer(db, at: randomTime(in: hour)) }
            var orderIDs: [Int] = []
            for _ in 0..<orders { orderIDs.append(try insertOrder(db, at: randomTime(in: hour), badStatus: badStatuses)) }
            for index in 0..<payments {
                let orderID = orderIDs.isEmpty ? max(1, nextOrderID - 1 - index) : orderIDs[index % orderIDs.count]
                let method = ["card", "card", "paypal", "bank_transfer"].randomElement(using: &random)!
                let amount = Double(Int.random(in: 500...25_000, using: &random)) / 100
                // After the type change the loader writes text such as "12.50 EUR".
                let stored: any DatabaseValueConvertible = paymentsAmountIsText ? String(format: "%.2f EUR", amount) : amount
                try db.execute(sql: "INSERT INTO payments (order_id, method, amount, paid_at) VALUES (?, ?, ?, ?)", arguments: [
                    orderID, method, stored, Self.text(randomTime(in: hour))])
            }
            try buildRevenue(db, hour: hour)
            if !orphanPaymentsLoaded, hour >= scenario.orphanPaymentsAt {
                try insertOrphanPayments(db, hour: hour)
                orphanPaymentsLoaded = true
            }
            for _ in 0..<events {
                try db.execute(sql: "INSERT INTO events (user_id, event_type, occurred_at) VALUES (?, ?, ?)", arguments: [
                    Int.random(in: 1...max(1, nextCustomerID), using: &random),
                    ["page_view", "page_view", "page_view", "click", "search", "add_to_cart", "checkout"].randomElement(using: &random)!,
                    Int(randomTime(in: hour).timeIntervalSince1970)])
            }
        }
    }

    /// `daily_revenue`, the demo's downstream table (lineage: built from payments and orders): each hour's job adds the
    /// hour's settled revenue, stamped with the newest payment it read. When payments stop loading it adds nothing, so
    /// daily_revenue goes stale with them. Reads only what was loaded (no random draws), so the other tables keep their data.
    func buildRevenue(_ db: Database, hour: Date) throws {
        try db.execute(sql: """
            INSERT INTO daily_revenue (day, amount, updated_at)
            SELECT substr(max(paid_at), 1, 10), round(sum(CAST(amount AS REAL)), 2), max(paid_at) FROM payments
            WHERE paid_at >= ? AND paid_at < ? HAVING count(*) > 0
            """, arguments: [Self.text(hour), Self.text(hour.addingTimeInterval(3_600))])
    }

    /// The sandbox batch: payments for order ids that do not exist (`DemoScenario.orphanOrderIDs`), written the way the
    /// loader writes at that point of the story. No random draws, so the rest of the story keeps its data.
    func insertOrphanPayments(_ db: Database, hour: Date) throws {
        for (index, orderID) in DemoScenario.orphanOrderIDs.enumerated() {
            let amount = Double(1_000 + index * 25) / 100
            let stored: any DatabaseValueConvertible = paymentsAmountIsText ? String(format: "%.2f EUR", amount) : amount
            try db.execute(sql: "INSERT INTO payments (order_id, method, amount, paid_at) VALUES (?, ?, ?, ?)", arguments: [
                orderID, "card", stored, Self.text(hour.addingTimeInterval(Double(3_000 + index * 10)))])
        }
    }

    /// The story's corrections, applied once when their hour comes, before the hour's load: the payments team deletes
    /// the payments whose order does not exist, and a fix-up job maps the faulty release's status names back.
    func applyFixUps(before hour: Date, scenario: DemoScenario) throws {
        if orphanPaymentsLoaded, !orphanPaymentsRemoved, hour >= scenario.orphanPaymentsRemovedAt {
            try queue.write { db in
                try db.execute(sql: "DELETE FROM payments WHERE NOT EXISTS (SELECT 1 FROM orders WHERE orders.id = payments.order_id)")
            }
            orphanPaymentsRemoved = true
        }
        if !statusesCorrected, hour >= scenario.statusesCorrectedAt {
            try queue.write { db in
                let names = DemoScenario.releaseStatusNames
                let mapping = names.map { _ in "WHEN ? THEN ?" }.joined(separator: " ")
                let list = names.map { _ in "?" }.joined(separator: ", ")
                try db.execute(sql: "UPDATE orders SET status = CASE status \(mapping) END, updated_at = ? WHERE status IN (\(list))",
                               arguments: StatementArguments(names.flatMap { [$0.value, $0.key] } + [Self.text(hour.addingTimeInterval(300))] + names.map(\.value)))
            }
            statusesCorrected = true
        }
    }

    /// The upstream schema changes of the story, applied once when their hour comes.
    func applySchemaChanges(before hour: Date, scenario: DemoScenario) throws {
        if !paymentsAmountIsText, hour >= scenario.paymentsAmountBecomesTextAt {
            // SQLite cannot ALTER a column's type: rebuild the table with `amount TEXT` at the same position.
            try queue.write { db in
                try db.execute(sql: """
                    CREATE TABLE payments_new (id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL, method TEXT NOT NULL,
                                               amount TEXT NOT NULL, paid_at TEXT NOT NULL);
                    INSERT INTO payments_new SELECT id, order_id, method, CAST(amount AS TEXT), paid_at FROM payments;
                    DROP TABLE payments;
                    ALTER TABLE payments_new RENAME TO payments;
                    """)
            }
            paymentsAmountIsText = true
            pendingSchemaChanges.append(.paymentsAmountBecomesText)
        }
        if ordersHaveDiscount, hour >= scenario.ordersDiscountDroppedAt {
            try queue.write { db in try db.execute(sql: "ALTER TABLE orders DROP COLUMN discount") }
            ordersHaveDiscount = false
            pendingSchemaChanges.append(.ordersDiscountDropped)
        }
    }

    /// Bulk-loads customers signed up before the replay, so the table starts with a realistic size.
    public func seedCustomers(count: Int, before date: Date) throws {
        try queue.write { db in
            for _ in 0..<count {
                try insertCustomer(db, at: date.addingTimeInterval(-Double.random(in: 3 * 86_400...365 * 86_400, using: &random)))
            }
        }
    }

    func insertCustomer(_ db: Database, at time: Date) throws {
        let id = nextCustomerID
        nextCustomerID += 1
        try db.execute(sql: "INSERT INTO customers (id, name, email, country, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)", arguments: [
            id, "Customer \(id)", "customer\(id)@example.com", ["DE", "FR", "US", "GB", "NL", "ES"].randomElement(using: &random)!,
            Self.text(time), Self.text(time)])
    }

    /// One order; with `badStatus`, one order in four (by id) gets its status under the faulty release's name.
    func insertOrder(_ db: Database, at time: Date, badStatus: Bool = false) throws -> Int {
        let id = nextOrderID
        nextOrderID += 1
        let amount = Double(Int.random(in: 500...25_000, using: &random)) / 100
        let discount: Double? = Int.random(in: 0..<5, using: &random) == 0 ? (amount * 0.1 * 100).rounded() / 100 : nil
        let customerID = Int.random(in: 1...max(1, nextCustomerID - 1), using: &random)
        let drawn = ["placed", "paid", "paid", "shipped", "delivered", "cancelled"].randomElement(using: &random)!
        let renamed = DemoScenario.releaseStatusNames.first { $0.key == drawn }?.value
        let status = badStatus && id % 4 == 0 ? renamed ?? drawn : drawn
        let updatedAt = min(time.addingTimeInterval(Double.random(in: 0...600, using: &random)), hourEnd(time))
        if ordersHaveDiscount {
            try db.execute(sql: """
                INSERT INTO orders (id, customer_id, status, amount, currency, discount, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [id, customerID, status, amount, "EUR", discount, Self.text(time), Self.text(updatedAt)])
        } else {
            try db.execute(sql: """
                INSERT INTO orders (id, customer_id, status, amount, currency, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [id, customerID, status, amount, "EUR", Self.text(time), Self.text(updatedAt)])
        }
        return id
    }

    /// The last second of the hour holding `time`: loads never write timestamps past the hour they load.
    func hourEnd(_ time: Date) -> Date {
        DemoScenario.hour(containing: time).addingTimeInterval(3_599)
    }

    func randomTime(in hour: Date) -> Date {
        hour.addingTimeInterval(Double.random(in: 0..<3_600, using: &random).rounded(.down))
    }

    /// `2026-11-25 18:04:12`: the zone-less UTC text many loaders write.
    static func text(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return formatter.string(from: date)
    }
}
