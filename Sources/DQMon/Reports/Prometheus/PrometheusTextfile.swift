import Foundation
import Prometheus

/// `dqmon check --prometheus-file PATH`: the run's state as the Prometheus text exposition format (version 0.0.4),
/// for node_exporter's textfile collector (README "Prometheus metrics" lists every metric and label).
///
/// Built with swift-prometheus: one `PrometheusCollectorRegistry` per metric family, so families come out in a
/// fixed order, each with its HELP and TYPE line, label values escaped as the format requires (backslash, double
/// quote, line feed) by the library. Everything is a gauge: the file is a snapshot that the next run replaces, so
/// nothing in it may only grow. Non-finite values (possible only from corrupt history) are left out rather than
/// written as NaN.
///
/// Written atomically (`write(_:to:)`): a temporary file in the target's folder, then rename(2), so the collector
/// never reads half a file.
public enum PrometheusTextfile {
    /// One metric family: name, help, and its samples (label pairs and value).
    public struct Family: Sendable {
        public var name: String
        public var help: String
        public var samples: [(labels: [(String, String)], value: Double)]

        public init(name: String, help: String, samples: [(labels: [(String, String)], value: Double)] = []) {
            self.name = name
            self.help = help
            self.samples = samples
        }

        public mutating func add(_ labels: [(String, String)], _ value: Double) {
            samples.append((labels, value))
        }
    }

    /// The families as exposition text, in the given order; families without a finite sample are left out.
    /// Within a family, sample lines are sorted (the library emits them in hash order), so that the same state
    /// gives the same file.
    public static func render(_ families: [Family]) -> String {
        var text = ""
        for family in families {
            let samples = family.samples.filter { $0.value.isFinite }
            guard !samples.isEmpty else { continue }
            let registry = PrometheusCollectorRegistry()
            for sample in samples {
                let gauge = sample.labels.isEmpty
                    ? registry.makeGauge(name: family.name, help: family.help)
                    : registry.makeGauge(name: family.name, labels: sample.labels, help: family.help)
                gauge.set(sample.value)
            }
            text += sortedSamples(registry.emitToString())
        }
        return text
    }

    /// HELP and TYPE first, then the sample lines in order. Each sample is one line: the library escapes the line
    /// feeds in label values and strips them from help text.
    static func sortedSamples(_ family: String) -> String {
        let lines = family.split(separator: "\n", omittingEmptySubsequences: true)
        let comments = lines.filter { $0.hasPrefix("#") }, samples = lines.filter { !$0.hasPrefix("#") }.sorted()
        return (comments + samples).map { $0 + "\n" }.joined()
    }

    /// Why the file could not be written: one line naming the path.
    public struct WriteError: Error, Sendable, CustomStringConvertible {
        public let path: String
        public let reason: String
        public var description: String { "--prometheus-file \(path): cannot write the metrics: \(reason); the run itself was recorded" }
    }

    /// Writes `text` to `path` atomically: `<path>.<pid>.tmp` in the same folder (a name the textfile collector,
    /// which reads `*.prom`, ignores), then a rename over `path`. The temporary file is removed on failure.
    public static func write(_ text: String, to path: URL) throws(WriteError) {
        let display = path.path
        let folder = path.deletingLastPathComponent()
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isFolder), isFolder.boolValue else {
            throw WriteError(path: display, reason: "its folder \(folder.path) does not exist")
        }
        let temporary = folder.appendingPathComponent(".\(path.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).tmp")
        guard FileManager.default.createFile(atPath: temporary.path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o644]) else {
            throw WriteError(path: display, reason: "cannot create \(temporary.lastPathComponent) in \(folder.path) (\(String(cString: strerror(errno))))")
        }
        guard rename(temporary.path, path.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw WriteError(path: display, reason: "cannot rename \(temporary.lastPathComponent) over it (\(reason))")
        }
    }
}
