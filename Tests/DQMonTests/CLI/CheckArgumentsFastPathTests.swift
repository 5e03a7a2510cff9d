import ArgumentParser
import DQMon
import DQMonTestSupport
import Foundation
import Testing
@testable import dqmon

/// `CheckArgumentsFastPath` reads `dqmon check`'s plain arguments without ArgumentParser. Its promise: for any argument
/// vector it either declines or returns exactly the command ArgumentParser returns. Checked here on seeded random
/// vectors (valid and invalid pieces, values that look like options, empty strings, `=` forms, repeats), and against
/// the arguments ArgumentParser itself lists for `check`, so that an option added to `CheckCommand` later fails
/// here until the fast path knows it. `CheckParseRoutingTests` compares the two through the real binary.
@Suite struct CheckArgumentsFastPathTests {
    static let now = "2026-11-25T12:00:00Z"

    /// Pieces of argument vectors. `--log-format json` is left to `CheckParseRoutingTests` (through the binary): its
    /// validation switches this test process's own log output to JSON.
    static let pieces: [[String]] = [
        ["--all"], ["--dry-run"], ["--quiet"], ["--no-alerts"], ["--all", "--all"],
        ["--now", now], ["--now=\(now)"], ["--now", "2026-11-25T13:00:00+01:00"], ["--now", "yesterday"], ["--now="],
        ["--config", "other.yml"], ["--config="], ["--config", ""], ["--config", "-"], ["--config=--all"],
        ["--format", "json"], ["--format", "junit"], ["--format=table"], ["--format", "xml"], ["--format", "JSON"],
        ["--log-format", "text"], ["--log-format=text"], ["--log-format", "xml"],
        ["--select", "fresh"], ["--select", "tag:core"], ["--select=tier:1"], ["--select="], ["--select=a=b"],
        ["--select", "--all"], ["--select", "-x"], ["--select", "-"], ["--select", ""], ["--select", "-\u{301}x"],
        ["--exclude", "stale"], ["--exclude=owner:me"], ["--exclude"], ["--select"],
        ["--parallel", "2"], ["--parallel", "+2"], ["--parallel=3"], ["--parallel", "0"], ["--parallel", "101"],
        ["--parallel", "x"], ["--parallel", " 2"], ["--parallel", "-1"], ["--parallel=-1"], ["--parallel="],
        ["--parallel", "99999999999999999999"],
        ["--fail-on", "warn"], ["--fail-on", "never"], ["--fail-on=fail"], ["--fail-on", "sometimes"], ["--fail-on="],
        ["--lock-timeout", "5s"], ["--lock-timeout=2d"], ["--lock-timeout", "forever"], ["--lock-timeout", "0s"],
        ["--prometheus-file", "out.prom"], ["--prometheus-file="], ["--prometheus-file=x.prom"],
        ["--al"], ["--all=true"], ["--all="], ["--dry-run=yes"], ["--Select", "x"], ["--sel\u{301}ect", "x"],
        ["--nöw", now], ["---all"], ["--=x"], ["--"], ["-"], [""], ["-h"], ["--help"], ["--version"], ["help"],
        ["extra"], ["check"], ["-all"], ["--experimental-dump-help"], ["--generate-completion-script", "bash"],
    ]

    /// Seeded vectors of 0–5 pieces, and the empty vector.
    static func vectors(seed: UInt64, count: Int) -> [[String]] {
        var generator = SplitMix(state: seed)
        var vectors: [[String]] = [[]]
        for _ in 0..<count {
            var vector: [String] = []
            for _ in 0..<generator.next(below: 6) { vector += pieces[generator.next(below: pieces.count)] }
            vectors.append(vector)
        }
        return vectors
    }

