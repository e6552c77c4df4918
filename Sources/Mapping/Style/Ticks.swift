import Foundation

/// Round tick values for legends (1, 2 or 5 x 10^k apart).
public enum Ticks {
    /// A round step near span / target (1, 2 or 5 x 10^k).
    public static func niceStep(span: Double, target: Int) -> Double {
        precondition(target > 0, "Ticks.niceStep: target \(target) must be positive")
        guard span > 0, span.isFinite else { return 1 }
        let raw = span / Double(target)
        let power = pow(10, floor(log10(raw)))
        let fraction = raw / power
        // Heckbert's "nice numbers", rounding to the nearest of 1, 2, 5 and 10.
        let nice: Double = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10
        return nice * power
    }

    /// Round values inside `range` about `target` intervals apart, with the step used.
    public static func values(in range: ValueRange, target: Int = 5) -> (values: [Double], step: Double) {
        let step = niceStep(span: range.max - range.min, target: target)
        let first = Int((range.min / step - 1e-9).rounded(.up))
        let last = Int((range.max / step + 1e-9).rounded(.down))
        let values = first > last ? [] : (first...last).map { k -> Double in k == 0 ? 0 : Double(k) * step }
        return (values, step)
    }
}
