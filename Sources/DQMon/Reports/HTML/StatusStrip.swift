import Foundation

/// A row of cells, one per result (or per day), whose height says the status as well as its colour: a pass is a low
/// bar, a warn a half bar, a fail a full bar, an error a full bar crossed out, a gap nothing. Optional diamonds mark
/// events on the same time axis (schema changes).
struct StatusStrip {
    struct Cell {
        var status: CheckStatus?
        var title: String
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
        for (index, cell) in cells.enumerated() {
            guard let status = cell.status else { continue }
            body += rect(status, x: Double(index) * cellWidth, title: cell.title)
        }
        for marker in markers {
            let x = min(width - 5, max(5, marker.position * width))
            body += "<path class=\"marker data\" d=\"M\(SVG.number(x)) 0l5 5l-5 5l-5 -5z\"><title>\(HTMLText.escape(marker.title))</title></path>"
        }
        return SVG.svg(width: width, height: height, label: label, className: "strip", fixedSize: true, body)
    }

    func rect(_ status: CheckStatus, x: Double, title: String) -> String {
        let full = height - 2
        let barHeight: Double
        switch status {
        case .pass: barHeight = full * 0.3
        case .warn: barHeight = full * 0.6
        case .fail, .error: barHeight = full
        case .skipped: barHeight = full * 0.15
        }
        let y = height - barHeight
        var shape = "<rect class=\"cell \(status.rawValue) data\" x=\"\(SVG.number(x + 0.5))\" y=\"\(SVG.number(y))\" width=\"\(SVG.number(cellWidth - 1))\" height=\"\(SVG.number(barHeight))\"><title>\(HTMLText.escape(title))</title></rect>"
        if status == .error {
            shape += "<path class=\"cross\" d=\"M\(SVG.number(x + 1)) \(SVG.number(y + 1))l\(SVG.number(cellWidth - 2)) \(SVG.number(barHeight - 2))\"/>"
        }
        return shape
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

    /// pass < skipped < warn < error < fail, for "worst of a slice".
    static func severity(_ status: CheckStatus) -> Int {
        switch status {
        case .pass: return 0
        case .skipped: return 1
        case .warn: return 2
        case .error: return 3
        case .fail: return 4
        }
    }
}

/// The freshness state over the window (FreshnessTimeline's pieces): fresh a low bar, unknown a hatched half bar,
/// stale a full bar, each piece with its time span as a tooltip.
enum FreshnessStrip {
    static func render(_ timeline: FreshnessTimeline, start: Double, end: Double, label: String) -> String? {
        guard !timeline.pieces.isEmpty, end > start else { return nil }
        let width = 640.0, height = 16.0, left = 58.0, plot = 640.0 - 58.0 - 70.0
        var body = ""
        for piece in timeline.pieces {
            let from = left + max(0, (piece.start - start) / (end - start)) * plot
            let to = left + min(1, (piece.end - start) / (end - start)) * plot
            guard to > from else { continue }
            let (name, fraction): (String, Double) = switch piece.state {
            case .fresh: ("fresh", 0.35)
            case .unknown: ("unknown", 0.65)
            case .stale: ("stale", 1)
            }
            let barHeight = (height - 2) * fraction
            body += "<rect class=\"state \(name) data\" x=\"\(SVG.number(from))\" y=\"\(SVG.number(height - barHeight))\" width=\"\(SVG.number(max(0.5, to - from)))\" height=\"\(SVG.number(barHeight))\"><title>\(name) \(HTMLFormat.minute(piece.start)) → \(HTMLFormat.minute(piece.end))</title></rect>"
        }
        return SVG.svg(width: width, height: height, label: label, className: "strip wide", body)
    }
}
