import Foundation

/// One line of `dqmon doctor`: what was looked at, what was found, and the fix when something is wrong.
public struct DoctorFinding: Sendable {
    /// How the finding bears on a scheduled `dqmon check`.
    public enum Status: String, Sendable {
        /// Works. `✔`
        case ok
        /// A run needs it and it is broken: `dqmon check` would exit 3. `✗`
        case broken
        /// Alerts would not get out (a receiver unreachable): a run would exit 4. `✗`
        case alerting
        /// Worth a look, but nothing fails because of it (a run in progress holds the lock, failed alerts). `!`
        case attention
        /// No safe way to look without side effects (or nothing to look at). `-`
        case notTried = "not_tried"

        public var symbol: String {
            switch self {
            case .ok: return "✔"
            case .broken, .alerting: return "✗"
            case .attention: return "!"
            case .notTried: return "-"
            }
        }
    }

    /// The area: `config`, `warehouse`, `dataset`, `history`, `lock`, `receiver`, `alerts`, `clock`.
    public var area: String
    /// What in that area: a warehouse, dataset or receiver name, or a history aspect; nil for one-of areas.
    public var subject: String?
    public var status: Status
    /// What was found, one line, secrets never included.
    public var message: String
    /// What to do, when the status is not `ok`.
    public var fix: String?
    /// Figures for `--format json` (server version, skew seconds, size in bytes, ...).
    public var facts: [(String, JSONValue)] = []

    public init(_ area: String, _ subject: String? = nil, _ status: Status, _ message: String, fix: String? = nil,
                facts: [(String, JSONValue)] = []) {
        self.area = area
        self.subject = subject
        self.status = status
        self.message = message
        self.fix = fix
        self.facts = facts
    }
}

/// Everything `dqmon doctor` found, in the order it looked.
public struct DoctorReport: Sendable {
    public var findings: [DoctorFinding]

    public init(findings: [DoctorFinding]) { self.findings = findings }

    /// 3 when something a run needs is broken; else 4 when alerts could not be delivered; else 0.
    public var exitCode: RunExitCode {
        if findings.contains(where: { $0.status == .broken }) { return .monitoringBroken }
        if findings.contains(where: { $0.status == .alerting }) { return .alertsPending }
        return .success
    }

    /// One line per finding: `✔ warehouse main: reachable, ...` / `✗ ...: what — fix: what to do`, then a summary.
    public func table() -> String {
        var lines = findings.map { finding in
            let label = finding.subject.map { "\(finding.area) \($0)" } ?? finding.area
            let fix = finding.status == .ok ? "" : finding.fix.map { "; fix: \($0)" } ?? ""
            return "\(finding.status.symbol) \(label): \(finding.message)\(fix)"
        }
        let broken = findings.filter { $0.status == .broken || $0.status == .alerting }.count
        switch exitCode {
        case .success: lines.append("dqmon doctor: ready to run (\(findings.count) things looked at)")
        case .alertsPending: lines.append("dqmon doctor: runs would work, but alerts would stay pending (exit 4)")
        default: lines.append("dqmon doctor: \(broken) problem\(broken == 1 ? "" : "s"); a run would not do its job (exit 3)")
        }
        return lines.joined(separator: "\n")
    }

    /// `{"version": "1", "exit_code": 0, "findings": [{"area", "subject", "status", "message", "fix", ...facts}]}`.
    public func json() -> String {
        let items: [JSONValue] = findings.map { finding in
            .object([
                ("area", .string(finding.area)), ("subject", finding.subject.map(JSONValue.string) ?? .null),
                ("status", .string(finding.status.rawValue)), ("message", .string(finding.message)),
                ("fix", finding.fix.map(JSONValue.string) ?? .null),
            ] + finding.facts)
        }
        return JSONValue.object([("version", .string("1")), ("exit_code", .number(Double(exitCode.rawValue))),
                                 ("findings", .array(items))]).serialized()
    }
}
