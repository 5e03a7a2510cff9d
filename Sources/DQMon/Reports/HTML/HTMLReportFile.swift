import Foundation

/// Writes the report where `--output` says.
///
/// Decision: the path may be anywhere the user can write (it is an output, like `--prometheus-file`), relative to the
/// working directory. It must not be an existing directory, and its folder must exist: dqmon does not create folders
/// for an output. The file is written beside the target under a temporary name and renamed into place, so a reader
/// (a web server, a CI artifact upload) never sees half a page, and a failed write leaves the old report as it was.
public enum HTMLReportFile {
    public static func write(_ html: String, to path: URL) throws(DQMonError) {
        let shown = path.path
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path.path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw DQMonError("--output \(shown) is a directory; give a file path such as \(shown.hasSuffix("/") ? shown : shown + "/")report.html")
        }
        let folder = path.deletingLastPathComponent()
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw DQMonError("--output \(shown): folder \(folder.path) does not exist (create it first)")
        }
        let temporary = folder.appendingPathComponent(".\(path.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).tmp")
        do {
            try Data(html.utf8).write(to: temporary)
            // rename(2) replaces the target atomically (FileManager.replaceItemAt wants it to exist on Linux).
            guard rename(temporary.path, path.path) == 0 else {
                throw DQMonError(String(cString: strerror(errno)))
            }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw DQMonError("--output \(shown): cannot write: \(error.localizedDescription)")
        }
    }
}
