/// The name of a quantile in file and column names, one rule for maps and tables: "q05" for 0.05,
/// "q95" for 0.95; a fractional percent keeps one decimal with "p" for the point ("q02p5" for 0.025).
public enum QuantileText {
    /// "q05" for 0.05; `p` must lie in (0, 1).
    public static func name(_ p: Double) -> String {
        precondition(p > 0 && p < 1, "QuantileText.name: \(p) must lie in (0, 1)")
        let tenths = Int((p * 1000).rounded())
        let whole = tenths / 10
        let fraction = tenths % 10
        return "q" + (whole < 10 ? "0" : "") + String(whole) + (fraction == 0 ? "" : "p\(fraction)")
    }
}
