import Foundation

/// Ordinary kriging of point values with a fitted variogram model, in a local neighbourhood: each estimate
/// weighs the `neighbours` nearest points (all of them when fewer), as gstat's `krige` with `nmax` does. The
/// nugget is a discontinuity at 0 (γ(0) = 0), so an estimate at a point returns its value with variance 0.
public struct OrdinaryKriging: Sendable {
    /// The points with values.
    public let points: SpatialPoints
    /// Their values (e.g. a model's residuals).
    public let values: [Double]
    /// The variogram the weights come from.
    public let model: VariogramModel
    /// Points an estimate weighs at most (gstat's `nmax`).
    public let neighbours: Int

    /// One estimate: the kriged value and its kriging variance (in the values' unit squared).
    public struct Estimate: Sendable, Equatable {
        /// The kriged value; NaN without points.
        public var value: Double
        /// The ordinary kriging variance; NaN without points.
        public var variance: Double
    }

    /// Kriging of `values` at `points` (finite pairs only) with `model`, weighing at most `neighbours` points.
    public init(points: SpatialPoints, values: [Double], model: VariogramModel, neighbours: Int) {
        precondition(points.count == values.count, "OrdinaryKriging: a value per point")
        precondition(neighbours >= 1, "OrdinaryKriging: at least one neighbour")
        let kept = values.indices.filter { values[$0].isFinite && points.x[$0].isFinite && points.y[$0].isFinite }
        self.points = points.subset(kept)
        self.values = kept.map { values[$0] }
        self.model = model
        self.neighbours = neighbours
    }

    /// γ(h) with the nugget as a discontinuity at 0.
    func gamma(_ h: Double) -> Double { h > 0 ? model.gamma(h) : 0 }

    /// The estimates at `targets` (in the points' CRS and metric). Targets are searched for neighbours among
    /// the points near their bounding box only (the triangle inequality bounds which points can be a target's
    /// nearest), and targets with the same neighbours share one factorisation of the kriging system.
    public func estimate(at targets: SpatialPoints) -> [Estimate] {
        let n = points.count
        guard n > 0 else { return [Estimate](repeating: Estimate(value: .nan, variance: .nan), count: targets.count) }
        let k = min(neighbours, n)
        let candidates = candidatePoints(for: targets, k: k)
        let sub = points.subset(candidates)
        var cache: [[Int]: Factorised] = [:]
        var out: [Estimate] = []
        out.reserveCapacity(targets.count)
        var distances = [Double](repeating: 0, count: candidates.count)
        for t in 0..<targets.count {
            for c in candidates.indices { distances[c] = targets.distance(t, to: c, of: sub) }
            // The k nearest, ties by point order (as a stable sort gives).
            let order = candidates.indices.sorted {
                distances[$0] < distances[$1] || (distances[$0] == distances[$1] && candidates[$0] < candidates[$1])
            }
            let picked = order.prefix(k).sorted { candidates[$0] < candidates[$1] }
            let chosen = picked.map { candidates[$0] }
            let nearest = picked.map { distances[$0] }
            let system: Factorised
            if let cached = cache[chosen] {
                system = cached
            } else {
                system = factorise(chosen)
                cache[chosen] = system
            }
            out.append(system.solve(gammaToTarget: nearest.map(gamma), values: chosen.map { values[$0] }))
        }
        return out
    }

    /// The points that can be among the k nearest of any target: those within the k-th nearest distance of
    /// the targets' centre plus the largest distance of a target from that centre.
    func candidatePoints(for targets: SpatialPoints, k: Int) -> [Int] {
        let n = points.count
        guard targets.count > 1, n > k else { return Array(0..<n) }
        let centre = SpatialPoints(
            x: [targets.x.reduce(0, +) / Double(targets.count)], y: [targets.y.reduce(0, +) / Double(targets.count)],
            metric: targets.metric)
        let toCentre = (0..<n).map { centre.distance(0, to: $0, of: points) }
        let kth = toCentre.sorted()[k - 1]
        let spread = (0..<targets.count).map { targets.distance($0, to: 0, of: centre) }.max() ?? 0
        let bound = kth + 2 * spread
        return (0..<n).filter { toCentre[$0] <= bound }
    }

    /// The ordinary kriging system of the points `chosen`, LU-factorised with partial pivoting.
    func factorise(_ chosen: [Int]) -> Factorised {
        let m = chosen.count + 1
        var a = [Double](repeating: 0, count: m * m)
        let sub = points.subset(chosen)
        for i in 0..<chosen.count {
            for j in 0..<chosen.count where j > i {
                let g = gamma(sub.distance(i, to: j, of: sub))
                a[i * m + j] = g
                a[j * m + i] = g
            }
            a[i * m + chosen.count] = 1
            a[chosen.count * m + i] = 1
        }
        return Factorised(a: a, m: m)
    }

    /// An LU factorisation of the (m × m) kriging system [Γ 1; 1ᵀ 0].
    struct Factorised {
        var lu: [Double]
        var pivots: [Int]
        let m: Int
        /// Whether the system could be factorised (distinct points); a singular one gives NaN estimates.
        var regular = true

        init(a: [Double], m: Int) {
            self.m = m
            lu = a
            pivots = Array(0..<m)
            for col in 0..<m {
                var p = col
                for r in (col + 1)..<max(col + 1, m) where abs(lu[r * m + col]) > abs(lu[p * m + col]) { p = r }
                guard lu[p * m + col] != 0 else {
                    regular = false
                    return
                }
                if p != col {
                    for c in 0..<m { lu.swapAt(p * m + c, col * m + c) }
                    pivots.swapAt(p, col)
                }
                let d = lu[col * m + col]
                for r in (col + 1)..<max(col + 1, m) {
                    let f = lu[r * m + col] / d
                    lu[r * m + col] = f
                    if f != 0 { for c in (col + 1)..<m { lu[r * m + c] -= f * lu[col * m + c] } }
                }
            }
        }

        /// The estimate for right-hand side [γ(x_i, x₀); 1]: Σ λ_i z_i and Σ λ_i γ_i0 + μ.
        func solve(gammaToTarget g: [Double], values z: [Double]) -> Estimate {
            guard regular else { return Estimate(value: .nan, variance: .nan) }
            let rhs = g + [1]
            var y = pivots.map { rhs[$0] }
            for r in 0..<m { for c in 0..<r { y[r] -= lu[r * m + c] * y[c] } }
            for r in stride(from: m - 1, through: 0, by: -1) {
                for c in (r + 1)..<m { y[r] -= lu[r * m + c] * y[c] }
                y[r] /= lu[r * m + r]
            }
            var value = 0.0
            var variance = y[m - 1]
            for i in 0..<(m - 1) {
                value += y[i] * z[i]
                variance += y[i] * g[i]
            }
            return Estimate(value: value, variance: max(variance, 0))
        }
    }
}
