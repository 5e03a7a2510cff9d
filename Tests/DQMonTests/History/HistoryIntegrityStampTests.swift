@testable import DQMon
import DQMonTestSupport
import Foundation
import GRDB
import Testing

/// The whole-file `quick_check` before a run's first write is skipped only for a history exactly as a verified
/// dqmon left it (`HistoryIntegrityStamp`). Through the real binary: its `history.verify` log event says whether the
/// full check ran. Damage and foreign writes right after a run must always bring the full check back.
struct HistoryIntegrityStampTests {
    static let nowText = HistoryIntegrityTests.nowText

    /// Runs `dqmon check --all` with JSON logs; returns the exit status, stderr, and the `history.verify` event's
    /// `quick_check` (nil when the run logged none, e.g. refused at open).
    static func check(_ fixture: ProjectFixture, minute: Int) throws -> (status: Int32, stderr: String, fullCheck: Bool?, reason: String) {
        let at = String(format: "2026-11-25T13:%02d:00Z", minute % 60)
        let run = try CommandLineRunner.run(["check", "--all", "--now", at, "--log-format", "json"], in: fixture.root)
        let line = run.stderr.split(separator: "\n").first { $0.contains("\"event\":\"history.verify\"") }
        guard let line, let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            return (run.status, run.stderr, nil, "")
        }
        return (run.status, run.stderr, object["quick_check"] as? Bool, object["reason"] as? String ?? "")
    }

    @Test func anUnchangedHistoryIsNotRecheckedButAForeignWriteIs() throws {
        let fixture = try HistoryIntegrityTests.project()
        let stampURL = HistoryIntegrityStamp.url(for: fixture.historyURL)
        #expect(FileManager.default.fileExists(atPath: stampURL.path), "the first run stamps the history it checked")
        let second = try Self.check(fixture, minute: 1)
        #expect(second.status == 0 && second.fullCheck == false, "\(second)")
        // Read-only commands leave the file (and so the stamp) as it was.
        for command in [["incidents"], ["history", "orders/freshness"], ["sla"]] {
            let read = try CommandLineRunner.run(command + ["--now", Self.nowText], in: fixture.root)
            #expect(read.status == 0, "\(command): \(read.stderr)")
        }
        let third = try Self.check(fixture, minute: 2)
        #expect(third.fullCheck == false, "\(third)")
        // Another program writes the file (sqlite3, a script): the next run checks it in full, then trusts it again.
        let queue = try DatabaseQueue(path: fixture.historyURL.path)
        try queue.write { db in try db.execute(sql: "UPDATE runs SET host = 'edited' WHERE id = 1") }
        try queue.close()
        let fourth = try Self.check(fixture, minute: 3)
        #expect(fourth.fullCheck == true && fourth.reason == "the file changed since dqmon last wrote it", "\(fourth)")
        let fifth = try Self.check(fixture, minute: 4)
        #expect(fifth.fullCheck == false, "\(fifth)")
    }

    /// Damage written the moment a run ends (same size, same inode, within the run's last clock tick when the
    /// machine is fast enough) is never vouched for: every following run either refuses the file or checks it in full.
    @Test func damageRightAfterARunIsNeverTrusted() throws {
        let seed = UInt64(ProcessInfo.processInfo.environment["DQMON_TEST_SEED"] ?? "") ?? 4_242
        var random = SeededRandom(seed: seed)
        let fixture = try HistoryIntegrityTests.project(extraRuns: 40)
        for attempt in 0..<12 {
            let clean = try Self.check(fixture, minute: 10 + attempt)
            #expect(clean.status == 0, "seed \(seed), attempt \(attempt): \(clean.stderr)")
            // Damage at once: no wait between the run's exit and the write.
            let handle = try FileHandle(forUpdating: fixture.historyURL)
            let size = try handle.seekToEnd()
            let pages = Int(size / 4_096)
            let page = attempt < 2 ? attempt : Int.random(in: 1..<max(2, pages), using: &random)
            try handle.seek(toOffset: UInt64(page * 4_096))
            try handle.write(contentsOf: Data((0..<4_096).map { _ in UInt8.random(in: 0...255, using: &random) }))
            try handle.close()
            let after = try Self.check(fixture, minute: 30 + attempt)
            let context = "seed \(seed), attempt \(attempt), page \(page) of \(pages): exit \(after.status), \(after.stderr)"
            #expect(after.status == 3 || after.fullCheck == true, "\(context)")
            if after.status == 3 { #expect(after.stderr.contains("is corrupt ("), "\(context)") }
            // Back to a sound file for the next attempt: a fresh project's history.
            if after.status == 3 {
                try FileManager.default.removeItem(at: fixture.historyURL)
                try? FileManager.default.removeItem(at: HistoryIntegrityStamp.url(for: fixture.historyURL))
            }
        }
    }

    @Test func aStaleBrokenOrMissingStampOrAFullLogMeansAFullCheck() throws {
        let fixture = try HistoryIntegrityTests.project()
        let stampURL = HistoryIntegrityStamp.url(for: fixture.historyURL)
        // Older than a day.
        var stamp = try #require(HistoryIntegrityStamp.read(history: fixture.historyURL))
        stamp.checkedAt -= HistoryIntegrityStamp.maximumAge + 1
        try Data(stamp.text.utf8).write(to: stampURL)
        let stale = try Self.check(fixture, minute: 1)
        #expect(stale.fullCheck == true && stale.reason == "the last full check is more than a day old", "\(stale)")
        // Garbage, and none at all.
        for text in ["", "dqmon-history-verified-v1 1 2 3", "dqmon-history-verified-v1 a b c d e f g h\n", String(repeating: "9", count: 400)] {
            try Data(text.utf8).write(to: stampURL)
            let broken = try Self.check(fixture, minute: 2)
            #expect(broken.status == 0 && broken.fullCheck == true && broken.reason == "no stamp from a verified run", "\(text): \(broken)")
        }
        try FileManager.default.removeItem(at: stampURL)
        let missing = try Self.check(fixture, minute: 3)
        #expect(missing.fullCheck == true, "\(missing)")
        // Another process's writes still in the write-ahead log (the file itself untouched): checked in full.
        let queue = try DatabaseQueue(path: fixture.historyURL.path)
        try queue.write { db in try db.execute(sql: "UPDATE runs SET host = 'edited' WHERE id = 1") }
        let pending = try Self.check(fixture, minute: 4)
        #expect(pending.fullCheck == true, "\(pending)")
        try queue.close()
    }

    /// The stamp's text round-trips, no text traps (seeded mutations of real ones), and out-of-range fields are refused.
    @Test func stampTextRoundTripsAndOddTextIsRefused() {
        let seed: UInt64 = 77
        var random = SeededRandom(seed: seed)
        for _ in 0..<300 {
            let file = HistoryIntegrityStamp.FileState(
                device: UInt64.random(in: 0...UInt64.max, using: &random), inode: UInt64.random(in: 0...UInt64.max, using: &random),
                size: Int64.random(in: 0...Int64.max, using: &random), modifiedSeconds: Int64.random(in: Int64.min...Int64.max, using: &random),
                modifiedNanoseconds: Int64.random(in: 0..<1_000_000_000, using: &random), changedSeconds: Int64.random(in: -1_000...Int64.max, using: &random),
                changedNanoseconds: Int64.random(in: 0..<1_000_000_000, using: &random))
            let stamp = HistoryIntegrityStamp(file: file, checkedAt: Double.random(in: -1e12...1e12, using: &random))
            #expect(HistoryIntegrityStamp.parse(stamp.text) == stamp, "seed \(seed): \(stamp.text)")
            var bytes = Array(stamp.text.utf8)
            for _ in 0..<Int.random(in: 1...4, using: &random) where !bytes.isEmpty {
                bytes[Int.random(in: 0..<bytes.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
            }
            // A mutated stamp may parse (to another stamp, which then matches no file); it must never trap.
            _ = HistoryIntegrityStamp.parse(String(decoding: bytes, as: UTF8.self))
        }
        for text in ["nan", "dqmon-history-verified-v1 1 2 3 4 5 6 7 nan", "dqmon-history-verified-v1 -1 2 3 4 5 6 7 8",
                     "dqmon-history-verified-v1 1 2 3 4 5 6 7 inf", "dqmon-history-verified-v1 1 2 99999999999999999999 4 5 6 7 8"] {
            #expect(HistoryIntegrityStamp.parse(text) == nil, "\(text)")
        }
    }
}
