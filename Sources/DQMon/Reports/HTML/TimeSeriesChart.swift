import Foundation

/// One check's numbers over the window: its values, the band it was expected in, fixed thresholds, and the points
/// that were flagged, marked by shape (▲ above the band or a threshold, ▼ below it, ✕ a failing result elsewhere).
struct TimeSeriesChart {
    enum FlagShape: String { case above, below, failed }

    struct Threshold {
        var label: String
        var value: Double
        /// `warn` or `fail`: the line's style; the label says it too.
        var level: String
    }

    struct Flag {
        var at: Double
        var value: Double
        var shape: FlagShape
    }

    var label: String
    var start: Double
    var end: Double
    var values: [(at: Double, value: Double)]
    var band: [(at: Double, range: ExpectedRange)] = []
    var thresholds: [Threshold] = []
    var flags: [Flag] = []
    var format: (Double) -> String = { HTMLFormat.compact($0) }
    /// Points per series at most (the width of the plot in buckets).
    var resolution = 120
    /// Flag markers at most: one per time bucket (the most extreme), so a long failure reads as a row of marks, not a wall.
    var maximumFlags = 40

    /// nil when there is nothing finite to draw (the section says so in words instead of an empty chart).
    func render() -> String? {
        let finite = values.filter { $0.value.isFinite }
        guard !finite.isEmpty else { return nil }
        let domain = finite.map(\.value) + band.flatMap { [$0.range.lower, $0.range.upper] } + thresholds.map(\.value)
        let (low, high) = ChartFrame.range(domain)
        let frame = ChartFrame(start: start, end: end, low: low, high: high)
        var body = frame.axes(format: format)
        body += bandShape(frame)
        body += thresholdLines(frame)
        body += seriesPath(finite, frame)
        body += flagMarks(frame)
        return SVG.svg(width: frame.width, height: frame.height, label: label, className: "chart", body)
    }

    func bandShape(_ frame: ChartFrame) -> String {
        let lows = Downsample.buckets(band.map { ($0.at, $0.range.lower) }, start: start, end: end, count: resolution)
        let highs = Downsample.buckets(band.map { ($0.at, $0.range.upper) }, start: start, end: end, count: resolution)
        guard !lows.isEmpty, lows.count == highs.count else { return "" }
        let upper = highs.map { "\(SVG.coordinate(frame.x($0.at))),\(SVG.coordinate(frame.y($0.high)))" }
        let lower = lows.reversed().map { "\(SVG.coordinate(frame.x($0.at))),\(SVG.coordinate(frame.y($0.low)))" }
        return "<polygon class=\"band data\" points=\"\((upper + lower).joined(separator: " "))\"/>"
    }

    /// Dashed lines with their labels at the right; labels closer than a line of text are pushed apart.
    func thresholdLines(_ frame: ChartFrame) -> String {
        var lastLabelY = -Double.infinity
        return thresholds.sorted { frame.y($0.value) < frame.y($1.value) }.map { threshold in
            let y = SVG.number(frame.y(threshold.value))
            let x1 = SVG.number(frame.left), x2 = SVG.number(frame.left + frame.plotWidth)
            let labelY = max(frame.y(threshold.value) + 4, lastLabelY + 12)
            lastLabelY = labelY
            return "<line class=\"threshold \(threshold.level)\" x1=\"\(x1)\" y1=\"\(y)\" x2=\"\(x2)\" y2=\"\(y)\"/>"
                + SVG.text(threshold.label, x: frame.left + frame.plotWidth + 4, y: labelY, className: "threshold-label \(threshold.level)")
        }.joined()
    }

    /// The bucket means as one path; a run of empty buckets (no results) breaks the line instead of bridging it.
    func seriesPath(_ points: [(at: Double, value: Double)], _ frame: ChartFrame) -> String {
        let buckets = Downsample.buckets(points, start: start, end: end, count: resolution)
        let gap = (end - start) / Double(max(1, resolution)) * 2.5
        var path = ""
        var previous: Double?
        for bucket in buckets {
            let command = previous.map { bucket.at - $0 > gap } ?? true ? "M" : "L"
            path += "\(command)\(SVG.coordinate(frame.x(bucket.at))) \(SVG.coordinate(frame.y(bucket.mean)))"
            previous = bucket.at
        }
        let dots = buckets.count == 1 ? "<circle class=\"series-dot data\" cx=\"\(SVG.number(frame.x(buckets[0].at)))\" cy=\"\(SVG.number(frame.y(buckets[0].mean)))\" r=\"3\"/>" : ""
        return "<path class=\"series data\" d=\"\(path)\"/>" + dots
    }

    /// The flags of each shape as one path (a mark costs a dozen bytes, not an element).
    func flagMarks(_ frame: ChartFrame) -> String {
        let flags = shownFlags()
        return [FlagShape.above, .below, .failed].map { shape -> String in
            let marks = flags.filter { $0.shape == shape }.map { flag -> String in
                let x = SVG.coordinate(frame.x(flag.at)), y = frame.y(flag.value)
                switch shape {
                case .above: return "M\(x) \(SVG.coordinate(y - 5))l4.5 8h-9z"
                case .below: return "M\(x) \(SVG.coordinate(y + 5))l4.5 -8h-9z"
                case .failed: return "M\(SVG.coordinate(frame.x(flag.at) - 4)) \(SVG.coordinate(y - 4))l8 8m0 -8l-8 8"
                }
            }
            return marks.isEmpty ? "" : "<path class=\"flag \(shape.rawValue) data\" d=\"\(marks.joined())\"/>"
        }.joined()
    }

    /// The most extreme flag of each of `maximumFlags` time buckets.
    func shownFlags() -> [Flag] {
        let span = end - start
        guard span > 0 else { return Array(flags.prefix(maximumFlags)) }
        var chosen: [Int: Flag] = [:]
        for flag in flags where flag.value.isFinite && flag.at.isFinite {
            let bucket = Int(min(Double(maximumFlags - 1), max(0, ((flag.at - start) / span * Double(maximumFlags)).rounded(.down))))
            if let current = chosen[bucket], abs(current.value) >= abs(flag.value) { continue }
            chosen[bucket] = flag
        }
        return chosen.keys.sorted().compactMap { chosen[$0] }
    }
}
