@testable import DQMon
import DQMonTestSupport
import Foundation
import Testing
import Yams

/// SplitMix64: seeded, so a failing round is replayed from the seed in the failure message.
typealias ImportTestGenerator = SeededRandom  // DQMon's SplitMix64: the same sequence for the same seed

/// Hostile text for names, owners, descriptions: YAML's special characters, quotes, `${`, line breaks, controls.
enum HostileText {
    static let pieces = ["a", "Z", "_", " ", ":", ": ", " #", "#", "- ", "-", "{", "}", "[", "]", ",", "'", "\"", "\\", "`", "&", "*", "!",
                         "%", "@", "|", ">", "?", "${", "$${", "}", "\n", "\t", "\r", "\u{7}", "\u{85}", "\u{2028}", "é", "😀", "yes", "no",
                         "null", "~", "1", "0x1F", "1e3", ".5", "true", "...", "---", "<<", "=", "\u{feff}"]

    static func make(using generator: inout ImportTestGenerator, maxPieces: Int = 8) -> String {
        (0..<Int.random(in: 1...maxPieces, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
    }
}

/// The manifest reader and the YAML writer over many variants: no input traps, every failure is one line, and every
/// string the writer emits reads back as itself.
struct DbtManifestFuzzTests {
    static let realManifest = (try? Data(contentsOf: DbtImportTests.manifest("v12"))) ?? Data()

    /// Seeded mutations of the real manifest's JSON tree: values replaced by other JSON types, hostile strings,
    /// huge or negative numbers, keys deleted. Decoding either succeeds (and then converting and writing does too,
    /// as YAML that parses) or fails with one line naming the file.
    @Test func mutatedManifestsNeverTrapAndFailInOneLine() throws {
        let base = try #require(try JSONSerialization.jsonObject(with: Self.realManifest) as? [String: Any])
        var manifest = base
        manifest["macros"] = [:]  // 477 macros dqmon never reads: keep the rounds fast
        for round in 0..<150 {
            let seed = UInt64(0xDB7_0000 + round)
            var generator = ImportTestGenerator(seed: seed)
            var object: Any = manifest
            for _ in 0..<Int.random(in: 1...6, using: &generator) { object = Self.mutate(object, depth: 0, using: &generator) }
            guard JSONSerialization.isValidJSONObject(object), let data = try? JSONSerialization.data(withJSONObject: object) else { continue }
            Self.checkRound(data, seed: seed)
        }
    }

    /// Byte-level damage: truncation and flipped bytes.
    @Test func damagedBytesFailInOneLine() {
        for round in 0..<60 {
            let seed = UInt64(0xB17E_0000 + round)
            var generator = ImportTestGenerator(seed: seed)
            var bytes = [UInt8](Self.realManifest.prefix(40_000))
            if Bool.random(using: &generator) { bytes = Array(bytes.prefix(Int.random(in: 0..<bytes.count, using: &generator))) }
            for _ in 0..<Int.random(in: 0...20, using: &generator) where !bytes.isEmpty {
                bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
            }
            Self.checkRound(Data(bytes), seed: seed)
        }
    }

    static func checkRound(_ data: Data, seed: UInt64) {
        do {
            let manifest = try DbtManifestReader.decode(data, shownAs: "m.json")
            let result = DbtImporter(manifest: manifest, options: .init(warehouseType: "postgres")).convert()
            let text = GeneratedChecksFile(header: ["# h"], datasets: result.datasets, exposures: result.exposures).text
            let root = try Yams.compose(yaml: text)
            let names = root?["datasets"]?.sequence?.compactMap { $0["name"]?.string } ?? []
            #expect(names.map(unescaped) == result.datasets.map { $0.name.replacingOccurrences(of: "\u{feff}", with: "") }, "seed \(seed)")
        } catch let error as DQMonError {
            #expect(error.message.hasPrefix("m.json: "), "seed \(seed): \(error.message)")
            #expect(!error.message.contains("\n") && error.details.isEmpty, "seed \(seed): \(error.message)")
        } catch {
            Issue.record("seed \(seed): \(error)")
        }
    }

    static func unescaped(_ text: String) -> String {
        (try? EnvironmentInterpolation.expand(text, environment: [:]).get()) ?? text
    }

    static func mutate(_ value: Any, depth: Int, using generator: inout ImportTestGenerator) -> Any {
        if var object = value as? [String: Any], !object.isEmpty, depth < 8, Int.random(in: 0..<5, using: &generator) > 0 {
            let key = object.keys.sorted().randomElement(using: &generator)!
            if Int.random(in: 0..<12, using: &generator) == 0 { object[key] = nil } else {
                object[key] = mutate(object[key]!, depth: depth + 1, using: &generator)
            }
            return object
        }
        if var array = value as? [Any], !array.isEmpty, depth < 8, Bool.random(using: &generator) {
            let index = Int.random(in: 0..<array.count, using: &generator)
            array[index] = mutate(array[index], depth: depth + 1, using: &generator)
            return array
        }
        return replacement(using: &generator)
    }

    static func replacement(using generator: inout ImportTestGenerator) -> Any {
        switch Int.random(in: 0..<9, using: &generator) {
        case 0: return NSNull()
        case 1: return HostileText.make(using: &generator)
        case 2: return [Int.max, Int.min, -1, 0, 1, 9_007_199_254_740_993].randomElement(using: &generator)!
        case 3: return 1e308
        case 4: return Bool.random(using: &generator)
        case 5: return [HostileText.make(using: &generator), 3]
        case 6: return ["count": Int.random(in: -5...Int.max, using: &generator), "period": ["hour", "day", "minute", "week"].randomElement(using: &generator)!]
        case 7: return ["owner": HostileText.make(using: &generator)]
        default: return "https://schemas.getdbt.com/dbt/manifest/v\(Int.random(in: 0...99, using: &generator)).json"
        }
    }

    /// Every string `YAMLText.scalar` writes reads back through Yams and dqmon's `${}` interpolation as itself.
    @Test func everyScalarRoundTrips() throws {
        for round in 0..<2_000 {
            let seed = UInt64(0x5CA1_0000 + round)
            var generator = ImportTestGenerator(seed: seed)
            let text = HostileText.make(using: &generator, maxPieces: 12).replacingOccurrences(of: "\u{feff}", with: "")  // dropped: see YAMLText.scalar
            let yaml = "value: \(YAMLText.scalar(text))\nlist: \(YAMLText.flowList([text, "b"]))\n"
            let root = try Yams.compose(yaml: yaml, .basic)
            #expect(root?["value"]?.string.map(Self.unescaped) == text, "seed \(seed): \(yaml.debugDescription)")
            #expect(root?["list"]?.sequence?.first?.string.map(Self.unescaped) == text, "seed \(seed)")
        }
    }
}
