/// Escaping for XML (and SVG) attribute values and text.
public enum XMLText {
    private static let replacements: [Unicode.Scalar: String] = [
        "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&apos;", "\n": "&#10;", "\t": "&#9;"
    ]

    /// `&`, `<`, `>`, `"` and `'` as entities, newline and tab as character references (so they
    /// survive in attribute values), other control characters dropped (XML 1.0 cannot hold them).
    public static func escape(_ text: String) -> String {
        ScalarEscaping.escape(text, replacements, control: { _ in "" })
    }
}
