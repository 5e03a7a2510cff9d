import DQMon
import DQMonTestSupport
import Foundation
import Testing

/// The scheduler recipes in deploy/ (shown in the README) work as written: the crontab line is quiet when all
/// passes and mails when not, the systemd units pass `systemd-analyze verify`, the Kubernetes CronJob validates
/// against the Kubernetes OpenAPI schema, and the Airflow task fails only when monitoring is broken.
@Suite struct DeployRecipeTests {
    static let deploy = PythonVirtualEnv.repositoryRoot.appendingPathComponent("deploy")
    static let now = "2026-11-25T12:00:00Z"

    /// A project with one table `orders`, `ageHours` old (warn after 2h, fail after 6h).
    func project(ageHours: Double) throws -> ProjectFixture {
        let fixture = ProjectFixture()
        fixture.checks("orders.yml", """
            version: 1
            datasets:
              - name: orders
                checks:
                  - freshness: { column: updated_at, warn_after: 2h, error_after: 6h }
            """)
        try fixture.warehouse().table("orders", timestamps: [ProjectFixture.now.addingTimeInterval(-ageHours * 3_600)])
        return fixture
    }

    /// Runs `command` with `/bin/sh -c`, dqmon's folder first on PATH, and DQMON's frozen clock through `--now`.
    struct ShellOutput {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    func shell(_ command: String) throws -> ShellOutput {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        var environment = ProcessInfo.processInfo.environment
        environment["PATH"] = CommandLineRunner.binary.deletingLastPathComponent().path + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
        process.environment = environment
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return ShellOutput(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                                        stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// The recipe's command with its install paths pointed at this test's project and binary, at the frozen clock.
    func localized(_ command: String, project: ProjectFixture) -> String {
        command.replacingOccurrences(of: "/srv/dqmon", with: project.root.path)
            .replacingOccurrences(of: "/usr/local/bin/dqmon", with: CommandLineRunner.binary.path)
            .replacingOccurrences(of: "dqmon check", with: "dqmon check --now \(Self.now)")
    }

    @Test func crontabLineIsQuietWhenAllPassesAndPrintsWhenNot() throws {
        let text = try String(contentsOf: Self.deploy.appendingPathComponent("cron/dqmon.crontab"), encoding: .utf8)
        let jobs = text.split(separator: "\n").filter { !$0.hasPrefix("#") && !$0.contains("=") && !$0.isEmpty }
        try #require(jobs.count == 1)
        let fields = jobs[0].split(separator: " ", maxSplits: 5).map(String.init)
        #expect(fields.prefix(5) == ["*/15", "*", "*", "*", "*"])
        #expect(fields[5].contains("dqmon check --quiet"))

        let passing = try project(ageHours: 0.5)
        let quiet = try shell(localized(fields[5], project: passing))
        #expect(quiet.status == 0)
        #expect(quiet.stdout.isEmpty && quiet.stderr.isEmpty, "cron would mail: \(quiet.stdout)\(quiet.stderr)")

        let failing = try project(ageHours: 7)
        let loud = try shell(localized(fields[5], project: failing))
        #expect(loud.status == 1)
        #expect(loud.stdout.contains("orders") && loud.stdout.contains("fail"))
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/systemd-analyze"),
                   "systemd-analyze is not installed (Debian: apt-get install systemd): the units are untested here"))
    func systemdUnitsVerify() throws {
        let folder = TemporaryDirectory(prefix: "dqmon-units")
        for name in ["dqmon-check.service", "dqmon-check.timer"] {
            let text = try String(contentsOf: Self.deploy.appendingPathComponent("systemd/\(name)"), encoding: .utf8)
            // verify checks that ExecStart's binary exists: point it at the built one.
            folder.write(name, text.replacingOccurrences(of: "/usr/local/bin/dqmon", with: CommandLineRunner.binary.path))
        }
        let output = try shell("systemd-analyze verify --man=no '\(folder.path("dqmon-check.service").path)' '\(folder.path("dqmon-check.timer").path)'")
        #expect(output.status == 0, "\(output.stdout)\(output.stderr)")
        #expect(!(output.stdout + output.stderr).contains("Unknown"), "\(output.stderr)")
        let service = try String(contentsOf: Self.deploy.appendingPathComponent("systemd/dqmon-check.service"), encoding: .utf8)
        #expect(service.contains("ExecStart=/usr/local/bin/dqmon check --quiet"))
        #expect(service.contains("SuccessExitStatus=1 2"))
    }

