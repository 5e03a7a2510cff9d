import Foundation

/// Renders a run's results as a text table, JSON (schema documented in the README) or JUnit XML.
public enum RunReportRenderer {
    /// The text report: the results table, the summary line, then one line per incident change.
    /// `resultsAndSummary`: `resultsAndSummary(report)` if already rendered (`dqmon check` renders it while the run is
    /// recorded, since it needs nothing the history adds).
    public static func table(_ report: RunReport, resultsAndSummary rendered: String? = nil) -> String {
        var output = rendered ?? resultsAndSummary(report)
        for line in IncidentRenderer.changeLines(report.incidentChanges) { output += "\n" + line }
        return output
    }

    /// The part of `table` that depends only on the results, the checks not due and the evaluation time: the
    /// results table and the summary line.
    public static func resultsAndSummary(_ report: RunReport) -> String {
        var table = TextTable(headers: ["DATASET", "CHECK", "STATUS", "OBSERVED", "EXPECTED", "MESSAGE"])
        for result in report.results {
            table.append([result.dataset, checkLabel(result), result.status.rawValue, result.observedText, result.expected, result.message])
        }
        var output = report.results.isEmpty ? "" : table.render() + "\n\n"
        output += summary(report)
        return output
    }

    static func checkLabel(_ result: CheckResult) -> String {
        result.checkName.map { "\(result.checkType)/\($0)" } ?? result.checkType
    }

    /// `12 checks: 9 pass, 1 warn, 1 fail, 1 error; 3 not due (run with --all to include them)`.
    public static func summary(_ report: RunReport) -> String {
        let counts = [CheckStatus.pass, .warn, .fail, .error].map { "\(report.count($0)) \($0.rawValue)" }.joined(separator: ", ")
        var line = "\(report.results.count) check\(report.results.count == 1 ? "" : "s") at \(Format.timestamp(report.evaluatedAt)): \(counts)"
        if !report.notDue.isEmpty { line += "; \(report.notDue.count) not due (run with --all to include them)" }
        return line
    }

    public static func json(_ report: RunReport) -> String {
        encode(RunReportJSON(report))
    }

    /// Encodes a `--format json` document (every command's). JSON has no spelling for NaN or ±infinity, so the
    /// documents write such numbers as `null` (fields go through `jsonNumber`; the text beside them, such as
    /// `observed_text`, says what was found). The encoder's own string fallback (`"NaN"`, `"Infinity"`) is only a
    /// backstop that keeps the output valid JSON should a field be missed; encoding cannot otherwise fail for
    /// these documents, and if it ever did, dqmon says so on one line and exits 3 instead of printing `{}`.
    static func encode(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        do {
            return String(decoding: try encoder.encode(value), as: UTF8.self)
        } catch {
            FileHandle.standardError.write(Data("dqmon: error: cannot write the JSON output (\(error)); nothing was printed\n".utf8))
            exit(RunExitCode.monitoringBroken.rawValue)
        }
    }

    public static func junit(_ report: RunReport) -> String {
        var lines = ["<?xml version=\"1.0\" encoding=\"UTF-8\"?>"]
        lines.append("<testsuite name=\"dqmon\" tests=\"\(report.results.count)\" failures=\"\(report.count(.fail) + report.count(.warn))\" errors=\"\(report.count(.error))\" timestamp=\"\(Format.timestamp(report.evaluatedAt))\">")
        for result in report.results {
            let seconds = Format.fixed((result.queryMilliseconds ?? 0) / 1000, places: 3)
            lines.append("  <testcase classname=\"\(xml(result.dataset))\" name=\"\(xml(result.checkID))\" time=\"\(seconds)\">")
            switch result.status {
            case .fail, .warn: lines.append("    <failure type=\"\(result.status.rawValue)\" message=\"\(xml(result.message))\"/>")
            case .error: lines.append("    <error message=\"\(xml(result.message))\"/>")
            case .skipped: lines.append("    <skipped message=\"\(xml(result.message))\"/>")
            case .pass: break
            }
            lines.append("  </testcase>")
        }
        lines.append("</testsuite>")
        return lines.joined(separator: "\n")
    }

    static func xml(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}

/// A number for a JSON document: nil (written `null`) when it is NaN or infinite, which JSON cannot spell.
func jsonNumber(_ value: Double?) -> Double? {
    guard let value, value.isFinite else { return nil }
    return value
}

/// The `--format json` document of `dqmon check`, version 1. Documented in the README; add fields, never rename.
struct RunReportJSON: Encodable {
    struct Run: Encodable {
        let id: Int64?
        let evaluated_at: String
        let started_at: String
        let finished_at: String
        let dqmon_version: String
        let config_hash: String
        let exit_code: Int32
    }

    struct Result: Encodable {
        let check_id: String
        let dataset: String
        let warehouse: String
        let check_type: String
        let check_name: String?
        let status: String
        let observed: Double?
        let observed_text: String
        let expected: String
        let message: String
        let query_ms: Double?
        let data_timestamp: String?
        let tier: Int
        let owner: String?
        let runbook: String?
    }

    struct NotDue: Encodable {
        let check_id: String
        let dataset: String
        let next_due: String?
    }

    let version = "1"
    let run: Run
    let summary: [String: Int]
    let results: [Result]
    let not_due: [NotDue]

    init(_ report: RunReport) {
        run = Run(id: report.runID, evaluated_at: Format.timestamp(report.evaluatedAt), started_at: Format.timestamp(report.startedAt),
                  finished_at: Format.timestamp(report.finishedAt), dqmon_version: DQMonVersion.current,
                  config_hash: report.configHash, exit_code: report.exitCode.rawValue)
        var summary: [String: Int] = [:]
        for status in [CheckStatus.pass, .warn, .fail, .error] { summary[status.rawValue] = report.count(status) }
        summary["not_due"] = report.notDue.count
        self.summary = summary
        results = report.results.map { result in
            Result(check_id: result.checkID, dataset: result.dataset, warehouse: result.warehouse, check_type: result.checkType,
                   check_name: result.checkName, status: result.status.rawValue, observed: jsonNumber(result.observed),
                   observed_text: result.observedText, expected: result.expected, message: result.message,
                   query_ms: jsonNumber(result.queryMilliseconds.map { abs($0) < 1e12 ? ($0 * 1000).rounded() / 1000 : $0 }),
                   data_timestamp: result.dataTimestamp.map { Format.timestamp(Date(timeIntervalSince1970: $0)) },
                   tier: result.tier, owner: result.owner, runbook: result.runbook)
        }
        not_due = report.notDue.map { NotDue(check_id: $0.checkID, dataset: $0.dataset, next_due: $0.nextDue.map(Format.timestamp)) }
    }
}
