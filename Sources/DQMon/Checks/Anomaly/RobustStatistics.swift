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
}
