import Foundation

/// Failing-row samples in a Teams card (`include_samples: true`): inside the event's container, a title, one
/// `RichTextBlock` per row (header row bold) in a monospace `TextRun`, and `… N more rows not shown (size limit)`.
///
/// A `TextRun` is plain text (Adaptive Cards apply no markdown to it), so a value cannot add links or formatting;
/// control characters are shown as `\n`, `\u{1b}`. Samples get only what the events leave of `byteBudget`, measured
/// as Python's `json.dumps` would (non-ASCII escaped), so the card stays under Teams' 28 KB.
extension TeamsReceiver {
    /// The longest value shown in a cell.
    static let sampleValueLimit = 100

    /// The card with the `shown` events, each given its samples while the budget lasts.
    static func withSamples(_ shown: [AlertEvent], title: JSONValue, tail: [JSONValue]) -> JSONValue {
        var containers = shown.map { container($0) }
        let plain = envelope([title] + containers + tail)
        var room = byteBudget - plain.pythonStyleByteCount
        for (index, event) in shown.enumerated() {
            // Appended to the container's items: the element plus Python's ", " separator.
            guard let samples = event.samples, let element = samplesElement(samples, budget: room - 2) else { continue }
            containers[index] = container(event, samples: element)
            room -= element.pythonStyleByteCount + 2
        }
        let card = envelope([title] + containers + tail)
        return card.pythonStyleByteCount <= byteBudget ? card : plain
    }

    /// The samples' container with as many rows as fit in `budget` bytes; nil when not even the note does.
    static func samplesElement(_ samples: AlertSamples, budget: Int) -> JSONValue? {
        let header = rowBlock(samples.columns, bold: true)
        let rows = samples.rows.map { rowBlock($0, bold: false) }
        // Each row adds its block and Python's ", "; the first row also adds the header row.
        let headerCost = header.pythonStyleByteCount + 2
        let costs = rows.enumerated().map { $0.element.pythonStyleByteCount + 2 + ($0.offset == 0 ? headerCost : 0) }
        let render = { (shown: Int) in samplesElement(samples, header: header, rows: Array(rows.prefix(shown))) }
        return AlertSamples.shownCount(rows: rows.count, budget: budget,
                                       fixed: { samplesElement(samples, header: header, rows: [], hidden: samples.rows.count - $0).pythonStyleByteCount },
                                       rowCosts: costs, measure: { render($0).pythonStyleByteCount }).map(render)
    }

    static func samplesElement(_ samples: AlertSamples, header: JSONValue, rows: [JSONValue], hidden: Int? = nil) -> JSONValue {
        var items = [textBlock(samples.title, extra: [("weight", .string("Bolder")), ("size", .string("Small"))])]
        if !rows.isEmpty { items += [header] + rows }
        if let note = AlertSamples.moreNote(hidden: hidden ?? samples.rows.count - rows.count) {
            items.append(textBlock(note, extra: [("isSubtle", .bool(true)), ("size", .string("Small"))]))
        }
        return .object([("type", .string("Container")), ("items", .array(items))])
    }

    static func rowBlock(_ values: [String?], bold: Bool) -> JSONValue {
        var run: [(String, JSONValue)] = [("type", .string("TextRun")), ("text", .string(SampleText.row(values, limit: sampleValueLimit))),
                                          ("fontType", .string("Monospace"))]
        if bold { run.append(("weight", .string("Bolder"))) }
        return .object([("type", .string("RichTextBlock")), ("inlines", .array([.object(run)]))])
    }
}
