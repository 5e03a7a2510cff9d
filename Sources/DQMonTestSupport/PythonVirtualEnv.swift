import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A throwaway Python virtualenv holding the official reference libraries pinned in
/// `scripts/lib/reference/requirements.txt` (`standardwebhooks`, `slack_sdk`), so tests check dqmon's output with
/// the libraries receivers really use rather than with our own reading of a spec.
///
/// Created once, under `.build/dqmon-reference-venv` (or `$DQMON_TEST_VENV`), by `python3 -m venv` and
/// `pip install -r requirements.txt` from PyPI; later test runs reuse it while the requirements file is unchanged.
/// Creation holds a file lock, so parallel tests and parallel `swift test` processes build it once.
///
/// When it cannot be built (no python3, no venv module, PyPI unreachable) `shared()` throws an error that says why
/// and what to do: the tests fail. `DQMON_TEST_OFFLINE=1` is the one way to skip them (`offline`), for machines
/// with no network at all.
public struct PythonVirtualEnv: Sendable {
    public static let offlineVariable = "DQMON_TEST_OFFLINE"

    /// The environment asks to skip tests that need PyPI.
    public static var offline: Bool { ProcessInfo.processInfo.environment[offlineVariable] == "1" }

    /// Printed as the reason when the tests are skipped.
    public static let offlineReason = "DQMON_TEST_OFFLINE=1: checks against the official standardwebhooks and slack_sdk libraries "
        + "(installed from PyPI) are skipped"

    public let directory: URL
    public var python: URL { directory.appendingPathComponent("bin/python") }

    /// The repository root (this file is Sources/DQMonTestSupport/PythonVirtualEnv.swift).
    public static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// `scripts/lib/reference/<name>`: the reference scripts and their requirements.
    public static func referenceScript(_ name: String) -> URL {
        repositoryRoot.appendingPathComponent("scripts/lib/reference").appendingPathComponent(name)
    }

    public struct SetupError: Error, CustomStringConvertible {
        public let description: String
        public init(description: String) { self.description = description }
    }

    public struct Output: Sendable {
        public let status: Int32
        public let stdout: String
        public let stderr: String
    }

    private static let made = Memo()
    private static let madeDbt = Memo()

    /// The reference virtualenv, built on first use in this process (or found ready from an earlier run).
    /// `requirements` names the pins file in scripts/lib/reference: `requirements.txt` (the default), or
    /// `dbt-requirements.txt` for dbt-core and dbt-postgres, kept in a virtualenv of their own (`-dbt` suffix) so
    /// their many dependencies never constrain the reference libraries'.
    public static func shared(requirements: String = "requirements.txt") throws -> PythonVirtualEnv {
        if requirements == "requirements.txt" { return try made.value { try prepare() } }
        return try madeDbt.value { try prepare(requirements: requirements) }
    }

    /// `bin/<name>` in the virtualenv, e.g. `dbt`.
    public func executable(_ name: String) -> URL { directory.appendingPathComponent("bin").appendingPathComponent(name) }

    /// Runs `bin/python SCRIPT ARGUMENTS…` in the virtualenv.
    public func run(_ script: URL, _ arguments: [String], timeout: TimeInterval = 120) throws -> Output {
        try Self.execute(python.path, [script.path] + arguments, timeout: timeout)
    }

