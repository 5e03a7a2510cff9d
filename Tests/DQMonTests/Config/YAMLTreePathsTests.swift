@testable import DQMon
import DQMonTestSupport
import Foundation
import Testing

/// `dqmon validate` says the same (stdout, stderr, exit code) whether its files were composed by the event composer or
/// by Yams and converted to the same `YAMLTree`: both trees feed the same `ConfigNode` readers, so every message and
/// position must match. `YAMS_DEFAULT_ENCODING=UTF8` makes the event composer step aside for every file (Yams then
/// prints a notice per file to stdout, dropped here).
///
/// Reproduce a failure with the seed it prints: `DQMON_FUZZ_SEED=<seed> swift test --filter YAMLTreePathsTests`.
@Suite struct YAMLTreePathsTests {
    static var seed: UInt64 { ConfigFuzzTests.seed ^ 0x7EE }

    @Test func validateSaysTheSameWhicheverComposerReadTheFiles() throws {
        let project = FuzzProject()
        var random = SeededRandom(seed: Self.seed)
        var mutator = ConfigMutator()
        let seeds = FuzzProject.seeds
        var withErrors = 0
        for iteration in 0..<10 {
            let seed = seeds[Int.random(in: 0..<seeds.count, using: &random)]
            let mutant = mutator.mutate(Data(seed.text.utf8), using: &random)
            project.install(seed.path, mutant)
            defer { project.restore(seed.path) }
            let events = try CommandLineRunner.run(["validate"], in: project.root, environment: ["DQMON_DEMO_WAREHOUSE": ""], timeout: 30)
            let yams = try CommandLineRunner.run(["validate"], in: project.root,
                                                 environment: ["DQMON_DEMO_WAREHOUSE": "", "YAMS_DEFAULT_ENCODING": "UTF8"], timeout: 30)
            let yamsStdout = yams.stdout.split(separator: "\n", omittingEmptySubsequences: false)
                .filter { !$0.hasPrefix("`Parser.Encoding.default` was set") }.joined(separator: "\n")
            let context = "seed \(Self.seed) iteration \(iteration) (\(seed.path))\n--- mutant:\n\(ConfigFuzzTests.preview(mutant))"
            #expect(events.status == yams.status, "exit \(events.status) vs \(yams.status): \(context)")
            #expect(events.stdout == yamsStdout, "stdout:\n\(events.stdout)\n--- via Yams:\n\(yamsStdout)\n\(context)")
            #expect(events.stderr == yams.stderr, "stderr:\n\(events.stderr)\n--- via Yams:\n\(yams.stderr)\n\(context)")
            if events.status != 0 { withErrors += 1 }
        }
        #expect(withErrors >= 2, "only \(withErrors) of 10 mutants had errors (seed \(Self.seed)): the comparison saw few messages")
    }
}
