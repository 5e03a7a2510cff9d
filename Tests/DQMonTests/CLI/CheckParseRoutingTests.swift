import DQMon
import DQMonTestSupport
import Foundation
import Testing

/// `dqmon check` is parsed by `CheckCommand` alone when no argument could ask ArgumentParser for something built in
/// (`DQMonCommand.parseRouted`), to save the whole tree's reflection on every scheduled run. That shortcut must be
/// invisible: for any argument vector, the output, errors and exit code must be those of the parse through the
/// tree, which `DQMON_PARSE_THROUGH_TREE` forces. Plain arguments take `CheckArgumentsFastPath` (no ArgumentParser
/// at all), the rest `CheckCommand` alone. Two identical projects advance in lockstep, one per parse.
@Suite struct CheckParseRoutingTests {
    static let now = "2026-11-25T12:00:00Z"

    /// Pieces of argument vectors: valid options, bad values, typos, `=` forms, stray words, `--`, a missing value.
    static let pieces: [[String]] = [
        ["--all"], ["--dry-run"], ["--quiet"], ["--no-alerts"], ["--now", now], ["--fail-on", "warn"],
        ["--fail-on", "never"], ["--select", "fresh"], ["--select", "tag:core"], ["--exclude", "stale"],
        ["--parallel", "2"], ["--lock-timeout", "5s"], ["--format", "table"], ["--fail-on", "sometimes"],
        ["--parallel", "x"], ["--parallel", "-1"], ["--parallel", "0"], ["--now", "yesterday"], ["--format", "xml"],
        ["--al"], ["--nwo", now], ["--all=true"], ["--dry-run=yes"], ["--fail-on=warn"], ["extra"], ["--"],
        ["--config", "missing.yml"], ["--log-format", "xml"], ["--select"], ["--lock-timeout", "forever"],
        ["--select", "tier:x"], ["--exclude"], ["--now=\(now)"], ["--all", "--all"], ["check"],
        // Forms `CheckArgumentsFastPath` must read as ArgumentParser does, or decline.
        ["--log-format", "json"], ["--log-format=text"], ["--format=json"], ["--select="], ["--select", ""],
        ["--select", "-x"], ["--select=--all"], ["--parallel=+2"], ["--fail-on="], ["--exclude=tag:core"], [""],
    ]

    /// `CheckCommandTests`' project: one fresh and one stale table, tagged, with freshness and volume checks.
    func project() throws -> ProjectFixture { try CheckCommandTests().project() }

    /// Seeded vectors of 1–4 pieces after `--now`, and a few fixed forms. A vector that parses and runs must carry
    /// `--now`, or the two runs would print different wall-clock times.
    static func vectors(seed: UInt64, count: Int) -> [[String]] {
        var state = seed
        func next() -> Int {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Int(truncatingIfNeeded: (z ^ (z >> 31)) >> 1)
        }
        var vectors: [[String]] = [["--select"], ["extra"], ["--nwo", now], ["--al"], ["--now", now, "--"], ["--", "--now", now]]
        for _ in 0..<count {
            var vector = ["--now", now]
            for _ in 0..<(1 + next() % 4) { vector += pieces[next() % pieces.count] }
            vectors.append(vector)
        }
        return vectors
    }

    @Test func theShortcutParsesAsTheTreeDoes() throws {
        let seed = UInt64(20_261_130)
        let routed = try project(), tree = try project()
        for arguments in Self.vectors(seed: seed, count: 60) {
            let fast = try dqmon(["check"] + arguments, in: routed)
            let slow = try dqmon(["check"] + arguments, in: tree, environment: ["DQMON_PARSE_THROUGH_TREE": "1"])
            let shown = "seed \(seed), dqmon check \(arguments.joined(separator: " "))"
            #expect(fast.status == slow.status, "\(shown): exit \(fast.status) routed, \(slow.status) through the tree")
            #expect(Self.normalized(fast.stdout, routed) == Self.normalized(slow.stdout, tree), "\(shown): stdout differs")
            #expect(Self.normalized(fast.stderr, routed) == Self.normalized(slow.stderr, tree), "\(shown): stderr differs")
        }
    }

    /// The two projects live in different temporary folders; paths in messages are compared without them, and
    /// `--log-format json` events without their wall-clock times and durations.
    static func normalized(_ text: String, _ fixture: ProjectFixture) -> String {
        text.replacingOccurrences(of: fixture.root.path, with: "<project>")
            .replacing(/"time":"[^"]*"/, with: "\"time\":\"<time>\"")
            .replacing(/"([a-z_]*ms)":[0-9.]+/) { "\"\($0.output.1)\":<ms>" }
    }
}