    static func prepare(requirements name: String = "requirements.txt") throws -> PythonVirtualEnv {
        let requirements = referenceScript(name)
        guard let pins = try? String(contentsOf: requirements, encoding: .utf8) else {
            throw SetupError(description: "cannot read \(requirements.path): the pinned reference libraries")
        }
        let suffix = name == "requirements.txt" ? "" : "-" + name.replacingOccurrences(of: "-requirements.txt", with: "")
        let directory = ProcessInfo.processInfo.environment["DQMON_TEST_VENV"].map { URL(fileURLWithPath: $0 + suffix) }
            ?? repositoryRoot.appendingPathComponent(".build/dqmon-reference-venv" + suffix)
        let environment = PythonVirtualEnv(directory: directory)
        let marker = directory.appendingPathComponent("dqmon-requirements.txt")
        try FileManager.default.createDirectory(at: directory.deletingLastPathComponent(), withIntermediateDirectories: true)
        return try withFileLock(directory.path + ".lock") {
            if (try? String(contentsOf: marker, encoding: .utf8)) == pins, FileManager.default.isExecutableFile(atPath: environment.python.path) {
                return environment
            }
            try? FileManager.default.removeItem(at: directory)
            let venv = try execute("/usr/bin/env", ["python3", "-m", "venv", directory.path], timeout: 300)
            guard venv.status == 0 else {
                throw SetupError(description: "'python3 -m venv \(directory.path)' failed (exit \(venv.status)): \(tail(venv))\n"
                    + "Install python3 and its venv module (Debian/Ubuntu: apt-get install python3-venv), or set \(offlineVariable)=1 to skip.")
            }
            let pip = try execute(environment.python.path, ["-m", "pip", "install", "--disable-pip-version-check", "--no-input",
                                                            "-r", requirements.path], timeout: 600)
            guard pip.status == 0 else {
                throw SetupError(description: "could not install the reference libraries from PyPI (\(requirements.path)) into "
                    + "\(directory.path): pip exit \(pip.status): \(tail(pip))\n"
                    + "These tests check dqmon against the official libraries and need PyPI; set \(offlineVariable)=1 to skip them offline.")
            }
            try pins.write(to: marker, atomically: true, encoding: .utf8)
            return environment
        }
    }

    /// The last lines of what a failed command printed.
    static func tail(_ output: Output) -> String {
        let lines = (output.stderr + output.stdout).split(separator: "\n").suffix(4)
        return lines.isEmpty ? "no output" : lines.joined(separator: " | ")
    }

    static func execute(_ executable: String, _ arguments: [String], timeout: TimeInterval) throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let folder = FileManager.default.temporaryDirectory
        let stdoutFile = folder.appendingPathComponent("dqmon-py-out-\(UUID().uuidString)")
        let stderrFile = folder.appendingPathComponent("dqmon-py-err-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: stdoutFile.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrFile.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: stdoutFile)
            try? FileManager.default.removeItem(at: stderrFile)
        }
        process.standardOutput = try FileHandle(forWritingTo: stdoutFile)
        process.standardError = try FileHandle(forWritingTo: stderrFile)
        do { try process.run() } catch {
            throw SetupError(description: "cannot start \(executable): \(error.localizedDescription)")
        }
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        let read = { (url: URL) in (try? String(contentsOf: url, encoding: .utf8)) ?? "" }
        return Output(status: process.terminationStatus, stdout: read(stdoutFile), stderr: read(stderrFile))
    }

    /// Runs `body` holding an exclusive `flock` on `path` (other processes building the same virtualenv wait).
    static func withFileLock<T>(_ path: String, _ body: () throws -> T) throws -> T {
        let descriptor = open(path, O_CREAT | O_RDWR, 0o644)
        guard descriptor >= 0 else { throw SetupError(description: "cannot open lock file \(path)") }
        defer { close(descriptor) }
        while flock(descriptor, LOCK_EX) != 0 {
            guard errno == EINTR else { throw SetupError(description: "cannot lock \(path)") }
        }
        defer { flock(descriptor, LOCK_UN) }
        return try body()
    }

    /// One result per process, computed by the first caller; the others wait for it (a failure is remembered too).
    private final class Memo: @unchecked Sendable {
        private let lock = NSLock()
        private var result: Result<PythonVirtualEnv, SetupError>?

        func value(_ make: () throws -> PythonVirtualEnv) throws -> PythonVirtualEnv {
            lock.lock()
            defer { lock.unlock() }
            if let result { return try result.get() }
            let made: Result<PythonVirtualEnv, SetupError>
            do { made = .success(try make()) } catch let error as SetupError { made = .failure(error) } catch {
                made = .failure(SetupError(description: "\(error)"))
            }
            result = made
            return try made.get()
        }
    }
}
