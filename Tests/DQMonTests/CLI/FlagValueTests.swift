import DQMon
import DQMonTestSupport
import Foundation
import Testing

/// Flags take the same ranges as config: a bad value is one `dqmon: error:` line naming the flag, exit 3,
/// before anything is stored (a silence of 99999999999999999999w used to be stored, then trap every list).
@Suite struct FlagValueTests {
    func project() -> ProjectFixture {
        let fixture = ProjectFixture()
        fixture.checks("orders.yml", "version: 1\ndatasets:\n  - name: orders\n    tags: [finance]\n    checks: [ { volume: {} } ]\n")
        return fixture
    }

    static let cases: [(arguments: [String], message: String)] = [
        (["sla", "--window", "99999999999999999999w"], "--window must be at most 3650d, got '99999999999999999999w'"),
        (["sla", "--window", "1e309s"], "--window is not a valid duration: '1e309s' (write a number and a unit: 90s, 15m, 6h, 2d)"),
        (["sla", "--window", "0s"], "--window must be longer than 0s, got '0s'"),
        (["sla", "--window=-5m"], "--window must be longer than 0s, got '-5m'"),
        (["silence", "add", "--match", "dataset=orders", "--for", "99999999999999999999w", "--reason", "r"],
         "--for must be at most 3650d, got '99999999999999999999w'"),
        (["silence", "add", "--match", "dataset=orders", "--for", "\(String(repeating: "9", count: 400))d", "--reason", "r"],
         "--for must be at most 3650d, got '\(String(repeating: "9", count: 80))…'"),
        (["history", "orders/volume", "--limit", "0"], "--limit must be between 1 and 100000, got 0"),
        (["history", "orders/volume", "--limit=-3"], "--limit must be between 1 and 100000, got -3"),
        (["history", "orders/volume", "--limit", "9223372036854775807"], "--limit must be between 1 and 100000, got 9223372036854775807"),
        (["history", "orders/volume", "--since", "99999999999999999999w"], "--since must be at most 3650d, got '99999999999999999999w'"),
        (["incidents", "--since", "99999999999999999999w"], "--since must be at most 3650d, got '99999999999999999999w'"),
        (["check", "--parallel", "0"], "--parallel must be between 1 and 100, got 0"),
        (["check", "--parallel", "100000"], "--parallel must be between 1 and 100, got 100000"),
        (["check", "--lock-timeout", "99999999999999999999w"], "--lock-timeout must be at most 1d, got '99999999999999999999w'"),
        (["check", "--lock-timeout", "2d"], "--lock-timeout must be at most 1d, got '2d'"),
        (["alerts", "flush", "--lock-timeout", "nan"], "--lock-timeout is not a valid duration: 'nan' (write a number and a unit: 90s, 15m, 6h, 2d)"),
    ]

    @Test(arguments: cases.indices)
    func aBadFlagValueIsOneLineAndExitThree(_ index: Int) throws {
        let testCase = Self.cases[index]
        let fixture = project()
        let output = try CommandLineRunner.run(testCase.arguments, in: fixture.root)
        #expect(output.status == 3, "\(testCase.arguments): \(output.stderr)")
        #expect(output.stderr == "dqmon: error: \(testCase.message) (see 'dqmon --help')\n", "\(testCase.arguments)")
        #expect(!FileManager.default.fileExists(atPath: fixture.historyURL.path), "nothing is stored")
    }

    @Test func theLongestAcceptedSilenceListsWithoutTrapping() throws {
        let fixture = project()
        let add = try CommandLineRunner.run(["silence", "add", "--match", "dataset=orders", "--for", "3650d", "--reason", "long",
                                             "--now", "2026-11-25T12:00:00Z"], in: fixture.root)
        #expect(add.status == 0, "\(add.stderr)")
        #expect(add.stdout.contains("until 2036-11-22T12:00:00Z"))
        let list = try CommandLineRunner.run(["silence", "list", "--now", "2026-11-25T12:00:00Z"], in: fixture.root)
        #expect(list.status == 0, "\(list.stderr)")
        let sla = try CommandLineRunner.run(["sla", "--window", "3650d", "--now", "2026-11-25T12:00:00Z"], in: fixture.root)
        #expect(sla.status == 0, "\(sla.stderr)")
    }

    // MARK: - --select / --exclude

    static let selectErrors: [(term: String, message: String)] = [
        ("[", "--select/--exclude '[': '[' is not closed with ']'; write e.g. 'orders_[0-9]*', or '\\[' for a literal '['"),
        ("orders[", "--select/--exclude 'orders[': '[' is not closed with ']'; write e.g. 'orders_[0-9]*', or '\\[' for a literal '['"),
        ("[[:alpa:]]*", "--select/--exclude '[[:alpa:]]*': unknown character class '[:alpa:]' (did you mean 'alpha'?); use one of alnum, alpha, blank, cntrl, digit, graph, lower, print, punct, space, upper, xdigit"),
        ("[[:alpha", "--select/--exclude '[[:alpha': '[:' opens a character class that is not closed with ':]', e.g. [[:alpha:]]"),
        ("tag:", "--select/--exclude 'tag:': 'tag:' needs a value, e.g. --select tag:finance"),
        ("tier:4", "--select/--exclude 'tier:4': a tier is 1, 2 or 3, e.g. --select tier:1"),
        ("teir:1", "--select/--exclude 'teir:1': unknown selector 'teir:' (did you mean 'tier'?); use a dataset name or glob, tag:X, tier:N or owner:X"),
        ("[[:digit:]]*", "--select/--exclude '[[:digit:]]*' matches no dataset in checks/ (dqmon would monitor nothing)"),
        ("nope*", "--select/--exclude 'nope*' matches no dataset in checks/ (dqmon would monitor nothing)"),
        ("tag:nope", "--select/--exclude 'tag:nope' matches no dataset in checks/ (dqmon would monitor nothing)"),
    ]

    @Test(arguments: selectErrors.indices)
    func selectErrorsQuoteWhatTheUserWrote(_ index: Int) throws {
        let testCase = Self.selectErrors[index]
        let fixture = project()
        let output = try CommandLineRunner.run(["check", "--dry-run", "--select", testCase.term], in: fixture.root)
        #expect(output.status == 3)
        #expect(output.stderr == "dqmon: error: \(testCase.message)\n", "\(testCase.term)")
    }

    @Test func posixClassesSelect() throws {
        let fixture = project()
        for pattern in ["[[:alpha:]]*", "[[:lower:]][[:lower:]]*", "[!0-9]*", "[]o]rders"] {
            let output = try CommandLineRunner.run(["check", "--dry-run", "--select", pattern], in: fixture.root)
            #expect(output.status == 0, "\(pattern): \(output.stderr)")
        }
        #expect(Selection(select: [try Selection.term(parsing: "[[:upper:]]*")]).includes(try fixture.load().datasets[0]) == false)
    }
}
