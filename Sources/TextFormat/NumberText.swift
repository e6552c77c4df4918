import Foundation

/// Numbers as text for files and labels: locale-free (C's printf rounding of the exact binary
/// value), never "-0", and a caller-chosen text for NaN and infinities instead of a crash.
public enum NumberText {
    /// `x` with exactly `decimals` decimals ("12.50"); `nonFinite` for NaN and infinities.
    public static func fixed(_ x: Double, _ decimals: Int, nonFinite: String = "NA") -> String {
        guard x.isFinite else { return nonFinite }
        let s = String(format: "%.\(max(0, decimals))f", x)
        if s.hasPrefix("-"), s.dropFirst().allSatisfy({ $0 == "0" || $0 == "." }) { return String(s.dropFirst()) }
        return s
    }

    /// `x` with at most `maxDecimals` decimals, trailing zeros and a bare point dropped ("12.5", "3").
    public static func trimmed(_ x: Double, maxDecimals: Int, nonFinite: String = "NA") -> String {
        guard x.isFinite else { return nonFinite }
        var s = fixed(x, maxDecimals)
        if s.contains(".") {
            while s.hasSuffix("0") { s.removeLast() }
            if s.hasSuffix(".") { s.removeLast() }
        }
        return s == "-0" ? "0" : s
    }

    /// Up to `digits` significant digits, trailing zeros dropped, no exponent for magnitudes from
    /// 1e-4 to 1e15 ("12.5", "0.25", "1200"); else C's "%g" with `digits` - 1 of them ("1.2e-05");
    /// "nan", "inf", "-inf".
    public static func significant(_ x: Double, _ digits: Int) -> String {
        guard x.isFinite else { return x.isNaN ? "nan" : (x > 0 ? "inf" : "-inf") }
        if x == 0 { return "0" }
        let magnitude = abs(x)
        if magnitude >= 1e-4 && magnitude < 1e15 {
            let digitsBeforePoint = Int(floor(log10(magnitude))) + 1
            return trimmed(x, maxDecimals: max(0, digits - digitsBeforePoint))
        }
        return String(format: "%.\(max(1, digits) - 1)g", x)
    }
}
