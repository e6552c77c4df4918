import Foundation

/// A horizon's depths and value, the input of `fitEqualAreaSpline`.
public struct HorizonValue: Sendable, Equatable, Hashable {
    /// Upper depth, cm.
    public var top: Double
    /// Lower depth, cm.
    public var bottom: Double
    /// The measured value.
    public var value: Double

    /// Makes a horizon value.
    public init(top: Double, bottom: Double, value: Double) {
        self.top = top
        self.bottom = bottom
        self.value = value
    }
}

/// Settings of the equal-area spline and of harmonisation; defaults are mpspline2's.
public struct SplineOptions: Sendable, Equatable {
    /// Smoothing parameter λ (mpspline2's `lam`): 0 reproduces the horizon values, larger is smoother.
    public var lambda: Double
    /// Lower limit of fitted values (mpspline2's `vlow`).
    public var minValue: Double
    /// Upper limit of fitted values (mpspline2's `vhigh`).
    public var maxValue: Double
    /// Depth slivers thinner than this (cm) are ignored: overlaps this thin are repaired, and an interval
    /// covered by less than this is missing. Absorbs float32 noise such as 10.0000001490116.
    public var depthTolerance: Double

    /// Makes options; `lambda` >= 0, `minValue` <= `maxValue`.
    public init(lambda: Double = 0.1, minValue: Double = 0, maxValue: Double = 1000, depthTolerance: Double = 0.001) {
        precondition(lambda >= 0 && lambda.isFinite, "SplineOptions: lambda must be finite and >= 0 (got \(lambda))")
        precondition(
            minValue <= maxValue, "SplineOptions: minValue (\(minValue)) must not exceed maxValue (\(maxValue))")
        precondition(depthTolerance >= 0, "SplineOptions: depthTolerance must be >= 0")
        self.lambda = lambda
        self.minValue = minValue
        self.maxValue = maxValue
        self.depthTolerance = depthTolerance
    }
}

/// A fitted mass-preserving (equal-area) quadratic spline over one profile.
///
/// Within horizon i the curve is αᵢ + b0ᵢ·t + γᵢ·t² (t = depth − topᵢ); in a gap between horizons it is
/// the straight line mpspline2 uses. Above the first top and below the last bottom it is undefined (nil).
/// `value` and `mean` clamp the curve pointwise to [minValue, maxValue] before averaging, as mpspline2
/// clamps its 1-cm estimates; the `unclamped…` variants give the raw curve, whose mean over each
/// horizon is exactly `fittedHorizonMeans`.
public struct SplineFit: Sendable {
    /// The input horizons, sorted by top.
    public let horizons: [HorizonValue]
    /// The smoothed horizon values s̄ (mean of the unclamped curve over each horizon).
    public let fittedHorizonMeans: [Double]
    /// The curve's slope at each inner boundary (mpspline2's b; n − 1 values).
    public let boundarySlopes: [Double]
    /// The options the fit was made with.
    public let options: SplineOptions
    let pieces: [QuadraticPiece]

    /// The top of the first horizon.
    public var top: Double { horizons[0].top }
    /// The bottom of the deepest horizon.
    public var bottom: Double { horizons[horizons.count - 1].bottom }

    /// The clamped curve at depth d, or nil outside [top, bottom].
    public func value(atDepth d: Double) -> Double? {
        unclampedValue(atDepth: d).map { min(max($0, options.minValue), options.maxValue) }
    }

    /// The raw curve at depth d, or nil outside [top, bottom].
    public func unclampedValue(atDepth d: Double) -> Double? {
        guard d >= top, d <= bottom else { return nil }
        return pieces[pieceIndex(d)].value(at: d)
    }

    /// The part of [from, to] inside the profile, or nil when thinner than `options.depthTolerance`.
    public func coveredRange(from: Double, to: Double) -> (top: Double, bottom: Double)? {
        let u = max(from, top)
        let v = min(to, bottom)
        guard v - u > options.depthTolerance || (options.depthTolerance == 0 && v > u) else { return nil }
        return (u, v)
    }

    /// Mean of the clamped curve over the part of `interval` the profile covers; nil if it covers none.
    public func mean(over interval: DepthInterval) -> Double? { mean(from: interval.top, to: interval.bottom) }

    /// Mean of the clamped curve over the covered part of [from, to]; nil if none is covered.
    public func mean(from: Double, to: Double) -> Double? {
        guard let (u, v) = coveredRange(from: from, to: to) else { return nil }
        let lo = options.minValue
        let hi = options.maxValue
        let total = integrate(u, v) { $0.clampedIntegral(from: $1, to: $2, lo: lo, hi: hi) }
        return min(max(total / (v - u), lo), hi)
    }

    /// Mean of the raw curve over the covered part of [from, to]; nil if none is covered.
    public func unclampedMean(from: Double, to: Double) -> Double? {
        guard let (u, v) = coveredRange(from: from, to: to) else { return nil }
        return integrate(u, v) { $0.integral(from: $1, to: $2) } / (v - u)
    }

    private func integrate(_ u: Double, _ v: Double, _ part: (QuadraticPiece, Double, Double) -> Double) -> Double {
        var total = 0.0
        for p in pieces where p.end > u && p.start < v {
            total += part(p, max(p.start, u), min(p.end, v))
        }
        return total
    }

