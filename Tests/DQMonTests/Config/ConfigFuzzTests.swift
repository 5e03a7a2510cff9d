import DQMon
import DQMonTestSupport
import Foundation
import Testing

/// A seeded mutation fuzzer over the demo's config (issue 18 section 8): byte flips, deletions, duplications,
/// line shuffles, extreme values spliced into values, deep nesting.
///
/// Invariants: loading never traps (a trap would kill this test process), and every config error is one line
/// that starts with `file:line:column: `. A subset of the mutants goes through the real `dqmon validate`, which
/// must exit 0 or 3 (never a signal) and print nothing but such lines and its summary.
///
/// Reproduce a failure with the seed it prints: `DQMON_FUZZ_SEED=<seed> swift test --filter ConfigFuzzTests`.
/// `DQMON_FUZZ_ITERATIONS` runs longer (the default keeps the suite to a few seconds in a debug build).
@Suite(.serialized) struct ConfigFuzzTests {
    static var seed: UInt64 {
        ProcessInfo.processInfo.environment["DQMON_FUZZ_SEED"].flatMap { UInt64($0) } ?? 0x5EED_DA7A
    }

    static var iterations: Int {
        ProcessInfo.processInfo.environment["DQMON_FUZZ_ITERATIONS"].flatMap { Int($0) } ?? 800
    }

    @Test func mutatedConfigsNeverTrapAndEveryErrorHasAPosition() throws {
        let project = FuzzProject()
        var random = SeededRandom(seed: Self.seed)
        var mutator = ConfigMutator()
        let seeds = FuzzProject.seeds
        print("ConfigFuzzTests: seed \(Self.seed), \(Self.iterations) mutants over \(seeds.count) seed files")
        var failures: [String] = []
        var rejected = 0
        for iteration in 0..<Self.iterations where failures.count < 5 {
            let seed = seeds[Int.random(in: 0..<seeds.count, using: &random)]
            let mutant = mutator.mutate(Data(seed.text.utf8), using: &random)
            project.install(seed.path, mutant)
            defer { project.restore(seed.path) }
            let (errorCount, problems) = project.load()
            if errorCount > 0 { rejected += 1 }
            for problem in problems {
                failures.append("seed \(Self.seed) iteration \(iteration) (\(seed.path)): \(problem)\n--- mutant:\n\(Self.preview(mutant))")
            }
        }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n\n"))")
        // Mutants that load cleanly test nothing: most must reach an error path.
        print("ConfigFuzzTests: \(rejected) of \(Self.iterations) mutants rejected with errors")
        #expect(rejected * 2 > Self.iterations, "only \(rejected) of \(Self.iterations) mutants were rejected: the mutator is too gentle")
    }

    @Test func validateBinaryExitsZeroOrThreeOnMutants() throws {
        let project = FuzzProject()
        var random = SeededRandom(seed: Self.seed ^ 0xC11)
        var mutator = ConfigMutator()
        let seeds = FuzzProject.seeds
        for iteration in 0..<24 {
            let seed = seeds[iteration % seeds.count]
            let mutant = mutator.mutate(Data(seed.text.utf8), using: &random)
            project.install(seed.path, mutant)
            defer { project.restore(seed.path) }
            let output = try CommandLineRunner.run(["validate"], in: project.root, environment: ["DQMON_DEMO_WAREHOUSE": ""], timeout: 30)
            let context = "seed \(Self.seed ^ 0xC11) iteration \(iteration) (\(seed.path)), exit \(output.status)\n\(output.stderr)\n--- mutant:\n\(Self.preview(mutant))"
            #expect([0, 3].contains(output.status), "\(context)")
            let lines = output.stderr.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
            for line in lines where !line.hasPrefix("dqmon: error: ") {
                #expect(FuzzProject.isPositioned(line), "line without file:line:column: \(line)\n\(context)")
            }
        }
    }

    @Test func everySeedLoadsUnmutated() throws {
        let project = FuzzProject()
        for seed in FuzzProject.seeds {
            // A repository checks file with `upstream:` or a `references` check names datasets of the other checks files:
            // load it with them (the corpus's own seeds are self-contained).
            let repositoryFile = FuzzProject.repositorySeeds.contains { $0.path == seed.path && $0.text == seed.text }
            let siblings = repositoryFile && (seed.text.contains("upstream:") || seed.text.contains("to_dataset:"))
                ? FuzzProject.repositorySeeds.filter { $0.path.hasPrefix("checks/") && $0.path != seed.path } : []
            for sibling in siblings { project.install(sibling.path, Data(sibling.text.utf8)) }
            defer { for sibling in siblings { project.restore(sibling.path) } }
            project.install(seed.path, Data(seed.text.utf8))
            defer { project.restore(seed.path) }
            #expect(throws: Never.self, "\(seed.path)") { try ConfigLoader.load(configPath: project.root.appendingPathComponent("dqmon.yml"), environment: [:]) }
        }
    }

    static func preview(_ data: Data) -> String {
        let text = String(decoding: data.prefix(1_500), as: UTF8.self)
        return text.unicodeScalars.map { $0.properties.generalCategory == .control && $0 != "\n" ? "\\u{\(String($0.value, radix: 16))}" : String($0) }.joined()
    }
}

