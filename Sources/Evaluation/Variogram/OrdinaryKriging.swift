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
    /// The points' k-d tree.
    let index: PointIndex

    /// One estimate: the kriged value and its kriging variance (in the values' unit squared).
    public struct Estimate: Sendable, Equatable {
        /// The kriged value; NaN without points.
        public var value: Double
        /// The ordinary kriging variance; NaN without points.
        public var variance: Double
    }

    /// Points given at the location of an earlier one, whose values were averaged into it (two points at one
    /// place make the kriging system singular: gstat stops there).
    public let coincident: Int

    /// Kriging of `values` at `points` (finite pairs only) with `model`, weighing at most `neighbours` points.
    /// Points at the same coordinates become one, at the first one's place in the order, with their mean value
    /// (`coincident` counts the others).
    public init(points: SpatialPoints, values: [Double], model: VariogramModel, neighbours: Int) {
        precondition(points.count == values.count, "OrdinaryKriging: a value per point")
        precondition(neighbours >= 1, "OrdinaryKriging: at least one neighbour")
        let kept = values.indices.filter { values[$0].isFinite && points.x[$0].isFinite && points.y[$0].isFinite }
        var first: [[UInt64]: Int] = [:]
        var unique: [Int] = []
        var sums: [Double] = []
        var counts: [Int] = []
        for i in kept {
            let key = [points.x[i].bitPattern, points.y[i].bitPattern]
            if let u = first[key] {
                sums[u] += values[i]
                counts[u] += 1
            } else {
                first[key] = unique.count
                unique.append(i)
                sums.append(values[i])
                counts.append(1)
            }
        }
        self.points = points.subset(unique)
        self.values = zip(sums, counts).map { $0 / Double($1) }
        coincident = kept.count - unique.count
        index = PointIndex(self.points)
        self.model = model
        self.neighbours = neighbours
    }

    /// γ(h) with the nugget as a discontinuity at 0.
    func gamma(_ h: Double) -> Double { h > 0 ? model.gamma(h) : 0 }

    /// The estimates at `targets` (in the points' CRS and metric); `variances: false` leaves each variance NaN and
    /// costs a dot product per target instead of a solve. Targets are grouped into small blocks; a block's
    /// candidates are the points within the k-th nearest distance of its centre plus twice its radius (by the
    /// triangle inequality no target of the block has a nearer neighbour outside), found in a k-d tree. Targets
    /// with the same neighbours share one factorisation of the kriging system and its weights for the values
    /// (dual kriging: the estimate is γ₀ᵀ·w, w = A⁻¹[z; 0] once per neighbour set). The result does not depend
    /// on the blocking: each target's neighbours are exactly its k nearest (ties by point order).
    public func estimate(at targets: SpatialPoints, variances: Bool = true) -> [Estimate] {
        precondition(targets.metric == points.metric, "OrdinaryKriging: targets and points of two metrics")
        let n = points.count
        let none = Estimate(value: .nan, variance: .nan)
        guard n > 0 else { return [Estimate](repeating: none, count: targets.count) }
        let k = min(neighbours, n)
        let t = targets.embedded
        let dim = index.dimension
        var out = [Estimate](repeating: none, count: targets.count)
        var cache: [[Int]: Factorised] = [:]
        var scratch: [(d2: Double, i: Int)] = []
        for block in blocks(t) {
            // The block's centre and radius, and its candidates.
            var centre = [Double](repeating: 0, count: dim)
            for j in block { for d in 0..<dim { centre[d] += t.coordinates[j * dim + d] } }
            for d in 0..<dim { centre[d] /= Double(block.count) }
            var radius2 = 0.0
            for j in block {
                var s = 0.0
                for d in 0..<dim {
                    s += (t.coordinates[j * dim + d] - centre[d]) * (t.coordinates[j * dim + d] - centre[d])
                }
                radius2 = max(radius2, s)
            }
            let kth = index.kthDistance(to: centre, k: k)
            let bound = kth + 2 * radius2.squareRoot()
            let candidates = k == n ? Array(0..<n) : index.within(bound * (1 + 1e-12), of: centre)
            for j in block {
                scratch.removeAll(keepingCapacity: true)
                for c in candidates {
                    var s = 0.0
                    for d in 0..<dim {
                        let e = t.coordinates[j * dim + d] - index.coordinates[c * dim + d]
                        s += e * e
                    }
                    scratch.append((s, c))
                }
                // The k nearest, ties by point order, then in point order.
                if scratch.count > k {
                    Self.selectSmallest(&scratch, k)
                    scratch.removeLast(scratch.count - k)
                }
                scratch.sort { $0.i < $1.i }
                let chosen = scratch.map(\.i)
                let system: Factorised
                if let cached = cache[chosen] {
                    system = cached
                } else {
                    system = factorise(chosen, keepsFactors: variances)
                    cache[chosen] = system
                }
                let g = scratch.map { gamma(points.distance(embedded: $0.d2.squareRoot())) }
                out[j] = system.estimate(gammaToTarget: g, variance: variances)
            }
        }
        return out
    }

    /// The targets grouped into blocks of a regular lattice in the embedded coordinates whose spacing is a
    /// quarter of the k-th nearest distance at the first target (a block's radius small against its
    /// candidates' bound), in the order of their first target.
    func blocks(_ t: SpatialPoints.Embedded) -> [[Int]] {
        let dim = t.dimension
        guard t.count > 1 else { return t.count == 1 ? [[0]] : [] }
        let first = Array(t.point(0))
        let spacing = max(index.kthDistance(to: first, k: min(neighbours, points.count)) / 4, 1e-9)
        var order: [[Int64]: Int] = [:]
        var out: [[Int]] = []
        for j in 0..<t.count {
            let key = (0..<dim).map { Int64((t.coordinates[j * dim + $0] / spacing).rounded(.down)) }
            if let b = order[key] {
                out[b].append(j)
            } else {
                order[key] = out.count
                out.append([j])
            }
        }
        return out
    }

    /// Moves the `k` smallest of `a` (by distance, ties by index) to its front, in no particular order.
    static func selectSmallest(_ a: inout [(d2: Double, i: Int)], _ k: Int) {
        func less(_ x: (d2: Double, i: Int), _ y: (d2: Double, i: Int)) -> Bool {
            x.d2 < y.d2 || (x.d2 == y.d2 && x.i < y.i)
        }
        var (lo, hi) = (0, a.count - 1)
        while lo < hi {
            let pivot = a[(lo + hi) / 2]
            var (i, j) = (lo, hi)
            while i <= j {
                while less(a[i], pivot) { i += 1 }
                while less(pivot, a[j]) { j -= 1 }
                if i <= j {
                    a.swapAt(i, j)
                    i += 1
                    j -= 1
                }
            }
            if k - 1 <= j { hi = j } else if k - 1 >= i { lo = i } else { return }
        }
    }

    /// The ordinary kriging system of the points `chosen`, LU-factorised with partial pivoting, and its weights
    /// for their values.
    func factorise(_ chosen: [Int], keepsFactors: Bool = true) -> Factorised {
        let m = chosen.count + 1
        let dim = index.dimension
        var a = [Double](repeating: 0, count: m * m)
        for i in 0..<chosen.count {
            for j in 0..<chosen.count where j > i {
                var s = 0.0
                for d in 0..<dim {
                    let e = index.coordinates[chosen[i] * dim + d] - index.coordinates[chosen[j] * dim + d]
                    s += e * e
                }
                let g = gamma(points.distance(embedded: s.squareRoot()))
                a[i * m + j] = g
                a[j * m + i] = g
            }
            a[i * m + chosen.count] = 1
            a[chosen.count * m + i] = 1
        }
        return Factorised(a: a, m: m, values: chosen.map { values[$0] }, keepsFactors: keepsFactors)
    }

    /// An LU factorisation of the (m × m) kriging system A = [Γ 1; 1ᵀ 0] and the dual weights A⁻¹[z; 0].
    struct Factorised {
        var lu: [Double]
        var pivots: [Int]
        let m: Int
        /// Whether the system could be factorised (distinct points); a singular one gives NaN estimates.
        var regular = true
        /// A⁻¹[z; 0]: the estimate at a target is [γ₀; 1]ᵀ times these (A is symmetric).
        var dual: [Double] = []

        init(a: [Double], m: Int, values z: [Double], keepsFactors: Bool = true) {
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
            dual = solve(z + [0])
            // Without variances only the dual weights are needed: a map tile's thousands of neighbour sets then
            // keep m numbers each, not m².
            if !keepsFactors { (lu, pivots) = ([], []) }
        }

        /// A⁻¹ b.
        func solve(_ b: [Double]) -> [Double] {
            var y = pivots.map { b[$0] }
            for r in 0..<m { for c in 0..<r { y[r] -= lu[r * m + c] * y[c] } }
            for r in stride(from: m - 1, through: 0, by: -1) {
                for c in (r + 1)..<m { y[r] -= lu[r * m + c] * y[c] }
                y[r] /= lu[r * m + r]
            }
            return y
        }

        /// The estimate for right-hand side [γ(x_i, x₀); 1]: Σ λ_i z_i, and (with `variance`) Σ λ_i γ_i0 + μ.
        func estimate(gammaToTarget g: [Double], variance: Bool) -> Estimate {
            guard regular else { return Estimate(value: .nan, variance: .nan) }
            var value = dual[m - 1]
            for i in 0..<(m - 1) { value += g[i] * dual[i] }
            guard variance else { return Estimate(value: value, variance: .nan) }
            precondition(!lu.isEmpty, "OrdinaryKriging: a variance from a system factorised without its factors")
            let y = solve(g + [1])
            var v = y[m - 1]
            for i in 0..<(m - 1) { v += y[i] * g[i] }
            return Estimate(value: value, variance: max(v, 0))
        }
    }
}
