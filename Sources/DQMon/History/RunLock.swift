import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive lock on a history database, so two `dqmon check` processes never interleave runs.
///
/// Uses `flock` on `<history>.lock`: the kernel releases it when the holder exits, even by SIGKILL,
/// so a killed run never leaves a stale lock behind.
public final class RunLock: Sendable {
    private let descriptor: Int32
    public let path: String

    /// Waits up to `timeout` for the lock, polling every 50 ms.
    public static func acquire(for history: URL, timeout: TimeInterval) throws(RunLockError) -> RunLock {
        let path = history.path + ".lock"
        try? FileManager.default.createDirectory(at: history.deletingLastPathComponent(), withIntermediateDirectories: true)
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        let display = ConfigLoader.displayPath(URL(fileURLWithPath: path))
        guard descriptor >= 0 else {
            throw RunLockError(path: path, message: "cannot create the history lock file \(display): \(String(cString: strerror(errno))) (is the folder writable?)")
        }
        let started = Date()
        let deadline = started.addingTimeInterval(timeout)
        var waited = false
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            if !waited { DQMonLog.lockWait(display, timeout: timeout) }
            waited = true
            guard Date() < deadline else {
                DQMonLog.lockGaveUp(display, since: started)
                close(descriptor)
                throw RunLockError(path: path, message: "another dqmon process holds the history lock \(display); gave up after \(Format.age(timeout)) (raise --lock-timeout, or look for a stuck run: fuser \(display))")
            }
            usleep(50_000)
        }
        if waited { DQMonLog.lockAcquired(display, since: started) }
        return RunLock(descriptor: descriptor, path: path)
    }

    private init(descriptor: Int32, path: String) {
        self.descriptor = descriptor
        self.path = path
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}

/// The history lock could not be taken in time.
public struct RunLockError: Error, Sendable, CustomStringConvertible {
    public let path: String
    public let message: String
    public var description: String { message }
}
