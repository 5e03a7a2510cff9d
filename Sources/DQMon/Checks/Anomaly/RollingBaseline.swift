/// The method users compare us with (Elementary): flag a point more than `k` standard deviations from the
/// mean of the previous `window` seconds. Kept only to measure dqmon against it in the same run.
public enum RollingBaseline {
    /// One (isAnomaly, |z|) per sample; the first `minHistory` points are never flagged.
    public static func run(_ samples: [(time: Double, value: Double)], window: Double = 14 * 86_400, k: Double = 3,
                           minHistory: Int = 14) -> [(isAnomaly: Bool, score: Double)] {
        var start = 0
        var sum = 0.0
        var squares = 0.0
        var output: [(isAnomaly: Bool, score: Double)] = []
        output.reserveCapacity(samples.count)
        for index in samples.indices {
            while start < index, samples[start].time < samples[index].time - window {
                sum -= samples[start].value
                squares -= samples[start].value * samples[start].value
                start += 1
            }
            let count = Double(index - start)
            if index - start >= minHistory {
                let mean = sum / count
                let deviation = max(0, squares / count - mean * mean).squareRoot()
                let distance = abs(samples[index].value - mean)
                let z = deviation > 0 ? distance / deviation : (distance == 0 ? 0 : 1e9)
                output.append((z > k, z))
            } else {
                output.append((false, 0))
            }
            sum += samples[index].value
            squares += samples[index].value * samples[index].value
        }
        return output
    }
}
