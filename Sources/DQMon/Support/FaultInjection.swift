import Foundation

/// Test-only fault injection for the crash tests (`RunSafetyTests`, `HistoryIntegrityTests`), which SIGKILL a
/// `dqmon check` in the middle of writing its run to prove that a killed run leaves a complete run or none.
///
/// Contract with those tests (environment variables of the `dqmon` process):
/// - `DQMON_FAULT_HOLD_COMMIT=SECONDS`: the run sleeps that long inside its write transaction, just before commit.
/// - `DQMON_FAULT_MARKER=PATH`: the run creates this (empty) file first, so the test knows when to kill it.
///
/// Without `DQMON_FAULT_HOLD_COMMIT` (every real run) nothing happens.
enum FaultInjection {
    /// Called by `HistoryStore.recordRun` inside the run's transaction, after everything is written.
    static func holdCommitIfAsked() {
        let environment = ProcessInfo.processInfo.environment
        guard let value = environment["DQMON_FAULT_HOLD_COMMIT"], let seconds = Double(value) else { return }
        if let marker = environment["DQMON_FAULT_MARKER"] {
            _ = FileManager.default.createFile(atPath: marker, contents: Data())
        }
        Thread.sleep(forTimeInterval: seconds)
    }
}
