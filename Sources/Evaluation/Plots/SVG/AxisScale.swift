import Foundation
import TextFormat

/// One axis: its data range and tick positions, with labels of a fitting number of decimals.
struct AxisScale {
    /// The data value at the start of the axis.
    let lower: Double
    /// The data value at the end of the axis.
    let upper: Double
    /// Tick positions in data units, inside lower...upper.
    let ticks: [Double]
    /// Decimals shown in tick labels.
    let decimals: Int

    /// An axis over lower...upper with explicit ticks.
    init(lower: Double, upper: Double, ticks: [Double], decimals: Int) {
        precondition(upper > lower, "AxisScale: upper (\(upper)) must exceed lower (\(lower))")
        self.lower = lower
        self.upper = upper
        self.ticks = ticks
        self.decimals = decimals
    }

    /// A "nice" axis covering min...max: steps of 1, 2 or 5 times a power of ten, ends on ticks.
    ///
    /// `includeZero` extends the range to 0; a degenerate or non-finite range is widened.
    static func nice(min lo: Double, max hi: Double, targetTicks: Int = 5, includeZero: Bool = false) -> AxisScale {
        var a = lo.isFinite ? lo : 0
        var b = hi.isFinite ? hi : 1
        if a > b { swap(&a, &b) }
        if includeZero {
            a = Swift.min(a, 0)
            b = Swift.max(b, 0)
        }
        if b - a <= Swift.max(abs(a), abs(b)) * 1e-12 {
            let pad = a == 0 ? 1 : abs(a) * 0.1
            a -= pad
            b += pad
        }
        let step = niceStep((b - a) / Double(Swift.max(1, targetTicks - 1)))
        let lower = (a / step).rounded(.down) * step
        let upper = (b / step).rounded(.up) * step
        var ticks: [Double] = []
        var k = 0
        while true {
            let t = lower + Double(k) * step
            if t > upper + step * 1e-9 { break }
            ticks.append(abs(t) < step * 1e-9 ? 0 : t)
            k += 1
        }
        let decimals = Swift.max(0, -Int(log10(step).rounded(.down)))
        return AxisScale(lower: lower, upper: upper, ticks: ticks, decimals: decimals)
    }

    /// An axis for integer categories (e.g. F = 0...6), padded by half a step at each end.
    static func integers(_ values: [Int]) -> AxisScale {
        let lo = values.min() ?? 0
        let hi = values.max() ?? 1
        return AxisScale(
            lower: Double(lo) - 0.5, upper: Double(hi) + 0.5,
            ticks: (lo...hi).map(Double.init), decimals: 0)
    }

    /// The smallest 1, 2 or 5 times a power of ten that is at least `raw`.
    private static func niceStep(_ raw: Double) -> Double {
        let power = pow(10, log10(raw).rounded(.down))
        let fraction = raw / power
        let nice: Double = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10
        return nice * power
    }

    /// The label of a tick value.
    func label(_ value: Double) -> String {
        NumberText.fixed(value, decimals, nonFinite: "–")
    }

    /// The fraction (0 at lower, 1 at upper) of `value` along the axis.
    func fraction(_ value: Double) -> Double {
        (value - lower) / (upper - lower)
    }
}
