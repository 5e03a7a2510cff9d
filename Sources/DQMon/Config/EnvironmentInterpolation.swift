/// Expands `${VAR}` and `${VAR:-default}` in config values. `$${` is a literal `${`.
public enum EnvironmentInterpolation {
    public struct MissingVariable: Error, Equatable {
        public let name: String
    }

    public static func expand(_ text: String, environment: [String: String]) -> Result<String, MissingVariable> {
        guard text.contains("${") else { return .success(text) }
        var output = ""
        var rest = Substring(text)
        while let start = rest.range(of: "${") {
            if start.lowerBound > rest.startIndex, rest[rest.index(before: start.lowerBound)] == "$" {
                output += rest[..<rest.index(before: start.lowerBound)] + "${"
                rest = rest[start.upperBound...]
                continue
            }
            guard let end = rest[start.upperBound...].firstIndex(of: "}") else { break }
            output += rest[..<start.lowerBound]
            let body = rest[start.upperBound..<end]
            let parts = body.components(separatedBy: ":-")
            let name = parts[0]
            if let value = environment[name], !(parts.count > 1 && value.isEmpty) {
                output += value
            } else if parts.count > 1 {
                output += parts.dropFirst().joined(separator: ":-")
            } else {
                return .failure(MissingVariable(name: name))
            }
            rest = rest[rest.index(after: end)...]
        }
        output += rest
        return .success(output)
    }
}
