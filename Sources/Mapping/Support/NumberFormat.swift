import Foundation

/// Short, locale-independent number text for labels and XML ("12.5", "0.25", "1200", "1.2e-05").
enum NumberFormat {
    /// Up to `significant` significant digits, trailing zeros removed, no exponent for ordinary sizes.
    static func short(_ value: Double, significant: Int = 6) -> String {
        guard value.isFinite else { return value.isNaN ? "nan" : (value > 0 ? "inf" : "-inf") }
        if value == 0 { return "0" }
        let magnitude = abs(value)
        if magnitude >= 1e-4 && magnitude < 1e15 {
            let digitsBeforePoint = Int(floor(log10(magnitude))) + 1
            let decimals = max(0, significant - digitsBeforePoint)
            var text = String(format: "%.\(decimals)f", value)
            if text.contains(".") {
                while text.hasSuffix("0") { text.removeLast() }
                if text.hasSuffix(".") { text.removeLast() }
            }
            return text == "-0" ? "0" : text
        }
        return String(format: "%.\(significant - 1)g", value)
    }

    /// A tick label: the value with just enough decimals for `step` (e.g. step 0.5 -> one decimal).
    static func tick(_ value: Double, step: Double) -> String {
        let decimals = step >= 1 ? 0 : min(6, Int(ceil(-log10(step) - 1e-9)))
        var text = String(format: "%.\(decimals)f", value)
        if text.hasPrefix("-"), Double(text) == 0 { text.removeFirst() }
        return text
    }
}