    private func pieceIndex(_ d: Double) -> Int {
        var lo = 0
        var hi = pieces.count - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            if d > pieces[mid].end { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}

/// Fits the equal-area quadratic smoothing spline of Bishop, McBratney & Laslett (1999, Geoderma 89:185-208)
/// as mpspline2's `mpspline_est1` does, to horizons given in any order (sorted here by top).
///
/// With n horizons of thickness thᵢ and gaps gᵢ between them, R is the (n−1)×(n−1) tridiagonal matrix with
/// Rᵢᵢ = 2(thᵢ + thᵢ₊₁) + 6gᵢ and Rᵢ,ᵢ₊₁ = thᵢ₊₁,
/// Q the (n−1)×n difference matrix; mpspline2 solves
/// s̄ = (I + 6nλ QᵀR⁻¹Q)⁻¹ y and b = 6R⁻¹Q s̄. Here the same solution comes from the tridiagonal system
/// (R + 6nλ QQᵀ) b = 6Qy, then s̄ = y − nλ Qᵀb, without inverting R. One horizon gives a constant.
public func fitEqualAreaSpline(_ horizons: [HorizonValue], options: SplineOptions = SplineOptions()) -> SplineFit {
    precondition(!horizons.isEmpty, "fitEqualAreaSpline: needs at least one horizon")
    let h = horizons.sorted { ($0.top, $0.bottom) < ($1.top, $1.bottom) }
    for (k, x) in h.enumerated() {
        precondition(
            x.top.isFinite && x.bottom.isFinite && x.value.isFinite,
            "fitEqualAreaSpline: horizon \(k) has a non-finite depth or value")
        precondition(x.top < x.bottom, "fitEqualAreaSpline: horizon \(x.top)-\(x.bottom) has top >= bottom")
        if k > 0 {
            precondition(
                x.top >= h[k - 1].bottom,
                "fitEqualAreaSpline: horizons \(h[k - 1].top)-\(h[k - 1].bottom) and \(x.top)-\(x.bottom) overlap; "
                    + "remove overlaps first (harmonise does)")
        }
    }
    let n = h.count
    if n == 1 {
        let piece = QuadraticPiece(start: h[0].top, end: h[0].bottom, a: h[0].value, b: 0, c: 0)
        return SplineFit(
            horizons: h, fittedHorizonMeans: [h[0].value], boundarySlopes: [],
            options: options, pieces: [piece])
    }
    let m = n - 1
    let th = h.map { $0.bottom - $0.top }
    let y = h.map(\.value)
    let nl = Double(n) * options.lambda

    // (R + 6nλ QQᵀ) b = 6 Q y, symmetric positive definite and tridiagonal: Thomas algorithm.
    var diag = [Double](repeating: 0, count: m)
    var off = [Double](repeating: 0, count: max(m - 1, 0))  // A[i, i+1] = A[i+1, i]
    var rhs = [Double](repeating: 0, count: m)
    for i in 0..<m {
        let gap = h[i + 1].top - h[i].bottom
        diag[i] = 2 * (th[i] + th[i + 1]) + 6 * gap + 12 * nl
        rhs[i] = 6 * (y[i + 1] - y[i])
        if i < m - 1 { off[i] = th[i + 1] - 6 * nl }
    }
    var b = [Double](repeating: 0, count: m)
    var cPrime = [Double](repeating: 0, count: m)
    var denom = diag[0]
    b[0] = rhs[0] / denom
    if m > 1 {
        for i in 1..<m {
            cPrime[i - 1] = off[i - 1] / denom
            denom = diag[i] - off[i - 1] * cPrime[i - 1]
            b[i] = (rhs[i] - off[i - 1] * b[i - 1]) / denom
        }
        for i in stride(from: m - 2, through: 0, by: -1) { b[i] -= cPrime[i] * b[i + 1] }
    }

    // s̄ = y − nλ Qᵀ b, where (Qᵀb)ⱼ = b[j−1] − b[j] (missing terms are 0).
    var sBar = y
    for j in 0..<n {
        let before = j > 0 ? b[j - 1] : 0
        let after = j < m ? b[j] : 0
        sBar[j] = y[j] - nl * (before - after)
    }

    // Horizon i: α + b0·t + γ·t², b0/b1 the slopes at its top/bottom (0 at the profile's ends);
    // gaps: mpspline2's straight line with the slope b1 of the horizon above, reaching α of the one below.
    var alfa = [Double](repeating: 0, count: n)
    var gamma = [Double](repeating: 0, count: n)
    for i in 0..<n {
        let b0 = i > 0 ? b[i - 1] : 0
        let b1 = i < m ? b[i] : 0
        gamma[i] = (b1 - b0) / (2 * th[i])
        alfa[i] = sBar[i] - b0 * th[i] / 2 - gamma[i] * th[i] * th[i] / 3
    }
    var pieces: [QuadraticPiece] = []
    pieces.reserveCapacity(2 * n)
    for i in 0..<n {
        pieces.append(
            QuadraticPiece(start: h[i].top, end: h[i].bottom, a: alfa[i], b: i > 0 ? b[i - 1] : 0, c: gamma[i]))
        if i < m, h[i + 1].top > h[i].bottom {
            let gap = h[i + 1].top - h[i].bottom
            pieces.append(
                QuadraticPiece(
                    start: h[i].bottom, end: h[i + 1].top,
                    a: alfa[i + 1] - b[i] * gap, b: b[i], c: 0))
        }
    }
    return SplineFit(horizons: h, fittedHorizonMeans: sBar, boundarySlopes: b, options: options, pieces: pieces)
}
