import Foundation

/// Failing-row samples in a Slack message (`include_samples: true`): under the event's section, a title, the rows
/// in a code block (`id | status`), and `… N more rows not shown (size limit)` for rows that did not fit.
///
/// Limits: the section stays within Slack's 3,000 characters, and all samples together within what the events leave
/// of `messageTextBudget` (Slack truncates a message beyond 40,000 characters); lengths are counted in Unicode
/// scalars, as Slack and the shared checker count them. Values are escaped for mrkdwn (`&`, `<`, `>`), control
/// characters are shown as `\n`, `\u{1b}`, and a backtick becomes `ˋ` so no value can close the code block.
extension SlackReceiver {
    /// Slack's 40,000 characters of text, less a margin.
    static let messageTextBudget = 39_000
    /// Slack's limit on a section's text.
    static let sectionTextLimit = 3_000
    /// The most one event's samples take, so a few events with samples share the message.
    static let samplesPerEventLimit = 2_200
    /// The longest value shown in a cell.
    static let sampleValueLimit = 60

    /// `sections` with each event's samples appended, while `room` (characters) lasts.
    static func withSamples(_ sections: [String], events: [AlertEvent], room: Int) -> [String] {
        var room = room
        var result = sections
        for (index, event) in events.enumerated() {
            guard let samples = event.samples, index < result.count else { continue }
            let sectionRoom = sectionTextLimit - result[index].unicodeScalars.count - 1
            let budget = min(room, sectionRoom, samplesPerEventLimit)
            guard let text = samplesText(samples, budget: budget) else { continue }
            result[index] += "\n" + text
            room -= text.unicodeScalars.count + 1
        }
        return result
    }

    /// The samples' text with as many rows as fit in `budget` characters; nil when not even the note does.
    static func samplesText(_ samples: AlertSamples, budget: Int) -> String? {
        let header = codeLine(samples.columns.map(Optional.some))
        let lines = samples.rows.map { codeLine($0) }
        // Each row adds its line and a newline; the first row also opens the code block (header, fences).
        let blockCost = header.unicodeScalars.count + "\n```\n".unicodeScalars.count + "\n```".unicodeScalars.count
        let costs = lines.enumerated().map { $0.element.unicodeScalars.count + 1 + ($0.offset == 0 ? blockCost : 0) }
        let render = { (shown: Int) in samplesText(samples, header: header, lines: Array(lines.prefix(shown))) }
        return AlertSamples.shownCount(rows: lines.count, budget: budget,
                                       fixed: { samplesText(samples, header: header, lines: [], hidden: samples.rows.count - $0).unicodeScalars.count },
                                       rowCosts: costs, measure: { render($0).unicodeScalars.count }).map(render)
    }

    static func samplesText(_ samples: AlertSamples, header: String, lines: [String], hidden: Int? = nil) -> String {
        var text = [samples.title]
        if !lines.isEmpty { text.append("```\n" + ([header] + lines).joined(separator: "\n") + "\n```") }
        if let note = AlertSamples.moreNote(hidden: hidden ?? samples.rows.count - lines.count) { text.append(note) }
        return text.joined(separator: "\n")
    }

    /// One row inside the code block: escaped for mrkdwn, no backtick.
    static func codeLine(_ values: [String?]) -> String {
        escape(SampleText.row(values, limit: sampleValueLimit)).replacingOccurrences(of: "`", with: "ˋ")
    }
}
