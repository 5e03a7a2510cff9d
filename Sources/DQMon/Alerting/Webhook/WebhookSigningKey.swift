import Foundation

/// The HMAC-SHA256 key a webhook `secret:` stands for.
///
/// Standard Webhooks (standardwebhooks.com, "Signature scheme") hands senders secrets written `whsec_` + base64 of
/// the key bytes; its libraries base64-decode what follows the prefix and sign with those bytes. dqmon does the same,
/// so any receiver built on the spec verifies dqmon's signatures with the secret it generated. A secret without
/// the prefix keeps its UTF-8 bytes as the key (dqmon's behaviour before `whsec_` support); such a receiver verifies
/// with the library given base64 of the secret's text.
///
/// The part after `whsec_` must be standard base64 (`A–Z a–z 0–9 + /`), padded with `=` or not, and decode to at
/// least one byte. Anything else is refused rather than decoded leniently: a lenient decoder that skips a stray
/// character signs with a different key than the receiver holds, and every delivery would be rejected far away.
/// Errors never carry the secret or a piece of it, only positions and character classes.
public enum WebhookSigningKey {
    public static let standardPrefix = "whsec_"

    /// Why a `whsec_` secret cannot be decoded.
    public enum Problem: Error, Equatable, Sendable {
        /// Nothing after `whsec_` (or nothing but padding).
        case empty
        /// A character outside the base64 alphabet, `position` counted from 1 after `whsec_`.
        case notBase64(position: Int, kind: String)
        /// `=` before the end, more than two of them, or a padded length that is not a multiple of 4.
        case badPadding
        /// A length of 4n+1 characters, which no byte string encodes to: a character is missing or extra.
        case impossibleLength

        /// The one-line config error, with the fix.
        public var message: String {
            let why: String
            switch self {
            case .empty: why = "has nothing after 'whsec_'"
            case .notBase64(let position, let kind): why = "is not base64: character \(position) after 'whsec_' is \(kind)"
            case .badPadding: why = "is not base64: '=' padding may only end it, at most twice, making the length a multiple of 4"
            case .impossibleLength: why = "is not base64: its length after 'whsec_' is one more than a multiple of 4, so a character is missing or extra"
            }
            return "'secret' starts with 'whsec_' but \(why); paste the secret exactly as the receiver generated it "
                + "('whsec_' followed by standard base64, e.g. whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw), "
                + "or use a secret without the 'whsec_' prefix to sign with its text"
        }
    }

    /// True when `secret` is in the Standard Webhooks form and is signed with its decoded bytes.
    public static func isStandard(_ secret: String) -> Bool { secret.hasPrefix(standardPrefix) }

    /// The key bytes: base64-decoded after `whsec_`, else the secret's UTF-8 bytes.
    public static func key(for secret: String) -> Result<[UInt8], Problem> {
        guard isStandard(secret) else { return .success(Array(secret.utf8)) }
        return decodeBase64(Substring(secret).dropFirst(standardPrefix.count))
    }

    /// Strict standard base64 (RFC 4648 section 4), `=` padding optional; non-zero bits left over in the last
    /// character are ignored, as the reference libraries do.
    public static func decodeBase64(_ text: Substring) -> Result<[UInt8], Problem> {
        let characters = Array(text.unicodeScalars)
        let padding = characters.reversed().prefix { $0 == "=" }.count
        let data = characters.dropLast(padding)
        var sextets: [UInt8] = []
        sextets.reserveCapacity(data.count)
        for (offset, character) in data.enumerated() {
            guard let value = sextet(character) else {
                return .failure(character == "=" ? .badPadding : .notBase64(position: offset + 1, kind: describe(character)))
            }
            sextets.append(value)
        }
        if padding > 2 || (padding > 0 && characters.count % 4 != 0) { return .failure(.badPadding) }
        if sextets.count % 4 == 1 { return .failure(.impossibleLength) }
        if sextets.isEmpty { return .failure(.empty) }
        return .success(bytes(from: sextets))
    }

    static func bytes(from sextets: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(sextets.count * 3 / 4)
        var buffer: UInt32 = 0
        var bits = 0
        for value in sextets {
            buffer = (buffer << 6 | UInt32(value)) & 0xFFFF
            bits += 6
            if bits >= 8 {
                bits -= 8
                output.append(UInt8(truncatingIfNeeded: buffer >> UInt32(bits)))
            }
        }
        return output
    }

    static func sextet(_ character: Unicode.Scalar) -> UInt8? {
        switch character.value {
        case 0x41...0x5A: return UInt8(character.value - 0x41)          // A-Z
        case 0x61...0x7A: return UInt8(character.value - 0x61 + 26)     // a-z
        case 0x30...0x39: return UInt8(character.value - 0x30 + 52)     // 0-9
        case 0x2B: return 62                                              // +
        case 0x2F: return 63                                              // /
        default: return nil
        }
    }

    /// A character class, never the character itself (it is part of a secret).
    static func describe(_ character: Unicode.Scalar) -> String {
        switch character {
        case "-", "_": return "'-' or '_' (URL-safe base64; the standard form uses '+' and '/')"
        case " ", "\t": return "a space or tab"
        case "\n", "\r": return "a line break"
        default:
            if !character.isASCII { return "not ASCII" }
            if character.value < 0x20 || character.value == 0x7F { return "a control character" }
            return "punctuation outside the base64 alphabet"
        }
    }
}
