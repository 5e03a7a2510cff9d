@testable import DQMon
import DQMonTestSupport
import Foundation
import GRDBSQLite
import Testing

/// SQLite's global memory statistics are off for the whole process, set before SQLite initialized: otherwise every
/// allocation of every connection takes one process-wide mutex, which two warehouse readers contend for.
struct SQLiteMemoryStatisticsTests {
    @Test func sqliteKeepsNoMemoryStatisticsWhileWarehousesRead() async throws {
        #expect(SQLiteWarehouse.memoryStatisticsAreOff)
        let directory = try SQLiteReaderPoolTests.warehouseFile(tables: 2)
        let warehouse = try SQLiteWarehouse(name: "w", settings: SQLiteSettings(path: directory.path("w.sqlite")))
        #expect(try await warehouse.queryRow(SQLStatement("SELECT count(*), group_concat(v) FROM t1")) == [.integer(2), .text("1,2")])
        // Counted only while the statistics are on: this process has opened and read SQLite files by now.
        #expect(sqlite3_memory_used() == 0)
        #expect(sqlite3_memory_highwater(0) == 0)
        await warehouse.close()
    }
}
