import Foundation

/// Reads a dbt `manifest.json`: checks its schema version first, then decodes what dqmon imports.
///
/// Every failure is one line naming the file and, for a value of the wrong type, its JSON path
/// (`target/manifest.json: $.sources['source.shop.raw.orders'].freshness.warn_after.count: expected a number`).
public enum DbtManifestReader {
    /// Manifest schema versions dqmon reads: v9 (dbt 1.5) to v12 (dbt 1.8 and later).
    public static let supportedVersions = 9...12

    public static func read(_ url: URL, shownAs path: String) throws(DQMonError) -> DbtManifest {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw DQMonError("\(path): cannot read the dbt manifest (\(Self.reason(error))); run 'dbt parse' to write target/manifest.json")
        }
        return try decode(data, shownAs: path)
    }

    public static func decode(_ data: Data, shownAs path: String) throws(DQMonError) -> DbtManifest {
        let header: Header
        do {
            header = try JSONDecoder().decode(Header.self, from: data)
        } catch {
            throw DQMonError("\(path): \(describe(error)): not a dbt manifest.json?")
        }
        try checkVersion(header.metadata?.dbtSchemaVersion, path: path)
        do {
            return try JSONDecoder().decode(DbtManifest.self, from: data)
        } catch {
            throw DQMonError("\(path): \(describe(error))")
        }
    }

    /// The version number in `https://schemas.getdbt.com/dbt/manifest/v12.json`.
    public static func schemaVersion(in text: String) -> Int? {
        guard let range = text.range(of: "/manifest/v", options: .backwards) else { return nil }
        let digits = text[range.upperBound...].prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, digits.count <= 6, text[range.upperBound...].dropFirst(digits.count).hasPrefix(".json") else { return nil }
        return Int(digits)
    }

    static func checkVersion(_ text: String?, path: String) throws(DQMonError) {
        let range = "v\(supportedVersions.lowerBound) (dbt 1.5) to v\(supportedVersions.upperBound) (dbt 1.8 and later)"
        guard let text else {
            throw DQMonError("\(path): $.metadata.dbt_schema_version is missing: not a dbt manifest.json? dqmon reads manifest schemas \(range)")
        }
        guard let version = schemaVersion(in: text) else {
            throw DQMonError("\(path): $.metadata.dbt_schema_version \(ConfigText.quoted(String(text.prefix(120)))) is not a dbt manifest schema; dqmon reads manifest schemas \(range)")
        }
        guard supportedVersions.contains(version) else {
            let advice = version < supportedVersions.lowerBound ? "upgrade dbt to 1.5 or later and run 'dbt parse'" : "this dqmon is older than that dbt; upgrade dqmon, or parse with dbt 1.8–1.11"
            throw DQMonError("\(path): manifest schema v\(version) is not supported; dqmon reads \(range): \(advice)")
        }
    }

    /// A decoding error as `$.json.path: what was wrong`.
    static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "not valid JSON (\(reason(error)))" }
        switch error {
        case .typeMismatch(let type, let context):
            return "\(jsonPath(context.codingPath)): expected \(jsonType(type))"
        case .valueNotFound(let type, let context):
            return "\(jsonPath(context.codingPath)): expected \(jsonType(type)), found null"
        case .keyNotFound(let key, let context):
            return "\(jsonPath(context.codingPath + [key])) is missing"
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty {
                let underlying = (context.underlyingError as NSError?).map { " (\(reason($0)))" } ?? ""
                return "not valid JSON\(underlying)"
            }
            return "\(jsonPath(context.codingPath)): \(oneLine(context.debugDescription))"
        @unknown default:
            return "not a readable manifest (\(oneLine(String(describing: error))))"
        }
    }

    /// `$.sources['source.shop.raw.orders'].tags[2]`.
    static func jsonPath(_ path: [any CodingKey]) -> String {
        var text = "$"
        for key in path {
            if let index = key.intValue, key.stringValue == String(index) || key.stringValue.hasPrefix("Index") {
                text += "[\(index)]"
            } else if key.stringValue.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }), !key.stringValue.isEmpty {
                text += "." + key.stringValue
            } else {
                text += "['" + oneLine(key.stringValue).replacingOccurrences(of: "'", with: "\\'") + "']"
            }
        }
        return text
    }

    static func jsonType(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Int.Type, is Double.Type: return "a number"
        case is Bool.Type: return "true or false"
        case is [String].Type: return "a list of strings"
        default:
            let name = String(describing: type)
            return name.hasPrefix("Array") || name.hasPrefix("[") ? "a list" : "an object"
        }
    }

    static func reason(_ error: any Error) -> String {
        let nsError = error as NSError
        let detail = (nsError.userInfo[NSDebugDescriptionErrorKey] as? String) ?? nsError.localizedDescription
        return oneLine(detail)
    }

    /// Control characters shown as `?` and the text cut to 200 characters: messages stay one line.
    static func oneLine(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.prefix(200).map { $0.value < 0x20 || $0.value == 0x7f ? "?" : $0 }))
    }

    struct Header: Decodable {
        var metadata: Metadata?

        struct Metadata: Decodable {
            var dbtSchemaVersion: String?
            enum CodingKeys: String, CodingKey { case dbtSchemaVersion = "dbt_schema_version" }
        }
    }
}