/// The fuzzed project: a minimal valid dqmon.yml (declaring the seeds' warehouses) and the demo's runbooks.
/// Each mutant is installed alone at its seed's path, loaded, and removed, so one load parses one mutated file
/// (Yams in a debug build costs milliseconds per file; the other files would only repeat the same work).
final class FuzzProject {
    let directory = TemporaryDirectory(prefix: "dqmon-fuzz")
    var root: URL { directory.url }

    static let minimalProject = """
        version: 1
        warehouses:
          demo: { type: sqlite, path: demo.sqlite }
        default_warehouse: demo
        """

    static let seeds: [ConfigFuzzCorpus.Seed] = ConfigFuzzCorpus.seeds + repositorySeeds

    /// The live demo config of this checkout, so the corpus follows the demo as it changes.
    static var repositorySeeds: [ConfigFuzzCorpus.Seed] {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        var seeds: [ConfigFuzzCorpus.Seed] = []
        for path in ["dqmon.yml", "checks", "alerts"] {
            let url = repository.appendingPathComponent(path)
            let names = path.hasSuffix(".yml") ? [""] : ((try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []).sorted()
            for name in names where name.isEmpty || name.hasSuffix(".yml") {
                let file = name.isEmpty ? url : url.appendingPathComponent(name)
                if let text = try? String(contentsOf: file, encoding: .utf8) {
                    seeds.append(.init(path: name.isEmpty ? path : "\(path)/\(name)", text: text))
                }
            }
        }
        return seeds
    }

    init() {
        install("dqmon.yml", Data(Self.minimalProject.utf8))
        // Every runbook the repository has, so the demo's checks files load as they are.
        let runbooks = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("runbooks")
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: runbooks.path)) ?? []).filter { $0.hasSuffix(".md") }
        for runbook in Set(names + ["stale-data.md", "volume-drop.md", "anomaly.md"]) { directory.write("runbooks/\(runbook)", "# \(runbook)\n") }
    }

    func install(_ path: String, _ data: Data) {
        let url = root.appendingPathComponent(path)
        try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? data.write(to: url)
    }

    /// Back to the minimal project: the mutant is removed (dqmon.yml is rewritten).
    func restore(_ path: String) {
        if path == "dqmon.yml" {
            install(path, Data(Self.minimalProject.utf8))
        } else {
            try? FileManager.default.removeItem(at: root.appendingPathComponent(path))
        }
    }

    /// How many config errors loading the project gives now, and what in them breaks the invariants.
    func load() -> (errors: Int, problems: [String]) {
        do {
            _ = try ConfigLoader.load(configPath: root.appendingPathComponent("dqmon.yml"), environment: [:])
            return (0, [])
        } catch {
            if error.errors.isEmpty { return (0, ["ConfigErrors thrown with no error in it"]) }
            return (error.errors.count, error.errors.compactMap { error in
                guard let location = error.location else { return "no position: \(error.description)" }
                guard location.line >= 1, location.column >= 1 else { return "position before 1:1: \(error.description)" }
                guard !error.description.contains("\n"), !error.description.contains("\r") else { return "more than one line: \(error.description)" }
                guard Self.isPositioned(error.description) else { return "no file:line:column prefix: \(error.description)" }
                return nil
            })
        }
    }

    /// `path:line:column: message` with a non-empty message.
    static func isPositioned(_ line: String) -> Bool {
        guard let match = line.firstMatch(of: /^[^:\n]+:([0-9]+):([0-9]+): \S/) else { return false }
        return Int(match.1).map { $0 >= 1 } == true && Int(match.2).map { $0 >= 1 } == true
    }
}

