import Foundation

extension TimestampFormats {
    /// Reads a dataset's `timestamp_format:`: one form (`utc_text`, `epoch_seconds`, `epoch_millis`) for every
    /// timestamp column, or a mapping of column names to forms. A form dqmon does not know is an error at its value;
    /// `utc_text` with a `timezone:` other than UTC contradicts itself and is an error too.
    static func parse(_ fields: ConfigFields, timeZone: TimeZone) -> TimestampFormats {
        guard let node = fields["timestamp_format"] else { return TimestampFormats() }
        var formats = TimestampFormats()
        if let mapping = node.entries {
            for (key, value) in mapping {
                let column = key.string ?? ""
                guard !column.isEmpty else {
                    key.error("timestamp_format: a column name is empty; write e.g. 'timestamp_format: { updated_at: utc_text }'")
                    continue
                }
                guard formats.byColumn[column] == nil else {
                    key.error("duplicate column '\(column)' in timestamp_format")
                    continue
                }
                if let format = format(value, timeZone: timeZone) { formats.byColumn[column] = format }
            }
        } else {
            formats.all = format(node, timeZone: timeZone)
        }
        return formats
    }

    /// One form's name, or nil and an error naming the accepted ones.
    private static func format(_ node: ConfigNode, timeZone: TimeZone) -> TimestampFormat? {
        guard let text = node.text(describing: "timestamp_format") else { return nil }
        guard let format = TimestampFormat(rawValue: text.trimmingConfigWhitespace()) else {
            let names = TimestampFormat.allCases.map(\.rawValue)
            node.error("unknown timestamp_format \(ConfigText.quoted(text))\(Suggestion.hint(for: text, in: names)); use one of \(names.joined(separator: ", ")) "
                       + "(or leave it out: dqmon then reads every timestamp form exactly)")
            return nil
        }
        if format == .utcText, !isPlainUTC(timeZone) {
            node.error("timestamp_format utc_text declares UTC text, but the dataset's timezone is \(timeZone.identifier); "
                       + "remove one of them (zone-less text in another zone is read exactly without a timestamp_format)")
            return nil
        }
        return format
    }

    /// A zone that is UTC at every instant. `UTC` itself (every dataset without `timezone:`) is answered without
    /// asking Foundation for its next daylight-saving transition, which is slow and asked once per dataset.
    private static func isPlainUTC(_ timeZone: TimeZone) -> Bool {
        if timeZone.identifier == "UTC" { return true }
        return timeZone.secondsFromGMT() == 0 && timeZone.nextDaylightSavingTimeTransition == nil
    }
}