    @Test(.enabled(if: !PythonVirtualEnv.offline, "DQMON_TEST_OFFLINE=1: the Kubernetes schema check needs kubernetes-validate from PyPI"))
    func kubernetesCronJobValidatesAgainstTheOpenAPISchema() throws {
        let venv = try PythonVirtualEnv.shared()
        let manifest = Self.deploy.appendingPathComponent("kubernetes/dqmon-cronjob.yaml")
        let output = try venv.run(PythonVirtualEnv.referenceScript("validate_kubernetes.py"), [manifest.path])
        #expect(output.status == 0, "\(output.stdout)\(output.stderr)")
        #expect(output.stdout.contains("validated 2 resource(s) against Kubernetes 1."))

        // The validator does reject a manifest with a misspelt key, and one that allows overlapping runs.
        let broken = TemporaryDirectory(prefix: "dqmon-k8s")
        let text = try String(contentsOf: manifest, encoding: .utf8)
        broken.write("typo.yaml", text.replacingOccurrences(of: "concurrencyPolicy: Forbid", with: "concurencyPolicy: Forbid"))
        broken.write("allow.yaml", text.replacingOccurrences(of: "concurrencyPolicy: Forbid", with: "concurrencyPolicy: Allow"))
        let typo = try venv.run(PythonVirtualEnv.referenceScript("validate_kubernetes.py"), [broken.path("typo.yaml").path])
        #expect(typo.status == 1 && typo.stdout.contains("'concurencyPolicy' was unexpected"), "\(typo.stdout)\(typo.stderr)")
        let allow = try venv.run(PythonVirtualEnv.referenceScript("validate_kubernetes.py"), [broken.path("allow.yaml").path])
        #expect(allow.status == 1 && allow.stdout.contains("concurrencyPolicy is not Forbid"))
    }

    /// Airflow itself is not installed here: the DAG's bash_command and skip_on_exit_code are read from the file
    /// and the command is run as BashOperator runs it (bash -c in cwd), which is what decides the task's state.
    @Test func airflowTaskFailsOnlyWhenMonitoringIsBroken() throws {
        let dag = try String(contentsOf: Self.deploy.appendingPathComponent("airflow/dqmon_dag.py"), encoding: .utf8)
        let command = try #require(dag.split(separator: "\n").first { $0.contains("bash_command=") }
            .flatMap { $0.split(separator: "\"").dropFirst().first.map(String.init) })
        #expect(command.contains("--fail-on never"))
        #expect(dag.contains("skip_on_exit_code=4"))
        #expect(dag.contains("cwd=\"/srv/dqmon\""))

        let failing = try project(ageHours: 7)
        let checkFailed = try shell("cd '\(failing.root.path)' && \(localized(command, project: failing))")
        #expect(checkFailed.status == 0, "a failed check must not fail the task: \(checkFailed.stderr)")
        #expect(checkFailed.stdout.contains("fail"))

        let broken = try project(ageHours: 0.5)
        broken.checks("ghost.yml", "version: 1\ndatasets:\n  - name: ghost\n    checks: [ volume: {} ]\n")
        let monitoringBroken = try shell("cd '\(broken.root.path)' && \(localized(command, project: broken))")
        #expect(monitoringBroken.status == 3, "a missing table must fail the task")
    }
}