/// Mutations of one file's bytes, chosen at random; several may apply to one mutant.
struct ConfigMutator {
    mutating func mutate(_ input: Data, using random: inout SeededRandom) -> Data {
        var bytes = [UInt8](input)
        for _ in 0..<Int.random(in: 1...3, using: &random) {
            switch Int.random(in: 0..<9, using: &random) {
            case 0: flipBit(&bytes, using: &random)
            case 1: deleteRange(&bytes, using: &random)
            case 2: duplicateRange(&bytes, using: &random)
            case 3, 4, 5: replaceValue(&bytes, using: &random)
            case 6: insertExtreme(&bytes, using: &random)
            case 7: swapLines(&bytes, using: &random)
            default: nest(&bytes, using: &random)
            }
        }
        return Data(bytes)
    }

    func flipBit(_ bytes: inout [UInt8], using random: inout SeededRandom) {
        guard !bytes.isEmpty else { return }
        bytes[Int.random(in: 0..<bytes.count, using: &random)] ^= UInt8(1) << UInt8.random(in: 0...7, using: &random)
    }

    func deleteRange(_ bytes: inout [UInt8], using random: inout SeededRandom) {
        guard !bytes.isEmpty else { return }
        let start = Int.random(in: 0..<bytes.count, using: &random)
        bytes.removeSubrange(start..<min(bytes.count, start + Int.random(in: 1...40, using: &random)))
    }

    func duplicateRange(_ bytes: inout [UInt8], using random: inout SeededRandom) {
        guard !bytes.isEmpty else { return }
        let start = Int.random(in: 0..<bytes.count, using: &random)
        let range = start..<min(bytes.count, start + Int.random(in: 1...80, using: &random))
        bytes.insert(contentsOf: bytes[range], at: Int.random(in: 0...bytes.count, using: &random))
    }

    /// Replaces the value after a random `: ` (up to `,`, `}`, `]` or the line's end) with an extreme value.
    func replaceValue(_ bytes: inout [UInt8], using random: inout SeededRandom) {
        let separators = bytes.indices.dropLast().filter { bytes[$0] == UInt8(ascii: ":") && bytes[$0 + 1] == UInt8(ascii: " ") }
        guard let colon = separators.randomElement(using: &random) else { return insertExtreme(&bytes, using: &random) }
        let start = colon + 2
        var end = start
        let stops: Set<UInt8> = [UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), UInt8(ascii: "\n")]
        while end < bytes.count, !stops.contains(bytes[end]) { end += 1 }
        bytes.replaceSubrange(start..<end, with: Array(extreme(using: &random).utf8))
    }

    func insertExtreme(_ bytes: inout [UInt8], using random: inout SeededRandom) {
        bytes.insert(contentsOf: Array(extreme(using: &random).utf8), at: Int.random(in: 0...bytes.count, using: &random))
    }

    func swapLines(_ bytes: inout [UInt8], using random: inout SeededRandom) {
        var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map(Array.init)
        guard lines.count > 1 else { return }
        lines.swapAt(Int.random(in: 0..<lines.count, using: &random), Int.random(in: 0..<lines.count, using: &random))
        bytes = Array(lines.joined(separator: [UInt8(ascii: "\n")]))
    }

    /// Wraps a value in up to 300 levels of flow lists or mappings.
    func nest(_ bytes: inout [UInt8], using random: inout SeededRandom) {
        let depth = Int.random(in: 1...300, using: &random)
        let value = Bool.random(using: &random)
            ? String(repeating: "[", count: depth) + "1" + String(repeating: "]", count: depth)
            : String(repeating: "{a: ", count: depth) + "1" + String(repeating: "}", count: depth)
        let separators = bytes.indices.dropLast().filter { bytes[$0] == UInt8(ascii: ":") && bytes[$0 + 1] == UInt8(ascii: " ") }
        let at = separators.randomElement(using: &random).map { $0 + 2 } ?? 0
        bytes.insert(contentsOf: Array(value.utf8), at: at)
    }

    func extreme(using random: inout SeededRandom) -> String {
        let values = ConfigFuzzCorpus.extremeValues
        let value = values[Int.random(in: 0..<values.count, using: &random)]
        // Sometimes a pair of extremes, sometimes quoted, to reach both plain and quoted scalars.
        switch Int.random(in: 0..<4, using: &random) {
        case 0: return value + values[Int.random(in: 0..<values.count, using: &random)]
        case 1: return "\"" + value + "\""
        default: return value
        }
    }
}
