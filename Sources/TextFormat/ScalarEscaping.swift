/// The loop behind every escaper here: each Unicode scalar replaced from a table, control
/// characters (below U+0020) not in the table handed to `control`, everything else kept.
enum ScalarEscaping {
    static func escape(
        _ text: String, _ replacements: [Unicode.Scalar: String],
        control: (Unicode.Scalar) -> String
    ) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            if let replacement = replacements[scalar] {
                out += replacement
            } else if scalar.value < 0x20 {
                out += control(scalar)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
