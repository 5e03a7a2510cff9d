import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads one config file as UTF-8 text, and when it cannot, says what is really wrong: a folder named
/// `x.yml`, a symlink loop or a dangling symlink, a FIFO or device, no permission, or bytes that are not UTF-8
/// (with the line and column of the first one).
enum ConfigFileReader {
    enum Problem: Error, Equatable {
        case notFound
        case symlinkLoop
        case danglingSymlink(target: String)
        case folder
        case notARegularFile
        case permissionDenied
        case unreadable(reason: String)
        case notUTF8(line: Int, column: Int)

        /// The config error for `file`; a problem with the whole file is placed at its first line.
        func error(file: String) -> ConfigError {
            switch self {
            case .notFound:
                return ConfigError("file not found (run dqmon from the project folder, or pass --config PATH)", file: file)
            case .symlinkLoop:
                return ConfigError("is a symbolic link that loops back on itself; point it at a real file or remove it", file: file)
            case .danglingSymlink(let target):
                return ConfigError("is a symbolic link to \(ConfigText.quoted(target)), which does not exist; fix the link or remove it", file: file)
            case .folder:
                return ConfigError("is a folder, not a YAML file; rename it so it does not end in .yml/.yaml, or move it out", file: file)
            case .notARegularFile:
                return ConfigError("is not a regular file (a pipe, socket or device); dqmon reads config only from regular files", file: file)
            case .permissionDenied:
                return ConfigError("cannot be read: permission denied (check the file's owner and mode)", file: file)
            case .unreadable(let reason):
                return ConfigError("cannot be read: \(reason)", file: file)
            case .notUTF8(let line, let column):
                return ConfigError("is not UTF-8 text (first invalid byte here); save the file as UTF-8",
                                   at: SourceLocation(file: file, line: line, column: column))
            }
        }
    }

    static func read(_ url: URL) -> Result<String, Problem> {
        let path = url.path
        var info = stat()
        guard stat(path, &info) == 0 else { return .failure(classifyMissing(path, code: errno)) }
        switch info.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: return .failure(.folder)
        default: return .failure(.notARegularFile)
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            return .failure(access(path, R_OK) != 0 && errno == EACCES ? .permissionDenied : .unreadable(reason: "the file could not be opened"))
        }
        guard let text = String(data: data, encoding: .utf8) else {
            let position = firstInvalidUTF8(in: data)
            return .failure(.notUTF8(line: position.line, column: position.column))
        }
        return .success(text)
    }

    /// Why `stat` failed on `path`, looking at the link itself to tell loops and dangling links from absence.
    static func classifyMissing(_ path: String, code: Int32) -> Problem {
        switch code {
        case ELOOP: return .symlinkLoop
        case EACCES: return .permissionDenied
        case ENOENT, ENOTDIR:
            var linkInfo = stat()
            guard lstat(path, &linkInfo) == 0, (linkInfo.st_mode & S_IFMT) == S_IFLNK else { return .notFound }
            var buffer = [CChar](repeating: 0, count: 4_097)
            let length = readlink(path, &buffer, buffer.count - 1)
            let target = length > 0 ? String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self) : "?"
            return .danglingSymlink(target: target)
        default:
            return .unreadable(reason: String(cString: strerror(code)))
        }
    }

    /// Line and column (1-based, counting characters) of the first byte that is not valid UTF-8.
    static func firstInvalidUTF8(in data: Data) -> (line: Int, column: Int) {
        var iterator = data.makeIterator()
        var decoder = UTF8()
        var line = 1, column = 1
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar):
                if scalar == "\n" { line += 1; column = 1 } else { column += 1 }
            case .emptyInput, .error:
                return (line, column)
            }
        }
    }
}
