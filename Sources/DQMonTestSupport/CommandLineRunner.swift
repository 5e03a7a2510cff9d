import Foundation

/// Runs the built `dqmon` executable as a user would, capturing stdout, stderr and the exit code.
public struct CommandLineRunner {
    public struct Output: Sendable {
        public let status: Int32
        public let stdout: String
        public let stderr: String
        /// The run's own peak resident memory in KiB (`VmHWM`, read at every look while it ran; growth in its last
        /// 10 ms is missed), or nil. Unlike `getrusage(RUSAGE_CHILDREN)` it is this run's, whatever else the test
        /// process started in parallel.
        public var peakResidentKiB: Int? = nil
    }

    /// The `dqmon` binary beside the test bundle (`swift build --build-tests` puts both in one folder),
    /// or `$DQMON_BINARY`.
    public static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["DQMON_BINARY"] { return URL(fileURLWithPath: path) }
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var folder = executable.deletingLastPathComponent()
        while folder.path != "/" {
            let candidate = folder.appendingPathComponent("dqmon")
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory), !isDirectory.boolValue { return candidate }
            folder = folder.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: ".build/debug/dqmon")
    }

    /// Starts dqmon without waiting (for lock and kill tests).
    public static func start(_ arguments: [String], in directory: URL, environment: [String: String] = [:]) throws -> Process {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Runs dqmon to completion and returns what it printed. `timeout` is a safety net, not a measurement: it is
    /// counted in 10 ms looks at the process, so a loaded machine stretches it and never cuts a slow run short.
    public static func run(_ arguments: [String], in directory: URL, environment: [String: String] = [:],
                           timeout: TimeInterval = 60) throws -> Output {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let stdoutFile = FileManager.default.temporaryDirectory.appendingPathComponent("dqmon-out-\(UUID().uuidString)")
        let stderrFile = FileManager.default.temporaryDirectory.appendingPathComponent("dqmon-err-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: stdoutFile.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrFile.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: stdoutFile)
            try? FileManager.default.removeItem(at: stderrFile)
        }
        process.standardOutput = try FileHandle(forWritingTo: stdoutFile)
        process.standardError = try FileHandle(forWritingTo: stderrFile)
        try process.run()
        var peak: Int?
        _ = Poll.until(attempts: Int(min(max(timeout, 0), 86_400) * 100), every: .milliseconds(10)) {
            peak = peakResidentKiB(of: process.processIdentifier) ?? peak
            return !process.isRunning
        }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        let read = { (url: URL) in (try? String(contentsOf: url, encoding: .utf8)) ?? "" }
        return Output(status: process.terminationStatus, stdout: read(stdoutFile), stderr: read(stderrFile), peakResidentKiB: peak)
    }

    /// A running process's resident-memory high-water mark in KiB (`VmHWM:` in /proc/PID/status), or nil.
    static func peakResidentKiB(of pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return nil }
        return line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first.flatMap { Int($0) }
    }
}

/// Runs `dqmon <arguments>` with the real binary in `fixture`'s folder, as a user in that folder would, with the
/// fixture's `environment` and then `environment` added to this process's own.
public func dqmon(_ arguments: [String], in fixture: ProjectFixture, environment: [String: String] = [:]) throws
    -> CommandLineRunner.Output {
    try CommandLineRunner.run(arguments, in: fixture.root, environment: fixture.environment.merging(environment) { $1 })
}

extension CommandLineRunner.Output {
    /// The `results` of a `dqmon check --format json` document on stdout, by check id; nil when stdout is not one.
    public var checkResults: [String: [String: Any]]? {
        guard let document = try? JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any],
              let results = document["results"] as? [[String: Any]] else { return nil }
        var byID: [String: [String: Any]] = [:]
        for result in results {
            if let id = result["check_id"] as? String { byID[id] = result }
        }
        return byID
    }
}
