import Foundation

/// Numbers as text for files and labels: locale-free (C's printf rounding of the exact binary
/// value), never "-0", and a caller-chosen text for NaN and infinities instead of a crash.
public enum NumberText {
    /// How `fixed` rounds to its last decimal.
    public enum Rounding: Sendable {
        /// C's printf: the exact binary value correctly rounded, exact halves to even (0.125 -> "0.12").
        case correctly
        /// `x` times 10^decimals rounded as a Double, halves away from zero (0.125 -> "0.13"): how
        /// the committed sample data was written.
        case halfAwayFromZero
    }

    /// `x` with exactly `decimals` decimals ("12.50"); `nonFinite` for NaN and infinities.
    public static func fixed(
        _ x: Double, _ decimals: Int, nonFinite: String = "NA", rounding: Rounding = .correctly
    ) -> String {
        guard x.isFinite else { return nonFinite }
        let decimals = max(0, decimals)
        if rounding == .halfAwayFromZero, decimals <= 18, let text = scaledHalfAwayFromZero(x, decimals) { return text }
        let s = String(format: "%.\(decimals)f", x)
        if s.hasPrefix("-"), s.dropFirst().allSatisfy({ $0 == "0" || $0 == "." }) { return String(s.dropFirst()) }
        return s
    }

    /// `x` × 10^decimals rounded half away from zero as an integer, printed with the point put
    /// back; nil when that integer does not fit 63 bits.
    private static func scaledHalfAwayFromZero(_ x: Double, _ decimals: Int) -> String? {
        var scale: Int64 = 1
        for _ in 0..<decimals { scale *= 10 }
        let product = (x * Double(scale)).rounded(.toNearestOrAwayFromZero)
        guard abs(product) < 0x1p63 else { return nil }
        let scaled = Int64(product)
        if scaled == 0 { return decimals == 0 ? "0" : "0." + String(repeating: "0", count: decimals) }
        let magnitude = scaled.magnitude
        let whole = magnitude / UInt64(scale)
        let fraction = magnitude % UInt64(scale)
        var text = (scaled < 0 ? "-" : "") + String(whole)
        if decimals > 0 {
            let digits = String(fraction)
            text += "." + String(repeating: "0", count: decimals - digits.count) + digits
        }
        return text
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

    /// A compact number for reports and messages: integers plain, others to four significant
    /// digits, "-" when not finite.
    public static func compact(_ v: Double) -> String {
        guard v.isFinite else { return "-" }
        if v == v.rounded() && abs(v) < 1e12 { return String(Int(v)) }
        if abs(v) >= 1000 { return String(format: "%.1f", v) }
        return String(format: "%.4g", v)
    }
}
