import Foundation

/// Inline SVG primitives for the HTML report: a time-series chart (values, expected band, thresholds, flagged
/// points), status strips and stacked bars. Every element that shows data carries class `data`, so a test can tell an
/// empty chart from a drawn one; colour is never the only signal (flags have shapes, strips have heights, thresholds
/// and bars have text labels).
///
/// Coordinates are rounded to one decimal and series are bucketed (`Downsample`) so a chart stays a few kilobytes
/// however long the window. Values are scaled on halves (`v / 2 - low / 2`) so ±1e308 cannot overflow; non-finite
/// values are left out.
enum SVG {
    /// `12.3`, `-4`, never `-0` or an exponent.
    static func number(_ value: Double) -> String {
        guard value.isFinite, abs(value) < 1e9 else { return "0" }  // coordinates are clamped to the plot; never trap
        let rounded = (value * 10).rounded() / 10
        if rounded == rounded.rounded() { return String(Int(rounded == 0 ? 0 : rounded)) }
        return String(rounded)
    }

    /// A whole-number coordinate for series and bands (a chart is 640 units wide: a unit is below a pixel's worth).
    static func coordinate(_ value: Double) -> String {
        guard value.isFinite, abs(value) < 1e9 else { return "0" }
        return String(Int(value.rounded()))
    }

    /// The `<svg>` wrapper: scalable (`viewBox`, width 100%), with an accessible name.
    /// `fixedSize`: drawn at its own width and height in CSS pixels (strips) instead of scaling to the column (charts).
    static func svg(width: Double, height: Double, label: String, className: String, fixedSize: Bool = false, _ body: String) -> String {
        let size = fixedSize ? " width=\"\(number(width))\" height=\"\(number(height))\"" : ""
        // Strips repeat what the text beside them says; only charts carry an accessible name (a thousand datasets
        // have five strips each, and every byte counts there).
        let name = className.hasPrefix("strip") ? "" : " role=\"img\" aria-label=\"\(HTMLText.escape(label))\""
        return "<svg class=\"\(className)\" viewBox=\"0 0 \(number(width)) \(number(height))\"\(name)\(size)>\(body)</svg>"
    }

    static func text(_ content: String, x: Double, y: Double, anchor: String = "start", className: String = "axis") -> String {
        "<text x=\"\(number(x))\" y=\"\(number(y))\" text-anchor=\"\(anchor)\" class=\"\(className)\">\(HTMLText.escape(content))</text>"
    }
}

/// Maps times and values into a chart's plot area.
struct ChartFrame {
    var width = 640.0
    var height = 160.0
    var left = 58.0
    var right = 70.0
    var top = 10.0
    var bottom = 22.0
    var start: Double
    var end: Double
    var low: Double
    var high: Double

    var plotWidth: Double { width - left - right }
    var plotHeight: Double { height - top - bottom }

    func x(_ time: Double) -> Double {
        let span = end / 2 - start / 2
        guard span > 0 else { return left }
        return left + min(1, max(0, (time / 2 - start / 2) / span)) * plotWidth
    }

    func y(_ value: Double) -> Double {
        let span = high / 2 - low / 2
        guard span > 0, value.isFinite else { return top + plotHeight / 2 }
        return top + (1 - min(1, max(0, (value / 2 - low / 2) / span))) * plotHeight
    }

    /// A value range holding every finite value given, padded by 5% (±1 around a single value).
    static func range(_ values: [Double]) -> (Double, Double) {
        let finite = values.filter(\.isFinite)
        guard let low = finite.min(), let high = finite.max() else { return (0, 1) }
        guard high > low else { return (low - 1, high + 1) }
        let pad = (high / 2 - low / 2) / 10
        let paddedLow = low - pad < low ? low - pad : low
        // A count or an age never goes below zero: the axis does not either.
        return (low >= 0 ? max(0, paddedLow) : paddedLow, high + pad > high ? high + pad : high)
    }

    /// Left labels (top and bottom value), bottom labels (start, middle and end dates) and the plot's border.
    func axes(format: (Double) -> String) -> String {
        let bottomLine = top + plotHeight
        var parts = ["<rect class=\"plot\" x=\"\(SVG.number(left))\" y=\"\(SVG.number(top))\" width=\"\(SVG.number(plotWidth))\" height=\"\(SVG.number(plotHeight))\"/>"]
        parts.append(SVG.text(format(high), x: left - 4, y: top + 8, anchor: "end"))
        parts.append(SVG.text(format(low), x: left - 4, y: bottomLine, anchor: "end"))
        parts.append(SVG.text(HTMLFormat.shortDay(start), x: left, y: height - 6))
        parts.append(SVG.text(HTMLFormat.shortDay(end), x: left + plotWidth, y: height - 6, anchor: "end"))
        return parts.joined()
    }
}

/// Buckets a time series so a chart draws at most `count` points per series.
enum Downsample {
    struct Bucket {
        var at: Double
        var mean: Double
        var low: Double
        var high: Double
    }

    /// Points grouped into `count` equal time buckets over `[start, end]`: each non-empty bucket's mean (summed as
    /// value / n, so it cannot overflow), minimum and maximum, at the bucket's middle. Non-finite values are skipped.
    static func buckets(_ points: [(at: Double, value: Double)], start: Double, end: Double, count: Int) -> [Bucket] {
        let count = max(1, count)
        let span = end - start
        guard span > 0, span.isFinite else { return [] }
        // Two passes over flat arrays (no array per bucket): counts first, so the mean is summed as value / n in
        // point order, exactly as before.
        func bucket(_ point: (at: Double, value: Double)) -> Int? {
            guard point.value.isFinite, point.at >= start, point.at <= end else { return nil }
            return ReportRowsQuery.slice(point.at, from: start, span: span, count: count)
        }
        var counts = Array(repeating: 0, count: count)
        for point in points { if let index = bucket(point) { counts[index] += 1 } }
        var means = Array(repeating: 0.0, count: count)
        var lows = Array(repeating: Double.infinity, count: count), highs = Array(repeating: -Double.infinity, count: count)
        for point in points {
            guard let index = bucket(point) else { continue }
            means[index] += point.value / Double(counts[index])
            lows[index] = min(lows[index], point.value)
            highs[index] = max(highs[index], point.value)
        }
        return counts.indices.compactMap { index in
            guard counts[index] > 0 else { return nil }
            return Bucket(at: start + (Double(index) + 0.5) / Double(count) * span, mean: means[index], low: lows[index], high: highs[index])
        }
    }
}
