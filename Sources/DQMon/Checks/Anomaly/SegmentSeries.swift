import Foundation

/// One segment's stored series of a `group_by` anomaly check, found from what a user types after `--segment`:
/// the segment as results show it without the brackets (`country=DE`, `country=NULL, channel='a b'`), with the
/// brackets, or `other` (the segments past `max_segments`). `dqmon history --segment` and `dqmon backtest --segment`
/// both resolve through here, so they accept the same forms and refuse the same way: one line naming the segments
/// history holds (and the closest one), exit 3.
public struct SegmentSeries: Sendable {
    /// The series' display name, `row_count_1d [country=DE]`.
    public let name: String
    public let segment: Segment
    /// The stored series by history key, each oldest first. One key for a segment; for `other`, one per composition
    /// (a new series each time the segments judged one by one changed).
    public let series: [String: [MetricPoint]]

    /// Every point, oldest first (for `other`, all compositions).
    public var points: [MetricPoint] { series.values.flatMap { $0 }.sorted { $0.time < $1.time } }

    /// The series a replay should judge: the segment's, or `other`'s latest composition (earlier ones held other
    /// segments, so replaying across them would flag the change itself).
    public var latestComposition: [MetricPoint] {
        series.values.max { ($0.last?.time ?? -.infinity) < ($1.last?.time ?? -.infinity) } ?? []
    }

    /// At most this many recorded segments are listed in an error.
    static let listed = 10

    /// Resolves `text` against the segments `checkID` (a `group_by` anomaly check of `dataset`) recorded since
    /// `since`. Throws one line when the check has no `group_by`, when `text` is nil (`required`), or unknown.
    public static func find(_ text: String?, history: HistoryStore, check: AnomalyCheck, checkID: String, dataset: String,
                            since: Date?) throws -> SegmentSeries {
        guard let spec = check.segments else {
            throw DQMonError("\(checkID) has no group_by: --segment picks one segment of a group_by anomaly check; leave it out")
        }
        let name = check.target.historyName
        let prefix = HistoryStore.SeriesKey(dataset: dataset, metric: SegmentKey.prefix(name))
        let stored = try history.segmentSeries([prefix: since ?? Date(timeIntervalSince1970: 0)])
        // By segment (all `other` compositions are one); two long values shown alike stay two entries.
        var known: [Segment: [String: [MetricPoint]]] = [:]
        for (key, points) in stored {
            if SegmentKey.isOther(key.metric, metric: name) {
                known[.other(columns: spec.columns), default: [:]][key.metric] = points
            } else if let found = SegmentKey.segment(in: key.metric, metric: name), found.columns == spec.columns {
                known[found, default: [:]][key.metric] = points
            }
        }
        let names = Set(known.keys.map(\.shown)).sorted()
        let listing = names.isEmpty ? " (no segment recorded yet; run 'dqmon check' first)"
            : "; recorded: " + names.prefix(listed).joined(separator: "; ") + (names.count > listed ? "; and \(names.count - listed) more" : "")
        guard let text else {
            throw DQMonError("\(checkID) is measured per segment (group_by: \(spec.columns.joined(separator: ", "))): add --segment, "
                             + "e.g. --segment '\(names.first ?? "\(spec.columns[0])=value")'" + listing)
        }
        let wanted = normalized(text)
        let byKey = known.filter { $0.value.keys.contains(SegmentKey.prefix(name) + wanted + "]") }
        let matches = byKey.isEmpty ? known.filter { $0.key.shown == wanted } : byKey
        guard let match = matches.first else {
            throw DQMonError("\(checkID) has no recorded segment \(ConfigText.quoted(text))\(Suggestion.hint(for: wanted, in: names))" + listing)
        }
        if matches.count > 1 {
            let keys = matches.values.flatMap(\.keys).sorted().map { String($0.dropFirst(SegmentKey.prefix(name).count).dropLast()) }
            throw DQMonError("\(checkID): --segment \(ConfigText.quoted(text)) matches \(matches.count) segments whose long values start alike; "
                             + "give one as history stores it: " + keys.prefix(listed).joined(separator: "; "))
        }
        return SegmentSeries(name: name + " " + match.key.display, segment: match.key, series: match.value)
    }

    /// `--segment` text as results show a segment: surrounding spaces and one pair of brackets dropped.
    static func normalized(_ text: String) -> String {
        var text = text.trimmingCharacters(in: .whitespaces)
        if text.hasPrefix("["), text.hasSuffix("]"), text.count >= 2 { text = String(text.dropFirst().dropLast()) }
        return text
    }

    /// `dqmon history CHECK_ID --segment S`: the segment's points at or after `since`, at most `limit`, newest first.
    public static func history(configuration: Configuration, checkID: String, segment: String, since: Date?,
                               limit: Int) throws(DQMonError) -> (series: SegmentSeries, points: [MetricPoint]) {
        guard case let (dataset, check)? = configuration.check(id: checkID) else {
            throw DQMonError("unknown check id '\(checkID)'\(Suggestion.hint(for: checkID, in: configuration.checks.map(\.id))); 'dqmon check --dry-run' lists the checks")
        }
        guard let anomaly = check.spec as? AnomalyCheck else {
            throw DQMonError("'\(checkID)' is a \(check.typeName) check; --segment picks one segment of a group_by anomaly check")
        }
        do {
            let found = try find(segment, history: HistoryStore(path: configuration.project.history.path), check: anomaly,
                                 checkID: checkID, dataset: dataset.name, since: since)
            return (found, Array(found.points.reversed().prefix(max(0, limit))))
        } catch let error as DQMonError {
            throw error
        } catch let error as HistoryError {
            throw DQMonError(error)
        } catch {
            throw DQMonError("\(checkID): \(error)")
        }
    }

    /// The table `dqmon history --segment` prints: a trend line and one row per point, newest first.
    public static func table(checkID: String, series: SegmentSeries, points: [MetricPoint]) -> String {
        guard !points.isEmpty else { return "no points recorded for \(checkID) \(series.segment.display) in this window" }
        var table = TextTable(headers: ["MEASURED AT", "VALUE", "ANOMALOUS"])
        for point in points {
            table.append([Format.timestamp(Date(timeIntervalSince1970: point.time)), AnomalyCheck.format(point.value), point.flagged ? "yes" : "-"])
        }
        var output = "\(checkID) \(series.name): \(points.count) point\(points.count == 1 ? "" : "s"), newest first\n"
        if points.count >= 2 { output += "trend (oldest → newest): \(Sparkline.render(points.reversed().map(\.value)))\n" }
        if series.series.count > 1 {
            output += "[other] was recomposed \(series.series.count - 1) time\(series.series.count == 2 ? "" : "s") (the largest segments changed); each composition is judged on its own points\n"
        }
        return output + "\n" + table.render()
    }

    public static func json(checkID: String, series: SegmentSeries, points: [MetricPoint]) -> String {
        struct Entry: Encodable {
            let measured_at: String
            let value: Double?
            let anomalous: Bool
        }
        struct Document: Encodable {
            let version = "1"
            let check_id: String
            let series: String
            let segment: String
            let points: [Entry]
        }
        let entries = points.map {
            Entry(measured_at: Format.timestamp(Date(timeIntervalSince1970: $0.time)), value: $0.value.isFinite ? $0.value : nil, anomalous: $0.flagged)
        }
        return RunReportRenderer.encode(Document(check_id: checkID, series: series.name, segment: series.segment.shown, points: entries))
    }
}
