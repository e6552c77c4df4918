/// Escaping for XML (and SVG) attribute values and text.
public enum XMLText {
    /// `&`, `<`, `>`, `"` and `'` as entities, newline and tab as character references (so they
    /// survive in attribute values), other control characters dropped (XML 1.0 cannot hold them).
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\n": out += "&#10;"
            case "\t": out += "&#9;"
            default:
                if scalar.value < 0x20 { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
