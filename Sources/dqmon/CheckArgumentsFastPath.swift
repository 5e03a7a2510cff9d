import ArgumentParser
import DQMon

/// `dqmon check`'s arguments read without ArgumentParser, when every one of them is plain.
///
/// Why: `dqmon check` runs every few minutes from cron, and ArgumentParser spends ~5 ms of each one-dataset run
/// reflecting `CheckCommand` (Mirror, type metadata, protocol-conformance scans) before it reads a single argument.
/// This reads the arguments a scheduler passes (`--flag`, `--option value`, `--option=value`, repeated options) and
/// fills `CheckCommand` with the values ArgumentParser would give it, through the same `ExpressibleByArgument`
/// initializers and the same `validate()` calls.
///
/// Contract: `command(_:)` returns a command only when it is exactly the one ArgumentParser would return; otherwise
/// nil, and the caller parses with ArgumentParser as before, so help, versions, usage errors and validation
/// messages come from ArgumentParser alone. It declines any argument it does not know in a form it knows: a name
/// not in `options`, a single dash, `--`, a value given to a flag, a missing or empty value (`--option=` too), a
/// separate value that could be read as an option (starting with `-`), a value the type does not take, and any
/// `validate()` failure.
/// `CheckArgumentsFastPathTests` compares it with ArgumentParser over many random argument vectors, and fails when
/// `options` and `CheckCommand`'s own arguments (from `--experimental-dump-help`) differ.
enum CheckArgumentsFastPath {
    /// How an argument takes its value, as ArgumentParser declares it.
    enum Kind: Equatable {
        case flag, option, repeatingOption
    }

    /// Every argument `CheckCommand` declares (with `GlobalOptions` and `LockTimeoutOption`), by long name.
    static let options: [String: Kind] = [
        "config": .option, "now": .option, "format": .option, "log-format": .option,
        "select": .repeatingOption, "exclude": .repeatingOption, "all": .flag, "parallel": .option,
        "dry-run": .flag, "fail-on": .option, "lock-timeout": .option, "no-alerts": .flag, "quiet": .flag,
        "prometheus-file": .option,
    ]

    /// The validated command ArgumentParser would parse from `arguments` (those after `check`), or nil to let it.
    static func command(_ arguments: [String]) -> CheckCommand? {
        guard let command = parsed(arguments) else { return nil }
        do {
            // ArgumentParser's order: each option group as it is decoded, then the command.
            try command.global.validate()
            try command.lock.validate()
            try command.validate()
        } catch {
            return nil
        }
        return command
    }

    /// The arguments as values, before validation; nil when one is not plain.
    static func parsed(_ arguments: [String]) -> CheckCommand? {
        var command = defaults()
        var index = arguments.startIndex
        while index < arguments.endIndex {
            let argument = arguments[index]
            index += 1
            guard argument.hasPrefix("--") else { return nil }
            var name = argument.dropFirst(2)
            var value: String?
            if let equals = name.firstIndex(of: "=") {
                value = String(name[name.index(after: equals)...])
                name = name[..<equals]
            }
            guard let kind = options[String(name)] else { return nil }
            if kind == .flag {
                guard value == nil else { return nil }
            } else if value == "" {
                return nil  // `--option=` is a missing value to ArgumentParser
            } else if value == nil {
                guard index < arguments.endIndex, isPlainValue(arguments[index]) else { return nil }
                value = arguments[index]
                index += 1
            }
            guard assign(String(name), value, to: &command) else { return nil }
        }
        return command
    }

    /// A separate argument ArgumentParser takes as an option's value whatever the option: not empty, no leading `-`.
    static func isPlainValue(_ argument: String) -> Bool {
        guard let first = argument.first else { return false }
        return first != "-"
    }

    /// Sets one argument; false when the value is not one its type takes (ArgumentParser then reports it).
    /// A repeated single-value option keeps its last value, as ArgumentParser does.
    static func assign(_ name: String, _ value: String?, to command: inout CheckCommand) -> Bool {
        switch (name, value) {
        case ("all", nil): command.all = true
        case ("dry-run", nil): command.dryRun = true
        case ("no-alerts", nil): command.noAlerts = true
        case ("quiet", nil): command.quiet = true
        case ("select", let value?): command.select.append(value)
        case ("exclude", let value?): command.exclude.append(value)
        case ("fail-on", let value?): command.failOn = value
        case ("prometheus-file", let value?): command.prometheusFile = value
        case ("lock-timeout", let value?): command.lock.lockTimeout = value
        case ("config", let value?): command.global.config = value
        case ("now", let value?): command.global.now = value
        case ("parallel", let value?):
            guard let parallel = Int(argument: value) else { return false }
            command.parallel = parallel
        case ("format", let value?):
            guard let format = OutputFormat(argument: value) else { return false }
            command.global.format = format
        case ("log-format", let value?):
            guard let format = DQMonLog.Format(argument: value) else { return false }
            command.global.logFormat = format
        default: return false
        }
        return true
    }

    /// `CheckCommand` with every property set to its declared default (a property wrapper that is never set would
    /// stop the process when read). The tests compare this with ArgumentParser's parse of no arguments.
    static func defaults() -> CheckCommand {
        var global = GlobalOptions()
        global.config = "dqmon.yml"
        global.now = nil
        global.format = .table
        global.logFormat = .text
        var lock = LockTimeoutOption()
        lock.lockTimeout = "60s"
        var command = CheckCommand()
        command.global = global
        command.lock = lock
        command.select = []
        command.exclude = []
        command.all = false
        command.parallel = nil
        command.dryRun = false
        command.failOn = "fail"
        command.noAlerts = false
        command.quiet = false
        command.prometheusFile = nil
        return command
    }
}
