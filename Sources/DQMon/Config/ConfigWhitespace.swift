import Foundation

extension String {
    /// `trimmingCharacters(in: .whitespaces)` (spaces, tabs and the other Unicode space separators at both ends),
    /// without the Foundation call when neither end is one: config loading trims tens of thousands of values, nearly
    /// all already trimmed, and the bridged call cost ~4% of loading a large project.
    func trimmingConfigWhitespace() -> String {
        guard let first = unicodeScalars.first, let last = unicodeScalars.last else { return self }
        guard Self.mayBeWhitespace(first) || Self.mayBeWhitespace(last) else { return self }
        return trimmingCharacters(in: .whitespaces)
    }

    /// False only for a scalar that is surely not in `CharacterSet.whitespaces` (ASCII other than space and tab).
    private static func mayBeWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        !scalar.isASCII || scalar == " " || scalar == "\t"
    }
}
