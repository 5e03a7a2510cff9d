import ArgumentParser
import DQMon
import Foundation

/// `dqmon doctor` — checks, one line each, what a scheduled `dqmon check` needs: config, warehouses and their
/// tables, the history, the lock, receivers, pending alerts and the clock. Runs no check, writes nothing, sends nothing.
struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check that config, warehouses, tables, history, lock, receivers and clock are ready for a run.",
        discussion: """
            One line each: ✔ works, ✗ broken (with the fix), ! worth a look, - not tried.
            Nothing is written and no alert is sent: the history is opened read-only, the lock is tried and
            released at once, HTTP receivers get one HEAD request to their host (not the webhook path).

            Exit codes: 0 ready, 3 something a run needs is broken, 4 a receiver is unreachable (alerts would
            stay pending).
            """)

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let report: DoctorReport
        do {
            let configuration = try ConfigLoader.load(configPath: global.configURL)
            report = await Doctor.examine(configuration)
        } catch {
            report = Doctor.invalidConfiguration(error)
        }
        switch global.format {
        case .json: Console.print(report.json())
        case .table, .junit: Console.print(report.table())
        }
        if report.exitCode == .monitoringBroken {
            throw DQMonError("dqmon doctor found \(report.findings.filter { $0.status == .broken }.count) problem(s) a run would fail on")
        }
        throw RunStatus(exitCode: report.exitCode)
    }
}
