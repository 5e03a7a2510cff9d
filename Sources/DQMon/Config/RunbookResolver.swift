import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Decides what a `runbook:` may point at: an http(s) URL, or a regular file that resolves (symlinks
/// followed) inside the project folder, the folder of dqmon.yml.
///
/// The rule keeps `dqmon incidents show`, which prints a runbook's text, from printing `/etc/passwd` or
/// `/proc/self/environ` (where `${VAR}` secrets live). It is checked by `dqmon validate` and again when
/// the text is read, so a file swapped for a symlink after validation still cannot escape.
public struct RunbookResolver: Sendable {
    /// Where a runbook points once resolved.
    public enum Target: Sendable, Equatable {
        case url(String)
        /// The real path (symlinks resolved) of a regular file inside the project.
        case file(String)
    }

    /// Why a runbook is refused; `message` is the one-line config error.
    public enum Problem: Error, Sendable, Equatable {
        case empty
        case notFound
        case outsideProject(resolved: String)
        case notARegularFile(isFolder: Bool)
        case unsupportedScheme(String)

        public func message(for runbook: String) -> String {
            let shown = ConfigText.quoted(runbook)
            let rule = "a runbook is an http(s) URL or a file inside the project folder, e.g. runbooks/orders.md"
            switch self {
            case .empty: return "'runbook' is empty; \(rule)"
            case .notFound: return "runbook file \(shown) not found (create it, or link a URL)"
            case .outsideProject(let resolved):
                return "runbook \(shown) resolves to \(ConfigText.quoted(resolved)), outside the project folder; \(rule)"
            case .notARegularFile(let isFolder):
                return "runbook \(shown) is \(isFolder ? "a folder" : "not a regular file"); \(rule)"
            case .unsupportedScheme(let scheme):
                return "runbook \(shown) is a \(scheme): link; \(rule)"
            }
        }
    }

    /// Runbook text beyond this is cut: on-call reads a page, not a log file.
    public static let readLimit = 256 * 1024

    /// The project folder as configured; free to make (config loading makes one per dataset).
    let projectPath: String

    public init(projectDirectory: URL) {
        projectPath = projectDirectory.standardizedFileURL.path
    }

    /// The project folder with symlinks resolved, so that a project reached through a symlink still works.
    /// Resolved at each use, only for datasets and checks that have a runbook.
    var projectRoot: String { Self.realPath(projectPath) ?? projectPath }

    /// Resolves `runbook` as written in config.
    public func resolve(_ runbook: String) -> Result<Target, Problem> {
        let text = runbook.trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty else { return .failure(.empty) }
        if let scheme = Self.scheme(of: text) {
            let lowered = scheme.lowercased()
            guard lowered == "http" || lowered == "https" else { return .failure(.unsupportedScheme(lowered)) }
            guard let host = URLComponents(string: text)?.host, !host.isEmpty else { return .failure(.unsupportedScheme(lowered)) }
            return .success(.url(text))
        }
        guard !text.contains("\0") else { return .failure(.notFound) }
        let root = projectRoot
        let joined = text.hasPrefix("/") ? text : root + "/" + text
        guard let resolved = Self.realPath(joined) else { return .failure(.notFound) }
        guard resolved.hasPrefix(root.hasSuffix("/") ? root : root + "/") else {
            return .failure(.outsideProject(resolved: resolved))
        }
        var info = stat()
        guard stat(resolved, &info) == 0 else { return .failure(.notFound) }
        guard (info.st_mode & S_IFMT) == S_IFREG else { return .failure(.notARegularFile(isFolder: (info.st_mode & S_IFMT) == S_IFDIR)) }
        return .success(.file(resolved))
    }

    /// The text of a file runbook, checked again now (nil for URLs and for anything `resolve` refuses).
    ///
    /// The file is opened without following a final symlink, must still be a regular file, and the opened
    /// descriptor must still lie inside the project; at most `readLimit` bytes are read.
    public func readText(_ runbook: String) -> String? {
        guard case .success(.file(let path)) = resolve(runbook) else { return nil }
        let descriptor = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, opensInsideProject(descriptor) else { return nil }
        var bytes = [UInt8](repeating: 0, count: Self.readLimit)
        var count = 0
        while count < bytes.count {
            let got = bytes.withUnsafeMutableBytes { read(descriptor, $0.baseAddress! + count, $0.count - count) }
            if got <= 0 { break }
            count += got
        }
        return String(decoding: bytes[..<count], as: UTF8.self)
    }

    /// On Linux, where the opened file really is (`/proc/self/fd/N`); elsewhere the earlier check stands.
    func opensInsideProject(_ descriptor: Int32) -> Bool {
        #if os(Linux)
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink("/proc/self/fd/\(descriptor)", &buffer, buffer.count - 1)
        guard length > 0 else { return true }
        let opened = String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let root = projectRoot
        return opened.hasPrefix(root.hasSuffix("/") ? root : root + "/")
        #else
        return true
        #endif
    }

    /// `http` in `http://…`: a scheme is letters, digits, `+`, `-`, `.` before `://`, or one of the
    /// schemes that need no slashes and must never be taken for a file name.
    static func scheme(of text: String) -> String? {
        let lowered = text.lowercased()
        for bare in ["file:", "javascript:", "data:", "mailto:"] where lowered.hasPrefix(bare) { return String(bare.dropLast()) }
        guard let range = text.range(of: "://") else { return nil }
        let scheme = text[..<range.lowerBound]
        guard let first = scheme.first, first.isASCII, first.isLetter,
              scheme.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "+-.".contains($0)) }) else { return nil }
        return String(scheme)
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
