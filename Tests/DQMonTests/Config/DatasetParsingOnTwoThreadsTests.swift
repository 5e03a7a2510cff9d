@testable import DQMon
import DQMonTestSupport
import Foundation
import Testing

/// A long dataset list is read in two halves at once (`ConfigLoader.parseDatasets`): the datasets and every error,
/// in order, must be exactly what reading the list in order gives. Checked over seeded mutants of a checks file made of
/// the fuzz corpus' datasets, so errors fall in either half, at the split, in both, and twice at the same place.
///
/// Reproduce a failure with the seed it prints: `DQMON_FUZZ_SEED=<seed> swift test --filter DatasetParsingOnTwoThreadsTests`.
@Suite struct DatasetParsingOnTwoThreadsTests {
    static var seed: UInt64 { ConfigFuzzTests.seed ^ 0x2_7EAD }

    /// The dataset list items of every checks seed, as text (each starts with `  - name:`).
    static let datasetBlocks: [String] = {
        var blocks: [String] = []
        for seed in FuzzProject.seeds where seed.path.hasPrefix("checks/") {
            var current: [String]? = nil
            var inDatasets = false
            for line in seed.text.split(separator: "\n", omittingEmptySubsequences: false) {
                if line == "datasets:" { inDatasets = true; continue }
                guard inDatasets else { continue }
                if let first = line.first, !first.isWhitespace, first != "#" { break }
                if line.hasPrefix("  - ") {
                    if let current { blocks.append(current.joined(separator: "\n")) }
                    current = [String(line)]
                } else {
                    current?.append(String(line))
                }
            }
            if let current { blocks.append(current.joined(separator: "\n")) }
        }
        return blocks
    }()

    /// A checks file of `count` datasets drawn from the corpus, renamed apart so that ids do not collide.
    static func checksFile(count: Int, using random: inout SeededRandom) -> String {
        var lines = ["version: 1", "datasets:"]
        for index in 0..<count {
            let block = datasetBlocks[Int.random(in: 0..<datasetBlocks.count, using: &random)]
            lines.append(block.replacingOccurrences(of: "  - name: ", with: "  - name: d\(index)_"))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Datasets and errors read in order, and read by `parseDatasets`: each description, then each error.
    static func bothWays(_ url: URL) -> (inOrder: [String], twoThreads: [String])? {
        func read(_ parse: ([ConfigNode], ProjectConfig, RunbookResolver, CheckRegistry) -> [DatasetConfig]) -> [String]? {
            let diagnostics = Diagnostics()
            var hasher = FNV1a()
            guard let root = ConfigLoader.readYAML(url, diagnostics: diagnostics, environment: [:], hasher: &hasher),
                  let fields = root.fields(of: "checks file", allowed: ["version", "datasets", "exposures"]),
                  let items = fields["datasets"]?.items(describing: "'datasets'") else { return nil }
            let project = ProjectConfig.placeholder(directory: url.deletingLastPathComponent())
            let datasets = parse(items, project, project.runbooks, Registries.current.checks)
            return datasets.map { String(describing: $0) } + diagnostics.errors.map { "error: \($0.description)" }
        }
        guard let inOrder = read({ items, project, runbooks, types in
            items.compactMap { DatasetConfig.parse($0, project: project, runbooks: runbooks, checkTypes: types) }
        }), let twoThreads = read({ items, project, runbooks, types in
            ConfigLoader.parseDatasets(items, project: project, runbooks: runbooks, checkTypes: types)
        }) else { return nil }
        return (inOrder, twoThreads)
    }

    @Test func mutatedLongListsReadOnTwoThreadsGiveWhatReadingInOrderGives() throws {
        #expect(Self.datasetBlocks.count >= 4, "the corpus has too few datasets to build lists from")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dqmon-two-halves-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("many.yml")
        var random = SeededRandom(seed: Self.seed)
        var mutator = ConfigMutator()
        var compared = 0, withErrors = 0
        var failures: [String] = []
        for iteration in 0..<150 where failures.count < 3 {
            let count = Int.random(in: ConfigLoader.datasetsWorthTwoThreads...48, using: &random)
            let text = Self.checksFile(count: count, using: &random)
            let mutant = iteration % 6 == 0 ? Data(text.utf8) : mutator.mutate(Data(text.utf8), using: &random)
            try mutant.write(to: url)
            guard let (inOrder, twoThreads) = Self.bothWays(url) else { continue }
            compared += 1
            if inOrder.contains(where: { $0.hasPrefix("error: ") }) { withErrors += 1 }
            if inOrder != twoThreads {
                let line = zip(inOrder, twoThreads).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(inOrder.count, twoThreads.count)
                failures.append("seed \(Self.seed) iteration \(iteration): first difference at item \(line) of \(inOrder.count)/\(twoThreads.count)")
            }
        }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
        print("DatasetParsingOnTwoThreadsTests: seed \(Self.seed), \(compared) lists compared, \(withErrors) with errors")
        // Lists that never reach the split or never err test nothing.
        #expect(compared >= 50, "only \(compared) of 150 mutants kept a dataset list")
        #expect(withErrors >= 10, "only \(withErrors) mutants had errors: the test would not see a misplaced one")
    }

    /// Through `dqmon validate`: errors in both halves of a long list are all reported, by position.
    @Test func validateReportsErrorsOfBothHalvesInOrder() throws {
        var lines = ["version: 1", "datasets:"]
        for index in 0..<40 {
            lines.append("  - name: t\(index)")
            lines.append("    checks:")
            lines.append(index % 13 == 5 ? "      - freshnes: { column: updated_at }" : "      - volume: { min_rows: \(index % 17 == 3 ? "-1" : "1") }")
        }
        let project = ProjectFixture()
        project.checks("many.yml", lines.joined(separator: "\n") + "\n")
        let output = try CommandLineRunner.run(["validate"], in: project.root)
        #expect(output.status == 3)
        let errorLines = output.stderr.split(separator: "\n").filter { $0.hasPrefix("checks/many.yml:") }
        let rows = errorLines.compactMap { Int($0.split(separator: ":")[1]) }
        #expect(rows == rows.sorted(), "\(output.stderr)")
        // freshnes at datasets 5, 18, 31; min_rows -1 at datasets 3, 20, 37: both halves of 40.
        #expect(errorLines.count == 6, "\(output.stderr)")
    }
}
