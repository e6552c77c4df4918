// Small synthetic data sets for the forest tests, from a seeded generator.
import Forest
import Foundation
import Randomness

/// Test draws on top of `Randomness.SplitMix64` (tests never use the system generator).
extension SplitMix64 {
    /// Uniform in [0, 1).
    mutating func unit() -> Float { nextUnitFloat() }

    /// Standard normal (Box-Muller).
    mutating func normal() -> Float { Float(nextGaussian()) }
}

/// A regression data set: row-major `x` (n x p) and targets `y`.
struct Dataset {
    var x: [Float]
    var y: [Float]
    var n: Int
    var p: Int

    /// Row `i`'s values.
    func row(_ i: Int) -> [Float] { Array(x[(i * p)..<((i + 1) * p)]) }

    /// y = x0 + 2 sin(6 x1) + noise * N(0, 1), x uniform in [0, 1), with `p - 2` irrelevant features.
    static func smooth(n: Int, p: Int = 5, noise: Float = 0.1, seed: UInt64) -> Dataset {
        var rng = SplitMix64(seed: seed)
        var x = [Float](repeating: 0, count: n * p)
        var y = [Float](repeating: 0, count: n)
        for i in 0..<n {
            for f in 0..<p { x[i * p + f] = rng.unit() }
            y[i] = x[i * p] + 2 * sin(6 * x[i * p + 1]) + noise * rng.normal()
        }
        return Dataset(x: x, y: y, n: n, p: p)
    }
}

/// R2 = 1 - SSres / SStot of predictions against targets.
func rSquared(_ predictions: [Float], _ targets: [Float]) -> Double {
    let mean = targets.reduce(0.0) { $0 + Double($1) } / Double(targets.count)
    var residual = 0.0
    var total = 0.0
    for (p, t) in zip(predictions, targets) {
        residual += (Double(p) - Double(t)) * (Double(p) - Double(t))
        total += (Double(t) - mean) * (Double(t) - mean)
    }
    return 1 - residual / total
}

/// Mean squared error of predictions against targets.
func meanSquaredError(_ predictions: [Float], _ targets: [Float]) -> Double {
    zip(predictions, targets).reduce(0.0) { $0 + (Double($1.0) - Double($1.1)) * (Double($1.0) - Double($1.1)) }
        / Double(targets.count)
}
