import Foundation

/// Vertical bars stacked by severity, one per period, each labelled with its total (the table beside the chart
/// gives the split in numbers: colour is not the only signal).
struct StackedBars {
    struct Bar {
        var label: String
        var counts: [(severity: AlertSeverity, count: Int)]
        var total: Int { counts.reduce(0) { $0 + $1.count } }
    }

    var label: String
    var bars: [Bar]

    /// nil when there are no bars (an empty window is said in words).
    func render() -> String? {
        guard !bars.isEmpty else { return nil }
        let width = 520.0, height = 180.0, left = 28.0, bottom = 22.0, top = 14.0
        let plot = height - top - bottom
        let peak = max(1, bars.map(\.total).max() ?? 1)
        let slot = (width - left) / Double(bars.count)
        var body = "<rect class=\"plot\" x=\"\(SVG.number(left))\" y=\"\(SVG.number(top))\" width=\"\(SVG.number(width - left))\" height=\"\(SVG.number(plot))\"/>"
        body += SVG.text(String(peak), x: left - 4, y: top + 8, anchor: "end") + SVG.text("0", x: left - 4, y: top + plot, anchor: "end")
        for (index, bar) in bars.enumerated() {
            let x = left + Double(index) * slot + slot * 0.15
            var y = top + plot
            for (severity, count) in bar.counts where count > 0 {
                let h = Double(count) / Double(peak) * plot
                y -= h
                body += "<rect class=\"bar \(severity.rawValue) data\" x=\"\(SVG.number(x))\" y=\"\(SVG.number(y))\" width=\"\(SVG.number(slot * 0.7))\" height=\"\(SVG.number(h))\"><title>\(HTMLText.escape(bar.label)): \(count) \(severity.rawValue)</title></rect>"
            }
            if bar.total > 0 { body += SVG.text(String(bar.total), x: x + slot * 0.35, y: y - 3, anchor: "middle", className: "bar-label") }
            body += SVG.text(bar.label, x: x + slot * 0.35, y: height - 6, anchor: "middle")
        }
        if bars.allSatisfy({ $0.total == 0 }) {
            body += "<line class=\"series data\" x1=\"\(SVG.number(left))\" y1=\"\(SVG.number(top + plot))\" x2=\"\(SVG.number(width))\" y2=\"\(SVG.number(top + plot))\"/>"
        }
        return SVG.svg(width: width, height: height, label: label, className: "bars", body)
    }
}