    @Test func returnsWhatArgumentParserReturnsOrDeclines() throws {
        let seed = UInt64(20_261_130)
        var accepted = 0
        let vectors = Self.vectors(seed: seed, count: 1_000)
        for arguments in vectors {
            guard let fast = CheckArgumentsFastPath.command(arguments) else { continue }
            accepted += 1
            let shown = "seed \(seed), dqmon check \(arguments.map { "'\($0)'" }.joined(separator: " "))"
            let parsed: ParsableCommand
            do {
                parsed = try CheckCommand.parseAsRoot(arguments)
            } catch {
                Issue.record("\(shown): the fast path accepted what ArgumentParser rejects: \(error)")
                continue
            }
            guard let tree = parsed as? CheckCommand else {
                Issue.record("\(shown): ArgumentParser returned \(type(of: parsed))")
                continue
            }
            #expect(Self.fields(fast) == Self.fields(tree), "\(shown)")
            // Every stored property, including any added after `fields` was written.
            #expect(String(describing: fast) == String(describing: tree), "\(shown)")
        }
        // Not vacuous: a good share of the vectors takes the fast path.
        #expect(accepted * 5 > vectors.count, "seed \(seed): only \(accepted) of \(vectors.count) vectors took the fast path")
    }

    /// The forms the scheduler and the benchmarks use take the fast path.
    @Test func commonFormsTakeTheFastPath() {
        let common: [[String]] = [
            [], ["--all"], ["--all", "--now", Self.now], ["--quiet", "--format", "json"], ["--select", "tag:core", "--select", "tier:1"],
            ["--config=/etc/dqmon/dqmon.yml", "--fail-on", "never", "--lock-timeout", "5m", "--no-alerts"],
            ["--dry-run", "--parallel", "4", "--exclude", "stale"], ["--prometheus-file", "/var/lib/node/dqmon.prom"],
            ["--log-format", "text"],
        ]
        for arguments in common {
            #expect(CheckArgumentsFastPath.command(arguments) != nil, "dqmon check \(arguments.joined(separator: " "))")
        }
        // The description compared in `returnsWhatArgumentParserReturnsOrDeclines` shows the option groups' values.
        let described = String(describing: CheckArgumentsFastPath.defaults())
        #expect(described.contains("dqmon.yml") && described.contains("60s") && !described.contains("definition"), "\(described)")
    }

    /// ArgumentParser's own list of `check`'s arguments (`--experimental-dump-help` of the real binary) must be the
    /// fast path's, name for name and kind for kind; the built-in --help and --version are ArgumentParser's to read.
    @Test func knowsExactlyTheArgumentsCheckCommandDeclares() throws {
        let output = try CommandLineRunner.run(["check", "--experimental-dump-help"], in: FileManager.default.temporaryDirectory)
        #expect(output.status == 0, "\(output.stderr)")
        let document = try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any]
        let arguments = try #require((document?["command"] as? [String: Any])?["arguments"] as? [[String: Any]])
        var declared: [String: CheckArgumentsFastPath.Kind] = [:]
        for argument in arguments {
            let names = (argument["names"] as? [[String: Any]] ?? []).filter { $0["kind"] as? String == "long" }.compactMap { $0["name"] as? String }
            if names == ["help"] || names == ["version"] { continue }
            let kind = argument["kind"] as? String, repeating = argument["isRepeating"] as? Bool ?? false
            guard names.count == 1, let name = names.first, kind == "flag" || kind == "option", !(kind == "flag" && repeating) else {
                Issue.record("CheckCommand declares an argument the fast path cannot read (teach CheckArgumentsFastPath): \(argument)")
                continue
            }
            declared[name] = kind == "flag" ? .flag : repeating ? .repeatingOption : .option
        }
        #expect(declared == CheckArgumentsFastPath.options,
                "CheckCommand's arguments and CheckArgumentsFastPath.options differ: teach the fast path every new option")
    }

    /// Every field of the command, as compared values (the description comparison also covers new fields).
    static func fields(_ command: CheckCommand) -> [String] {
        [command.global.config, "\(command.global.now as Any)", command.global.format.rawValue, command.global.logFormat.rawValue,
         "\(command.select)", "\(command.exclude)", "\(command.all)", "\(command.parallel as Any)", "\(command.dryRun)",
         command.failOn, command.lock.lockTimeout, "\(command.noAlerts)", "\(command.quiet)", "\(command.prometheusFile as Any)"]
    }
}

/// A seeded SplitMix64 generator: the same vectors for the same seed.
struct SplitMix {
    var state: UInt64

    mutating func next(below bound: Int) -> Int {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int(truncatingIfNeeded: (z ^ (z >> 31)) % UInt64(bound))
    }
}
