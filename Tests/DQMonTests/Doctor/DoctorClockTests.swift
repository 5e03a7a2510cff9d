import DQMon
import DQMonTestSupport
import Foundation
import Testing

/// The clock line of `dqmon doctor`, with this machine's clock injected (the warehouse's is real): a skew past
/// `Doctor.clockSkewLimit`, either way, is broken (freshness ages would be off by as much); within it, ok.
@Suite struct DoctorClockTests {
    func report(machineAhead seconds: TimeInterval) async throws -> DoctorReport {
        let fixture = ProjectFixture()
        fixture.checks("orders.yml", "version: 1\ndatasets:\n  - name: orders\n    checks: [ volume: {} ]\n")
        try fixture.warehouse().table("orders", timestamps: [ProjectFixture.now])
        return await Doctor.examine(try fixture.load()) { Date().addingTimeInterval(seconds) }
    }

    // 30 s either side of the limit: the warehouse's clock is real and read during the query, so a loaded machine
    // (a round trip of seconds) moves the measured skew by up to half the round trip. ±121 s failed under CI load.
    @Test(arguments: [-3_600.0, -600, -150, 150, 600, 86_400])
    func skewBeyondTheLimitIsBroken(machineAhead: TimeInterval) async throws {
        let report = try await report(machineAhead: machineAhead)
        let clock = try #require(report.findings.first { $0.area == "clock" })
        #expect(clock.status == .broken, "\(clock.message)")
        #expect(clock.message.contains(machineAhead > 0 ? "is -" : "is +"))
        #expect(clock.fix?.contains("synchronize the clocks") == true)
        #expect(report.exitCode == .monitoringBroken)
    }

    @Test(arguments: [-90.0, -5, 0, 5, 90])
    func skewWithinTheLimitIsOK(machineAhead: TimeInterval) async throws {
        let report = try await report(machineAhead: machineAhead)
        let clock = try #require(report.findings.first { $0.area == "clock" })
        #expect(clock.status == .ok, "\(clock.message)")
        #expect(report.exitCode == .success)
    }
}
