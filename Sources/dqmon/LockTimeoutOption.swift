import ArgumentParser
import DQMon
import Foundation

/// `--lock-timeout`: how long a command that writes the history waits for another process's run lock.
/// One flag, one default and one range for every such command (`check`, `alerts flush`, `prune`).
struct LockTimeoutOption: ParsableArguments {
    @Option(name: .long, help: "How long to wait for another dqmon process to release the history lock, e.g. 60s.")
    var lockTimeout: String = "60s"

    func validate() throws {
        _ = try FlagValues.interval(lockTimeout, flag: "--lock-timeout", atMost: FlagValues.maximumLockTimeout)
    }

    /// The wait in seconds (`validate()` has accepted the text).
    var seconds: TimeInterval { Interval(parsing: lockTimeout)?.seconds ?? 60 }
}
