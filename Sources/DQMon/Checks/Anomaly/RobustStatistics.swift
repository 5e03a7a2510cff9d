import Foundation

/// Order statistics without a full sort: quickselect on a scratch buffer, O(n) on average.
///
/// The detector calls these on every evaluation, so they reuse the caller's buffer and never allocate.
enum RobustStatistics {
    /// The `q`-quantile (0...1, lower interpolation) of `values`; reorders `values`. Empty -> nil.
    static func quantile(_ values: inout [Double], _ q: Double) -> Double? {
        guard !values.isEmpty else { return nil }
        let k = min(values.count - 1, max(0, Int((q * Double(values.count - 1)).rounded())))
        return select(&values, k)
    }

    /// The median of `values` (mean of the two middle values for an even count); reorders `values`.
    static func median(_ values: inout [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let n = values.count
        let upper = select(&values, n / 2)
        guard n % 2 == 0 else { return upper }
        // After selecting n/2, the lower middle is the largest value left of it.
        var lower = values[0]
        for index in 1..<(n / 2) where values[index] > lower { lower = values[index] }
        return (lower + upper) / 2
    }

    /// The k-th smallest value (0-based); partially reorders `values` (Hoare partition, median-of-three pivot).
    static func select(_ values: inout [Double], _ k: Int) -> Double {
        var low = 0
        var high = values.count - 1
        values.withUnsafeMutableBufferPointer { buffer in
            while high > low {
                let middle = low + (high - low) / 2
                if buffer[middle] < buffer[low] { buffer.swapAt(middle, low) }
                if buffer[high] < buffer[low] { buffer.swapAt(high, low) }
                if buffer[high] < buffer[middle] { buffer.swapAt(high, middle) }
                let pivot = buffer[middle]
                var i = low
                var j = high
                while i <= j {
                    while buffer[i] < pivot { i += 1 }
                    while buffer[j] > pivot { j -= 1 }
                    if i <= j {
                        buffer.swapAt(i, j)
                        i += 1
                        j -= 1
                    }
                }
                if k <= j {
                    high = j
                } else if k >= i {
                    low = i
                } else {
                    return
                }
            }
        }
        return values[k]
    }

    /// The standard normal quantile Φ⁻¹(p) for 0 < p < 1 (Acklam's rational approximation, relative error < 1.2e-9).
    static func normalQuantile(_ p: Double) -> Double {
        let a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02,
                 -3.066479806614716e+01, 2.506628277459239e+00]
        let b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01,
                 -1.328068155288572e+01]
        let c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00,
                 4.374664141464968e+00, 2.938163982698783e+00]
        let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
        func tail(_ q: Double) -> Double {
            (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        }
        let low = 0.02425
        if p < low { return tail((-2 * log(p)).squareRoot()) }
        if p > 1 - low { return -tail((-2 * log(1 - p)).squareRoot()) }
        let q = p - 0.5
        let r = q * q
        return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
            / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
    }
}
