import Foundation
import Testing

/// The history has one home: every statement on it lives in Sources/DQMon/History/ (see `HistoryTransaction`).
/// A file elsewhere that touches SQLite through GRDB is either a warehouse (the SQLite warehouse, the demo data) or a
/// leak of history SQL into domain code, which this test names.
@Suite struct HistoryLayerTests {
    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Sources/DQMon")

    /// Folders whose GRDB use is not the history: the SQLite warehouse and the demo's SQLite data.
    static let warehouseFolders = ["History/", "Warehouse/SQLite/", "Demo/"]

    /// Every Swift file under Sources/DQMon, by path relative to it.
    static func swiftFiles() throws -> [(path: String, text: String)] {
        let root = sources.standardizedFileURL.path + "/"
        guard let walker = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil) else { return [] }
        var files: [(String, String)] = []
        for case let url as URL in walker where url.pathExtension == "swift" {
            let path = url.standardizedFileURL.path
            files.append((path.hasPrefix(root) ? String(path.dropFirst(root.count)) : path, try String(contentsOf: url, encoding: .utf8)))
        }
        return files.sorted { $0.0 < $1.0 }
    }

    @Test func noHistorySQLOutsideHistory() throws {
        let files = try Self.swiftFiles()
        #expect(files.count > 50, "found \(files.count) source files under \(Self.sources.path)")
        let leaks = files.filter { file in
            !Self.warehouseFolders.contains { file.path.hasPrefix($0) }
                && (file.text.contains("import GRDB") || file.text.contains("db.execute(") || file.text.contains("Row.fetch"))
        }
        #expect(leaks.map(\.path) == [], "history SQL belongs in History/ (HistoryStore or HistoryTransaction methods)")
    }
}
