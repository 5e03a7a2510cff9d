/// The one error a user sees: why dqmon stopped, as one line, and the exit code that goes with it.
///
/// Every workflow the CLI calls (the library services and `Sources/dqmon`) ends a failure by throwing this;
/// `dqmon`'s `main` is the one place that prints it (`dqmon: error: <message>` on stderr, once) and exits with
/// `exitCode`. Library errors (`HistoryError`, `WarehouseError`, `ConfigErrors`, ...) stay typed inside the library;
/// the workflow that knows the context (which dataset, which file, which flag) turns them into a `DQMonError` with
/// that context in the message. Nothing else in the tool maps errors to exit codes.
///
/// A struct rather than a protocol the library errors adopt: the same `HistoryError` is prefixed differently by
/// different commands (`<dataset>: ...`, `<file>: ...`), so the message is decided where the context is, and one
/// concrete type keeps the mapping to stderr and exit code in a single `catch`.
public struct DQMonError: Error, Sendable, CustomStringConvertible {
    /// One line, without the `dqmon: error: ` prefix. Never holds a secret (`${VAR}` values are scrubbed upstream).
    public let message: String
    /// Lines printed before `message`, unprefixed, e.g. every config error as `file:line:column: message`.
    public let details: [String]
    /// 3 (monitoring broken) unless the failure means something else, e.g. 4 for an alert that could not be sent.
    public let exitCode: RunExitCode

    public init(_ message: String, exitCode: RunExitCode = .monitoringBroken, details: [String] = []) {
        self.message = message
        self.details = details
        self.exitCode = exitCode
    }

    /// A library error shown as its own description, optionally behind `context: ` (a dataset, a file).
    public init(_ error: some Error & CustomStringConvertible, context: String? = nil, exitCode: RunExitCode = .monitoringBroken) {
        self.init(context.map { "\($0): \(error.description)" } ?? error.description, exitCode: exitCode)
    }

    /// An untyped error as Swift prints it (`"\(error)"`); a `DQMonError` passes through unchanged.
    public init(unexpected error: any Error, context: String? = nil) {
        if let error = error as? DQMonError {
            self = error
            return
        }
        self.init(context.map { "\($0): \(error)" } ?? "\(error)")
    }

    /// Every configuration error as `file:line:column: message`, then how many there were; exit 3.
    public init(configuration errors: ConfigErrors) {
        let count = errors.errors.count
        self.init("\(count) configuration error\(count == 1 ? "" : "s"); nothing was run",
                  details: errors.errors.map(\.description))
    }

    public var description: String { (details + [message]).joined(separator: "\n") }
}
