import Foundation

/// A row of cells, one per result (or per day), whose height says the status as well as its colour: a pass is a low
/// bar, a warn a half bar, a fail a full bar, an error a full bar crossed out, a gap nothing. Optional diamonds mark
/// events on the same time axis (schema changes).
///
/// Size: neighbouring cells of one status are drawn as one bar and all bars of a status as one `<path>`, without a
/// tooltip per cell, so a strip costs a few hundred bytes (a thousand datasets have four strips each). A cell is
/// therefore only its status (no per-cell title is formatted: 4,000 strips of 48 cells would format 192,000 dates
/// nobody sees).
struct StatusStrip {
    struct Cell {
        var status: CheckStatus?
    }

    var label: String
    var cells: [Cell]
    var markers: [(position: Double, title: String)] = []
    var cellWidth = 8.0
    var height = 22.0

    /// nil when no cell has a status.
    func render() -> String? {
        guard cells.contains(where: { $0.status != nil }) else { return nil }
        let width = Double(cells.count) * cellWidth
        var body = ""
        for status in CheckStatus.allCases {
            body += bars(of: status)
        }
        for marker in markers {
            let x = min(width - 5, max(5, marker.position * width))
            body += "<path class=\"marker data\" d=\"M\(SVG.number(x)) 0l5 5l-5 5l-5 -5z\"><title>\(HTMLText.escape(marker.title))</title></path>"
        }
        return SVG.svg(width: width, height: height, label: label, className: "strip", fixedSize: true, body)
    }

    /// Every run of consecutive cells of `status` as one bar (a 1-unit gap between cells of a run is not drawn, so
    /// cells stay countable), all in one path; errors crossed out. Empty when no cell has the status.
    func bars(of status: CheckStatus) -> String {
        let full = height - 2
        let barHeight: Double
        switch status {
        case .pass: barHeight = full * 0.3
        case .warn: barHeight = full * 0.6
        case .fail, .error: barHeight = full
        case .skipped: barHeight = full * 0.15
        }
        let y = SVG.number(height - barHeight), h = SVG.number(barHeight)
        var path = "", crosses = ""
        var index = 0
        while index < cells.count {
            guard cells[index].status == status else { index += 1; continue }
            var end = index
            while end + 1 < cells.count, cells[end + 1].status == status { end += 1 }
            let x = Double(index) * cellWidth + 0.5, w = Double(end - index + 1) * cellWidth - 1
            path += "M\(SVG.number(x)) \(y)h\(SVG.number(w))v\(h)h-\(SVG.number(w))z"
            if status == .error { crosses += "M\(SVG.number(x)) \(y)l\(SVG.number(w)) \(h)" }
            index = end + 1
        }
        guard !path.isEmpty else { return "" }
        return "<path class=\"cell \(status.rawValue) data\" d=\"\(path)\"><title>\(status.rawValue)</title></path>" + (crosses.isEmpty ? "" : "<path class=\"cross\" d=\"\(crosses)\"/>")
    }

    /// The worst status of each of `count` equal time slices of `[start, end]`; nil where nothing ran.
    static func worstBySlice(_ samples: [(at: Double, status: CheckStatus)], start: Double, end: Double, count: Int) -> [CheckStatus?] {
        var slices = Array(repeating: CheckStatus?.none, count: max(1, count))
        let span = end - start
        guard span > 0 else { return slices }
        for sample in samples where sample.at > start && sample.at <= end {
            let index = min(slices.count - 1, max(0, Int(((sample.at - start) / span * Double(slices.count)).rounded(.down))))
            if let current = slices[index], severity(current) >= severity(sample.status) { continue }
            slices[index] = sample.status
        }
        return slices
    }

    /// pass < skipped < warn < error < fail, for "worst of a slice" (the order the history's report reads use).
    static func severity(_ status: CheckStatus) -> Int { StatusSeverity.rank(status) }
}

/// The freshness state over the window (FreshnessTimeline's pieces): fresh a low bar, unknown a hatched half bar,
/// stale a full bar, each piece with its time span as a tooltip.
enum FreshnessStrip {
    static func render(_ timeline: FreshnessTimeline, start: Double, end: Double, label: String) -> String? {
        guard !timeline.pieces.isEmpty, end > start else { return nil }
        let width = 640.0, height = 16.0, left = 58.0, plot = 640.0 - 58.0 - 70.0
        var body = ""
        let states: [(FreshnessTimeline.State, String, Double)] = [(.fresh, "fresh", 0.35), (.unknown, "unknown", 0.65), (.stale, "stale", 1)]
        for (state, name, fraction) in states {
            let barHeight = (height - 2) * fraction
            var path = ""
            for piece in timeline.pieces where piece.state == state {
                let from = left + max(0, (piece.start - start) / (end - start)) * plot
                let to = left + min(1, (piece.end - start) / (end - start)) * plot
                guard to > from else { continue }
                let width = SVG.coordinate(max(1, to - from))
                path += "M\(SVG.coordinate(from)) \(SVG.coordinate(height - barHeight))h\(width)v\(SVG.coordinate(barHeight))h-\(width)z"
            }
            if !path.isEmpty { body += "<path class=\"state \(name) data\" d=\"\(path)\"><title>\(name)</title></path>" }
        }
        return SVG.svg(width: width, height: height, label: label, className: "strip wide", body)
    }
}
