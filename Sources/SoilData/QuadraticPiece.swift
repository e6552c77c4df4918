import Foundation

/// f(x) = a + b·t + c·t², t = x − start, on [start, end]: one horizon's (or gap's) part of the spline.
struct QuadraticPiece: Sendable, Equatable {
    var start: Double
    var end: Double
    var a: Double
    var b: Double
    var c: Double

    /// The value at depth x (not checked to lie in the piece).
    @inline(__always)
    func value(at x: Double) -> Double {
        let t = x - start
        return a + t * (b + t * c)
    }

    /// ∫ f over [x0, x1] (in local coordinates through the antiderivative).
    func integral(from x0: Double, to x1: Double) -> Double {
        func F(_ t: Double) -> Double { t * (a + t * (b / 2 + t * c / 3)) }
        return F(x1 - start) - F(x0 - start)
    }

    /// ∫ clamp(f, lo, hi) over [x0, x1], exact: splits at the depths where f crosses lo or hi.
    func clampedIntegral(from x0: Double, to x1: Double, lo: Double, hi: Double) -> Double {
        guard x1 > x0 else { return 0 }
        var cuts = [x0, x1]
        for level in [lo, hi] where level.isFinite {
            for r in roots(level: level) where r > x0 && r < x1 { cuts.append(r) }
        }
        cuts.sort()
        var total = 0.0
        for k in 0..<(cuts.count - 1) {
            let u = cuts[k]
            let v = cuts[k + 1]
            guard v > u else { continue }
            let mid = value(at: 0.5 * (u + v))
            if mid < lo {
                total += lo * (v - u)
            } else if mid > hi {
                total += hi * (v - u)
            } else {
                total += integral(from: u, to: v)
            }
        }
        return total
    }

    /// The depths x where f(x) = level (0, 1 or 2 of them), by the numerically stable quadratic formula.
    func roots(level: Double) -> [Double] {
        let a0 = a - level
        let scale = max(abs(a0), abs(b) * (end - start), abs(c) * (end - start) * (end - start), .leastNormalMagnitude)
        if abs(c) * (end - start) * (end - start) <= 1e-14 * scale {
            if b == 0 { return [] }
            return [start - a0 / b]
        }
        let disc = b * b - 4 * c * a0
        if disc < 0 { return [] }
        let sq = disc.squareRoot()
        let q = -0.5 * (b + (b >= 0 ? sq : -sq))
        var ts: [Double] = []
        if q != 0 { ts.append(a0 / q) }
        ts.append(q / c)
        return ts.map { start + $0 }
    }
}
