import Foundation

/// JSON text written by hand (where the bytes must be fixed: file headers, manifests).
public enum JSONText {
    private static let replacements: [Unicode.Scalar: String] = [
        "\"": "\\\"", "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"
    ]

    /// `text` as a JSON string literal, quotes included: `"` and `\` escaped, newline, return and
    /// tab as `\n`, `\r`, `\t`, other control characters as `\u00XX`; everything else (including
    /// `/` and non-ASCII) as is, in UTF-8.
    public static func quoted(_ text: String) -> String {
        "\"" + ScalarEscaping.escape(text, replacements, control: { String(format: "\\u%04x", $0.value) }) + "\""
    }
}
