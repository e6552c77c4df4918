import Foundation

/// A function given at increasing knots, linear between them and constant beyond the first and last
/// (it never extrapolates a trend): the residual scale of the scaled conformal interval against the
/// prediction, and the expected error against the dissimilarity index.
public struct PiecewiseLinear: Sendable, Equatable, Codable {
    /// The knots, non-decreasing.
    public let x: [Double]
    /// The value at each knot.
    public let y: [Double]

    /// A function through (`x[i]`, `y[i]`); `x` must be non-decreasing, every value finite, and there must
    /// be at least one knot.
    public init(x: [Double], y: [Double]) {
        precondition(!x.isEmpty && x.count == y.count, "PiecewiseLinear: one value per knot, at least one knot")
        precondition(
            x.allSatisfy(\.isFinite) && y.allSatisfy(\.isFinite) && zip(x, x.dropFirst()).allSatisfy { $0 <= $1 },
            "PiecewiseLinear: finite knots in order and finite values")
        self.x = x
        self.y = y
    }

    /// The value at `t` (NaN for a `t` that is not finite).
    public func callAsFunction(_ t: Double) -> Double {
        guard t.isFinite else { return .nan }
        guard t > x[0] else { return y[0] }
        guard t < x[x.count - 1] else { return y[y.count - 1] }
        var hi = 1
        while x[hi] < t { hi += 1 }
        let lo = hi - 1
        let span = x[hi] - x[lo]
        guard span > 0 else { return y[hi] }
        return y[lo] + (y[hi] - y[lo]) * (t - x[lo]) / span
    }
}

extension PiecewiseLinear {
    /// The index ranges of `count` sorted items cut into `groups` groups of equal count (the first
    /// `count % groups` one larger), fewer when a group would hold fewer than `minimumSize`, at least one
    /// group: the knots of a curve fitted to sorted data.
    public static func equalGroups(count: Int, groups: Int, minimumSize: Int) -> [Range<Int>] {
        precondition(count > 0 && groups > 0 && minimumSize > 0, "PiecewiseLinear.equalGroups: positive sizes")
        let n = max(1, min(groups, count / minimumSize))
        var ranges: [Range<Int>] = []
        var start = 0
        for g in 0..<n {
            let size = count / n + (g < count % n ? 1 : 0)
            ranges.append(start..<(start + size))
            start += size
        }
        return ranges
    }
}
