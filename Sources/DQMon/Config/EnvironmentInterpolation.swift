/// Expands `${VAR}` and `${VAR:-default}` in config values. `$${` is a literal `${`.
///
/// A `${` without its `}` and a name that is not a variable name (`${}`, `${A B}`) are errors: taking them
/// as literal text would hide a typo in a URL or a key until something fails far away.
public enum EnvironmentInterpolation {
    /// Why a value could not be expanded. Never carries a variable's value (it may be a secret).
    public enum Problem: Error, Equatable {
        /// `${NAME}` with NAME unset and no `:-default`.
        case missing(name: String)
        /// A `${` with no closing `}`.
        case unterminated
        /// `${…}` whose name is empty or not letters, digits and `_` (not starting with a digit).
        case invalidName(String)

        /// The one-line message for a config error at the value.
        public var message: String {
            switch self {
            case .missing(let name):
                return "environment variable '\(name)' is not set (export it, or write ${\(name):-default})"
            case .unterminated:
                return "'${' is not closed: write ${NAME} or ${NAME:-default} (or $${ for a literal '${')"
            case .invalidName(let name):
                return "\(ConfigText.quoted("${" + name + "}")) is not a variable name: use letters, digits and '_', e.g. ${DQMON_PROD_URL}"
            }
        }
    }

    public static func expand(_ text: String, environment: [String: String]) -> Result<String, Problem> {
        guard mayInterpolate(text) else { return .success(text) }
        var output = ""
        var rest = Substring(text)
        while let start = rest.range(of: "${") {
            if start.lowerBound > rest.startIndex, rest[rest.index(before: start.lowerBound)] == "$" {
                output += rest[..<rest.index(before: start.lowerBound)] + "${"
                rest = rest[start.upperBound...]
                continue
            }
            guard let end = rest[start.upperBound...].firstIndex(of: "}") else { return .failure(.unterminated) }
            output += rest[..<start.lowerBound]
            let body = rest[start.upperBound..<end]
            let parts = body.components(separatedBy: ":-")
            let name = parts[0]
            guard isVariableName(name) else { return .failure(.invalidName(name)) }
            if let value = environment[name], !(parts.count > 1 && value.isEmpty) {
                output += value
                InterpolatedSecrets.record(value)  // every ${VAR} value is a secret: alert delivery scrubs it
            } else if parts.count > 1 {
                output += parts.dropFirst().joined(separator: ":-")
            } else {
                return .failure(.missing(name: name))
            }
            rest = rest[rest.index(after: end)...]
        }
        output += rest
        return .success(output)
    }

    /// Whether `text` holds `${` (every config value is asked; a byte scan, not Foundation's `contains`, which
    /// bridges to NSString and cost ~5% of loading a large project).
    static func mayInterpolate(_ text: String) -> Bool {
        var afterDollar = false
        for byte in text.utf8 {
            if afterDollar && byte == UInt8(ascii: "{") { return true }
            afterDollar = byte == UInt8(ascii: "$")
        }
        return false
    }

    /// POSIX shell names: `[A-Za-z_][A-Za-z0-9_]*`.
    static func isVariableName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic) else { return false }
        return name.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }
    }
}
