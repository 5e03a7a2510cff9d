import Foundation

/// Waiting in tests without trusting the wall clock.
///
/// A test never asserts on elapsed time and never sleeps "long enough". When it must wait for something another
/// process does (a marker file a child writes, a server's statistics), it asks for that condition a bounded
/// number of times: a loaded machine makes the wait longer, never the verdict different, and a condition that
/// never comes ends the loop after `attempts` asks instead of hanging the suite.
public enum Poll {
    /// Asks `condition` until it holds, at most `attempts` times, `interval` apart; returns whether it held.
    public static func until(attempts: Int, every interval: Duration, _ condition: () throws -> Bool) rethrows -> Bool {
        for attempt in 0..<max(1, attempts) {
            if try condition() { return true }
            if attempt < attempts - 1 { Thread.sleep(forTimeInterval: interval.seconds) }
        }
        return false
    }

    /// Asks `condition` until it holds, at most `attempts` times, `interval` apart; returns whether it held.
    public static func until(attempts: Int, every interval: Duration, _ condition: () async throws -> Bool) async throws -> Bool {
        for attempt in 0..<max(1, attempts) {
            if try await condition() { return true }
            if attempt < attempts - 1 { try await Task.sleep(for: interval) }
        }
        return false
    }
}

/// A sleeper for code that waits between attempts (`AlertDelivery.sleep`): it records every wait it is asked
/// for and returns at once, so a test asserts on the wait (a receiver's `Retry-After`) instead of spending it.
public final class RecordingSleeper: @unchecked Sendable {
    private let lock = NSLock()
    private var recorded: [TimeInterval] = []

    public init() {}

    /// The waits asked for, in order, in seconds.
    public var waits: [TimeInterval] { lock.withLock { recorded } }

    public func sleep(_ seconds: TimeInterval) async {
        lock.withLock { recorded.append(seconds) }
    }
}

extension Duration {
    var seconds: TimeInterval {
        let (seconds, attoseconds) = components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }
}
