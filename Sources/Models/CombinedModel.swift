import Foundation
import NeuralNet
import Patches

/// How the `combined` model weighs its members at each depth (`train.combine.weights`).
public enum CombineWeights: String, Codable, Sendable, CaseIterable {
    /// Every member weighs 1/M.
    case equal
    /// Non-negative least squares on held-out predictions, per depth, rescaled to sum to 1 (`Stacking.nnls`);
    /// in cross-validation fitted inside each outer fold on its training sites' inner held-out predictions.
    case nnls
}

/// `train.combine`: the members of the `combined` model and how they are weighed.
public struct CombineSettings: Sendable, Equatable {
    /// The models combined, in the order their predictions are summed (at least two, none `combined`).
    public var members: [ModelKind]
    /// Equal weights, or weights fitted per depth (`nnls`).
    public var weights: CombineWeights
    /// Folds of the inner cross-validation inside each outer fold that `nnls` weights are fitted on.
    public var innerFolds: Int

    /// The settings of a combination of `members`.
    public init(members: [ModelKind], weights: CombineWeights = .equal, innerFolds: Int = 5) {
        self.members = members
        self.weights = weights
        self.innerFolds = innerFolds
    }

    /// Whether the weights need held-out predictions of the members on each outer fold's training sites
    /// (inner folds): `nnls` does, `equal` does not.
    public var needsInnerFolds: Bool { weights == .nnls }
}

/// The model `combined`: trained models of different kinds (e.g. transfer and rf) whose predictions, in
/// property units, are summed with per-depth weights. It trains nothing of its own: its members are the
/// run's models, and only its weights are fitted.
public struct CombinedModel: Sendable {
    /// The members' kinds, in summation order.
    public let kinds: [ModelKind]
    /// The members, in the order of `kinds`.
    public let members: [TrainedModel]
    /// Each depth's weights, one per member, summing to 1.
    public let weights: [[Double]]
    /// How the weights were chosen.
    public let method: CombineWeights

    /// A combination of `members` (of `kinds`) with `weights` per depth.
    public init(kinds: [ModelKind], members: [TrainedModel], weights: [[Double]], method: CombineWeights) {
        precondition(kinds.count == members.count && members.count >= 1, "CombinedModel: a kind per member")
        precondition(weights.allSatisfy { $0.count == members.count }, "CombinedModel: a weight per member and depth")
        self.kinds = kinds
        self.members = members
        self.weights = weights
        self.method = method
    }

    /// The patch edge the combination reads around a cell: the largest of its members'.
    public var patchSize: Int { members.map(\.patchSize).max()! }

    /// Predictions in property units: each depth's weighted sum of the members' predictions.
    public func predict(_ data: PatchDataset, samples: [Int]) -> [Float] {
        let values = members.map { $0.predict(data, samples: samples) }
        return samples.indices.map { i in
            Stacking.combine(values.map { $0[i] }, weights: weights[data.samples[samples[i]].depth])
        }
    }

    /// Dense maps of every depth over a scaled tile: each member maps the same tile (read and scaled once),
    /// a member reading a smaller patch cropped to the combination's cells; then the weighted sum per cell.
    public func denseMaps(tile: Tensor, depths: Int) -> [[Float]] {
        let p = patchSize
        let (h, w) = (tile.shape[1], tile.shape[2])
        let (oh, ow) = (h - p + 1, w - p + 1)
        let maps: [[[Float]]] = members.map { member in
            let all = member.denseMaps(tile: tile, depths: depths)
            let offset = (p - member.patchSize) / 2
            guard offset > 0 else { return all }
            let mw = w - member.patchSize + 1
            return all.map { plane in
                (0..<(oh * ow)).map { k in plane[(k / ow + offset) * mw + k % ow + offset] }
            }
        }
        return (0..<depths).map { d in
            (0..<(oh * ow)).map { k in Stacking.combine(maps.map { $0[d][k] }, weights: weights[d]) }
        }
    }
}

/// The arithmetic of combining members' predictions: the weighted sum and the weights' fit.
public enum Stacking {
    /// Σ w_m · v_m in Double, members in order (so patch-wise and dense values agree bitwise); NaN when a
    /// member with a positive weight has no value.
    public static func combine(_ values: [Float], weights: [Double]) -> Float {
        var sum = 0.0
        for (v, w) in zip(values, weights) where w > 0 {
            guard v.isFinite else { return .nan }
            sum += w * Double(v)
        }
        return Float(sum)
    }

    /// Equal weights for `m` members.
    public static func equal(_ m: Int) -> [Double] { [Double](repeating: 1 / Double(m), count: m) }

    /// Non-negative least squares weights of `x` (member × sample predictions) for `y`, without intercept,
    /// rescaled to sum to 1 (as SuperLearner's NNLS meta-learner): the exact solution over every subset of
    /// members (the unconstrained fit on the subset, kept when every weight is positive; the smallest
    /// residual sum of squares wins, ties to the earlier subset). Nil when there are fewer samples than
    /// members, a value is not finite, or no subset has a positive fit (the caller falls back to equal).
    public static func nnls(_ x: [[Double]], _ y: [Double]) -> [Double]? {
        let m = x.count
        precondition(m >= 1 && m <= 16, "Stacking.nnls: 1 to 16 members")
        guard y.count >= m, x.allSatisfy({ $0.count == y.count }),
            y.allSatisfy(\.isFinite), x.allSatisfy({ $0.allSatisfy(\.isFinite) })
        else { return nil }
        var best: (sse: Double, w: [Double])?
        for mask in 1..<(1 << m) {
            let chosen = (0..<m).filter { mask & (1 << $0) != 0 }
            guard let beta = leastSquares(chosen.map { x[$0] }, y), beta.allSatisfy({ $0 > 0 }) else { continue }
            var w = [Double](repeating: 0, count: m)
            for (j, c) in chosen.enumerated() { w[c] = beta[j] }
            var sse = 0.0
            for i in y.indices {
                var f = 0.0
                for c in chosen { f += w[c] * x[c][i] }
                sse += (y[i] - f) * (y[i] - f)
            }
            if best == nil || sse < best!.sse { best = (sse, w) }
        }
        guard let w = best?.w else { return nil }
        let total = w.reduce(0, +)
        return w.map { $0 / total }
    }

    /// The least-squares coefficients of y on the columns `x` (no intercept), by the normal equations and
    /// Gaussian elimination with partial pivoting; nil when the columns are (near) collinear.
    static func leastSquares(_ x: [[Double]], _ y: [Double]) -> [Double]? {
        let k = x.count
        var a = [[Double]](repeating: [Double](repeating: 0, count: k + 1), count: k)
        for r in 0..<k {
            for c in 0..<k { a[r][c] = zip(x[r], x[c]).reduce(0) { $0 + $1.0 * $1.1 } }
            a[r][k] = zip(x[r], y).reduce(0) { $0 + $1.0 * $1.1 }
        }
        let scale = (0..<k).map { a[$0][$0] }.max() ?? 0
        guard scale > 0 else { return nil }
        for col in 0..<k {
            let pivot = (col..<k).max { abs(a[$0][col]) < abs(a[$1][col]) }!
            guard abs(a[pivot][col]) > 1e-12 * scale else { return nil }
            a.swapAt(col, pivot)
            for r in 0..<k where r != col {
                let f = a[r][col] / a[col][col]
                if f != 0 { for c in col...k { a[r][c] -= f * a[col][c] } }
            }
        }
        return (0..<k).map { a[$0][k] / a[$0][$0] }
    }
}
