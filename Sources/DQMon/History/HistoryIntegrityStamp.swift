import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What the history file looked like when dqmon last left it, after a check that passed: lets the next writing
/// command skip the whole-file `PRAGMA quick_check` when nothing but dqmon has written the file since.
///
/// Why: `quick_check` reads every page, so its cost grows with the history (0.15 s at one day of hourly runs of
/// 1,000 datasets, ~2 s at 1,000,000 results), paid before every run's first write: soon more than the run itself.
///
/// Contract (`<history>.verified`, one line, written by `HistoryStore` when it closes):
/// - written only by a store that passed the check (or was trusted by a stamp) and met no corruption, after its
///   connection closed cleanly (the write-ahead log checkpointed and gone), and only once the kernel's clock has
///   moved past the file's change time, so that any later write to the file, by any process, changes its
///   change time (`ctime`, which no process can set back);
/// - trusted only when the file's device, inode, size, modification and change times are exactly those recorded,
///   there is no write-ahead log with content (another process's committed writes not yet in the file), and the
///   last full check is less than `maximumAge` old by this machine's clock. Anything else (no stamp, a stamp that
///   does not parse, a file restored, copied over, written by `sqlite3` or damaged by another program) runs the
///   full check, as before;
/// - damage that leaves the file's times alone (the disk itself) is still found: by the full check at least once a
///   day, by any "corrupt" error SQLite meets while reading or writing, and by `dqmon doctor`, which always checks.
struct HistoryIntegrityStamp: Equatable {
    /// The file's identity and times, as `stat` reports them.
    struct FileState: Equatable {
        var device: UInt64
        var inode: UInt64
        var size: Int64
        var modifiedSeconds: Int64
        var modifiedNanoseconds: Int64
        var changedSeconds: Int64
        var changedNanoseconds: Int64
    }

    var file: FileState
    /// When the last full `quick_check` of this file passed (seconds since 1970, this machine's clock).
    var checkedAt: Double

    /// How long a passed full check vouches for a file only dqmon has written.
    static let maximumAge: TimeInterval = 86_400

    static func url(for history: URL) -> URL { URL(fileURLWithPath: history.path + ".verified") }

    /// The state of the file at `path`, or nil when it cannot be read.
    static func state(of path: String) -> FileState? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return FileState(device: UInt64(truncatingIfNeeded: info.st_dev), inode: UInt64(truncatingIfNeeded: info.st_ino),
                         size: Int64(truncatingIfNeeded: info.st_size),
                         modifiedSeconds: Int64(truncatingIfNeeded: info.st_mtim.tv_sec), modifiedNanoseconds: Int64(truncatingIfNeeded: info.st_mtim.tv_nsec),
                         changedSeconds: Int64(truncatingIfNeeded: info.st_ctim.tv_sec), changedNanoseconds: Int64(truncatingIfNeeded: info.st_ctim.tv_nsec))
    }

    /// Whether the history's write-ahead log holds frames (another process's writes, or a run killed before its
    /// checkpoint). An empty or absent log holds none.
    static func logHasContent(history: URL) -> Bool {
        guard let log = state(of: history.path + "-wal") else { return false }
        return log.size > 0
    }

    /// The stamp beside `history`, or nil when there is none or it does not parse.
    static func read(history: URL) -> HistoryIntegrityStamp? {
        guard let text = try? String(contentsOf: url(for: history), encoding: .utf8) else { return nil }
        return parse(text)
    }

    static let header = "dqmon-history-verified-v1"

    static func parse(_ text: String) -> HistoryIntegrityStamp? {
        let fields = text.split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard fields.count == 9, fields[0] == header else { return nil }
        let numbers = fields[3...7].compactMap { Int64($0) }
        guard let device = UInt64(fields[1]), let inode = UInt64(fields[2]), numbers.count == 5,
              let checkedAt = Double(fields[8]), checkedAt.isFinite else { return nil }
        let file = FileState(device: device, inode: inode, size: numbers[0], modifiedSeconds: numbers[1],
                             modifiedNanoseconds: numbers[2], changedSeconds: numbers[3], changedNanoseconds: numbers[4])
        return HistoryIntegrityStamp(file: file, checkedAt: checkedAt)
    }

    var text: String {
        [Self.header, "\(file.device)", "\(file.inode)", "\(file.size)", "\(file.modifiedSeconds)", "\(file.modifiedNanoseconds)",
                "\(file.changedSeconds)", "\(file.changedNanoseconds)", "\(checkedAt)"].joined(separator: " ") + "\n"
    }

    /// Why the full check must run, or nil when this stamp vouches for the file as it is now.
    func reasonToCheck(history: URL, now: Date) -> String? {
        guard let current = Self.state(of: history.path) else { return "cannot read the file's state" }
        guard current == file else { return "the file changed since dqmon last wrote it" }
        guard !Self.logHasContent(history: history) else { return "its write-ahead log holds writes not yet in the file" }
        let age = now.timeIntervalSince1970 - checkedAt
        guard age >= 0, age < Self.maximumAge else { return "the last full check is more than a day old" }
        return nil
    }

    /// Records the file as it is now, when that is safe (see the type's contract); otherwise removes any stamp, so
    /// the next writer checks the whole file. Best effort: a stamp that cannot be written only costs a full check.
    static func record(history: URL, checkedAt: Double) {
        let stampURL = url(for: history)
        guard !logHasContent(history: history), let file = state(of: history.path), waitUntilChangeTimeIsPast(file),
              state(of: history.path) == file else {
            try? FileManager.default.removeItem(at: stampURL)
            return
        }
        let temporary = stampURL.path + ".tmp"
        guard writeFile(temporary, HistoryIntegrityStamp(file: file, checkedAt: checkedAt).text), rename(temporary, stampURL.path) == 0 else {
            unlink(temporary)
            return
        }
    }

    /// Writes `text` to a new file at `path` with plain system calls, without syncing it: Foundation's `Data.write`
    /// synced the file (an `fsync` per run, on top of its own setup), which a stamp does not need. A stamp lost or left
    /// empty by a crash does not parse, and the next writer runs the full check; the history itself was synced by
    /// the checkpoint before the stamp is written, so a surviving stamp never describes a file newer than the disk's.
    static func writeFile(_ path: String, _ text: String) -> Bool {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o666)
        guard descriptor >= 0 else { return false }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        return close(descriptor) == 0 && written == bytes.count
    }

    /// Waits until the kernel's coarse clock, which stamps file writes, is past the file's change time: a write in the
    /// same tick would otherwise leave the times as recorded. The tick is 1–10 ms (4 ms here: ~2 ms of wall time per
    /// run on average, polled every 0.2 ms); at most 50 ms, then no stamp. False on a file system with whole-second
    /// times (no nanoseconds), where that could take a second: no stamp there.
    static func waitUntilChangeTimeIsPast(_ file: FileState) -> Bool {
        guard file.changedNanoseconds != 0 || file.modifiedNanoseconds != 0 else { return false }
        for _ in 0..<250 {
            var now = timespec()
            guard clock_gettime(CLOCK_REALTIME_COARSE, &now) == 0 else { return false }
            let seconds = Int64(now.tv_sec), nanoseconds = Int64(now.tv_nsec)
            if seconds > file.changedSeconds || (seconds == file.changedSeconds && nanoseconds > file.changedNanoseconds) { return true }
            usleep(200)
        }
        return false
    }
}
