import Foundation

/// The folds kNNDM chose (Linnenbrink et al. 2024, Geosci. Model Dev. 17:5897; CAST's `knndm`), with
/// what it matched: the Wasserstein distance W between the ECDF of the cross-validation's
/// nearest-neighbour distances (held-out site to the nearest training site) and that of the prediction
/// points' (prediction point to the nearest site).
public struct KNNDMFolds: Sendable, Equatable {
    /// The fold (0..<k) of each site, in the order the sites were given.
    public var folds: [Int]
    /// W between the CV and the prediction-to-sample NND distributions under `folds`, in distance units.
    public var w: Double
    /// The number of hierarchical clusters merged into the k folds; nil when the folds are random
    /// site folds because the sites are no nearer each other than the prediction points are to them.
    public var clusters: Int?
    /// The one-sided Kolmogorov-Smirnov statistic D+ = max(F_sample-to-sample - F_prediction-to-sample).
    public var ksStatistic: Double
    /// Its asymptotic p-value; at 0.05 or above the sites are taken as not clustered and folds are random.
    public var ksPValue: Double

    /// Whether the folds are random site folds (the kNNDM test found no clustering to correct).
    public var isRandom: Bool { clusters == nil }
}

extension Folds {
    /// The largest share of the sites one kNNDM fold may hold (CAST's `maxp`).
    public static let knndmMaxShare = 0.5
    /// The numbers of clusters kNNDM tries, spaced evenly on a log scale from k to n - 2 (CAST's `nk_len`).
    public static let knndmClusterCounts = 100

    /// kNNDM folds: sites grouped so that the distances from held-out sites to the nearest training site
    /// are distributed like the distances from the prediction points to the nearest site.
    ///
    /// As CAST's `knndm` (geographical space, hierarchical clustering): when a one-sided KS test finds
    /// the sites' nearest-neighbour distances (NND) not smaller than the prediction points' (p >= 0.05),
    /// the folds are random site folds (`grouped`, seeded). Otherwise the sites are clustered once by
    /// Ward's criterion (on the embedded coordinates, see `SpatialPoints`; no random choice), and for
    /// each of up to 100 cluster counts from k to n - 2 the tree is cut, clusters holding at least n/k
    /// sites become folds of their own and the others are dealt round-robin to the remaining folds in
    /// the order of their centroids along the sites' first principal axis; a configuration whose
    /// largest fold holds more than half the sites is skipped. The configuration with the lowest W
    /// wins (the fewest clusters on ties). Sites are processed in id order, so listing order never
    /// matters; the result is the same on any number of threads.
    /// Throws when there are fewer sites than folds, ids repeat, a coordinate is not finite, there are
    /// no prediction points, or no configuration keeps every fold at half the sites or fewer.
    public static func knndm(
        siteIDs: [String], sites: SpatialPoints, prediction: SpatialPoints, k: Int, seed: UInt64
    ) throws -> KNNDMFolds {
        guard siteIDs.count == sites.count else {
            throw EvaluationError(
                .invalidInput, message: "kNNDM needs one location per site: \(siteIDs.count) ids, \(sites.count) points"
            )
        }
        let random = try grouped(siteIDs: siteIDs, k: k, seed: seed)  // checks k, the count and the ids
        for i in 0..<sites.count where !(sites.x[i].isFinite && sites.y[i].isFinite) {
            throw EvaluationError(
                .invalidInput,
                message: "site '\(siteIDs[i])' has no finite coordinates; drop it or fix the sites table")
        }
        let cells = (0..<prediction.count).filter { prediction.x[$0].isFinite && prediction.y[$0].isFinite }
        guard !cells.isEmpty else {
            throw EvaluationError(
                .invalidInput,
                message: """
                    kNNDM needs prediction points and the covariates have data at none of the sampled cells; \
                    check the covariates' nodata or use evaluate.split: sites
                    """
            )
        }
        // Work in id order so that listing order never matters.
        let order = siteIDs.indices.sorted { siteIDs[$0] < siteIDs[$1] }
        let points = sites.subset(order)
        let gij = NearestDistances.between(prediction.subset(cells), points)
        let gj = NearestDistances.withinSet(points)
        let (d, p) = KNNDMStatistics.ksGreater(gj, gij)
        func inGivenOrder(_ foldsInOrder: [Int]) -> [Int] {
            var out = [Int](repeating: 0, count: order.count)
            for (position, site) in order.enumerated() { out[site] = foldsInOrder[position] }
            return out
        }
        if p >= 0.05 {
            let inOrder = order.map { random[$0] }
            let w = KNNDMStatistics.wasserstein(NearestDistances.heldOutToTraining(points, groupOf: inOrder), gij)
            return KNNDMFolds(folds: random, w: w, clusters: nil, ksStatistic: d, ksPValue: p)
        }
        let n = points.count
        let embedded = points.embedded
        let merges = WardTree.merges(embedded)
        let axis = WardTree.firstPrincipalScores(embedded)
        let neighbours = NeighbourLists(embedded, size: 32)
        var best: (w: Double, clusters: Int, folds: [Int])?
        for (nk, labels) in WardTree.cuts(merges, points: n, counts: clusterCounts(k: k, n: n)) {
            let folds = mergeClusters(labels, clusters: nk, k: k, scores: axis)
            var size = [Int](repeating: 0, count: k)
            for f in folds { size[f] += 1 }
            guard Double(size.max()!) <= knndmMaxShare * Double(n) else { continue }
            let gjStar = neighbours.nearestInOtherGroup(folds, embedded: embedded).map {
                points.distance(embedded: $0)
            }
            let w = KNNDMStatistics.wasserstein(gjStar, gij)
            if best == nil || w < best!.w || (w == best!.w && nk < best!.clusters) { best = (w, nk, folds) }
        }
        guard let best else {
            throw EvaluationError(
                .invalidInput,
                message: """
                    kNNDM found no grouping of the \(n) sites into \(k) folds with at most half of them in one \
                    fold (the sites are too clustered); lower evaluate.folds or use evaluate.split: sites
                    """
            )
        }
        return KNNDMFolds(
            folds: inGivenOrder(best.folds), w: best.w, clusters: best.clusters, ksStatistic: d, ksPValue: p)
    }

    /// The cluster counts kNNDM tries: `knndmClusterCounts` values evenly spaced on a log scale from k to
    /// n - 2, rounded half to even (as R's `round`), without repeats, ascending.
    static func clusterCounts(k: Int, n: Int) -> [Int] {
        let top = max(k, n - 2)
        let steps = knndmClusterCounts
        var out: [Int] = []
        for i in 0..<steps {
            let t = steps == 1 ? 0 : Double(i) / Double(steps - 1)
            let v = exp(log(Double(k)) + t * (log(Double(top)) - log(Double(k))))
            let c = min(top, max(k, Int(v.rounded(.toNearestOrEven))))
            if out.last != c { out.append(c) }
        }
        return out
    }

    /// Merges `clusters` clusters (`labels[i]` in 0..<clusters) into k folds as CAST does: clusters in the
    /// order of their centroid's score on the first principal axis (ties by label); each holding at least
    /// n/k sites becomes the next fold, the others are dealt round-robin to the remaining folds.
    static func mergeClusters(_ labels: [Int], clusters: Int, k: Int, scores: [Double]) -> [Int] {
        let n = labels.count
        var size = [Int](repeating: 0, count: clusters)
        var sum = [Double](repeating: 0, count: clusters)
        for i in 0..<n {
            size[labels[i]] += 1
            sum[labels[i]] += scores[i]
        }
        let ranked = (0..<clusters).sorted {
            let a = sum[$0] / Double(size[$0])
            let b = sum[$1] / Double(size[$1])
            return a != b ? a < b : $0 < $1
        }
        var foldOfCluster = [Int](repeating: -1, count: clusters)
        var next = 0
        for c in ranked where Double(size[c]) >= Double(n) / Double(k) && next < k {
            foldOfCluster[c] = next
            next += 1
        }
        let remaining = Array(next..<k)
        var dealt = 0
        for c in ranked where foldOfCluster[c] < 0 {
            foldOfCluster[c] = remaining.isEmpty ? dealt % k : remaining[dealt % remaining.count]
            dealt += 1
        }
        return labels.map { foldOfCluster[$0] }
    }
}

/// The two statistics of kNNDM: the Wasserstein distance between two ECDFs and the one-sided KS test.
enum KNNDMStatistics {
    /// The first Wasserstein distance ∫|F_a - F_b| between the ECDFs of a and b (as `twosamples::wass_stat`
    /// with p = 1), in the values' unit; non-finite values are left out; NaN when either is empty.
    static func wasserstein(_ a: [Double], _ b: [Double]) -> Double {
        let a = a.filter(\.isFinite).sorted()
        let b = b.filter(\.isFinite).sorted()
        guard !a.isEmpty, !b.isEmpty else { return .nan }
        var (i, j) = (0, 0)
        var previous = min(a[0], b[0])
        var w = 0.0
        while i < a.count || j < b.count {
            let next = min(i < a.count ? a[i] : .infinity, j < b.count ? b[j] : .infinity)
            w += abs(Double(i) / Double(a.count) - Double(j) / Double(b.count)) * (next - previous)
            while i < a.count, a[i] == next { i += 1 }
            while j < b.count, b[j] == next { j += 1 }
            previous = next
        }
        return w
    }

    /// The one-sided two-sample KS test of R's `ks.test(a, b, alternative = "greater")`: D+ =
    /// max over t of F_a(t) - F_b(t), and its asymptotic p-value exp(-2 D+² mn / (m + n)).
    static func ksGreater(_ a: [Double], _ b: [Double]) -> (d: Double, p: Double) {
        let a = a.filter(\.isFinite).sorted()
        let b = b.filter(\.isFinite).sorted()
        guard !a.isEmpty, !b.isEmpty else { return (0, 1) }
        var (i, j) = (0, 0)
        var d = 0.0
        while i < a.count || j < b.count {
            let next = min(i < a.count ? a[i] : .infinity, j < b.count ? b[j] : .infinity)
            while i < a.count, a[i] == next { i += 1 }
            while j < b.count, b[j] == next { j += 1 }
            d = max(d, Double(i) / Double(a.count) - Double(j) / Double(b.count))
        }
        let m = Double(a.count)
        let n = Double(b.count)
        return (d, min(1, exp(-2 * d * d * m * n / (m + n))))
    }
}

/// Ward's agglomerative clustering of embedded points (R's `hclust(method = "ward.D2")` on Euclidean
/// distances), by the nearest-neighbour chain: O(n²) time, O(n) memory, no random choice.
enum WardTree {
    /// One merge: the two clusters (ids: points 0..<n, then merge t makes cluster n + t) and the
    /// increase of the within-cluster sum of squares it costs.
    struct Merge {
        let a: Int, b: Int
        let cost: Double
    }

    /// The n - 1 merges, in the order the chain found them.
    static func merges(_ points: SpatialPoints.Embedded) -> [Merge] {
        let n = points.count
        let dim = points.dimension
        guard n >= 2 else { return [] }
        var centroid = points.coordinates + [Double](repeating: 0, count: (n - 1) * dim)
        var size = [Double](repeating: 1, count: n) + [Double](repeating: 0, count: n - 1)
        var active = Array(0..<n)  // ids of the clusters not yet merged
        var position = [Int](repeating: -1, count: 2 * n - 1)  // index in `active`
        for i in 0..<n { position[i] = i }
        var merges: [Merge] = []
        var chain: [Int] = []
        func cost(_ a: Int, _ b: Int) -> Double {
            var s = 0.0
            for d in 0..<dim {
                let e = centroid[a * dim + d] - centroid[b * dim + d]
                s += e * e
            }
            return size[a] * size[b] / (size[a] + size[b]) * s
        }
        while active.count > 1 {
            if chain.isEmpty { chain.append(active.min()!) }
            let tip = chain[chain.count - 1]
            let previous = chain.count >= 2 ? chain[chain.count - 2] : -1
            var nearest = -1
            var nearestCost = Double.infinity
            for c in active where c != tip {
                let v = cost(tip, c)
                if v < nearestCost || (v == nearestCost && c < nearest) { (nearest, nearestCost) = (c, v) }
            }
            if previous >= 0, cost(tip, previous) <= nearestCost { nearest = previous }
            if nearest == previous {
                chain.removeLast(2)
                let id = n + merges.count
                let total = size[tip] + size[previous]
                for d in 0..<dim {
                    centroid[id * dim + d] =
                        (size[tip] * centroid[tip * dim + d] + size[previous] * centroid[previous * dim + d]) / total
                }
                size[id] = total
                merges.append(Merge(a: min(tip, previous), b: max(tip, previous), cost: cost(tip, previous)))
                for gone in [tip, previous] {
                    let p = position[gone]
                    let last = active.removeLast()
                    if p < active.count {
                        active[p] = last
                        position[last] = p
                    }
                }
                position[id] = active.count
                active.append(id)
            } else {
                chain.append(nearest)
            }
        }
        return merges
    }

    /// The cluster label (0..<c, numbered by first point) of every point for each count c in `counts`
    /// (ascending), cutting the tree as `cutree`: the merges applied in order of height, a merge's
    /// height being its cost or, if higher (rounding), its clusters' heights; ties in the order found,
    /// which puts a cluster's own merge before the merges that use it.
    static func cuts(_ merges: [Merge], points n: Int, counts: [Int]) -> [(clusters: Int, labels: [Int])] {
        var height = [Double](repeating: 0, count: merges.count)
        for (t, m) in merges.enumerated() {
            height[t] = max(m.cost, m.a >= n ? height[m.a - n] : 0, m.b >= n ? height[m.b - n] : 0)
        }
        let sorted = merges.indices.sorted { (height[$0], $0) < (height[$1], $1) }
        var parent = Array(0..<n)
        func root(_ i: Int) -> Int {
            var r = i
            while parent[r] != r { r = parent[r] }
            var j = i
            while parent[j] != r { (parent[j], j) = (r, parent[j]) }
            return r
        }
        var member = [Int](repeating: 0, count: 2 * n - 1)  // a point of each cluster id
        for i in 0..<n { member[i] = i }
        var results: [(clusters: Int, labels: [Int])] = []
        var wanted = counts.filter { $0 >= 1 && $0 <= n }.sorted(by: >)
        var clusters = n
        var next = 0
        while let c = wanted.first {
            while clusters > c, next < sorted.count {
                let t = sorted[next]
                let m = merges[t]
                let (ra, rb) = (root(member[m.a]), root(member[m.b]))
                parent[max(ra, rb)] = min(ra, rb)
                member[n + t] = min(ra, rb)
                clusters -= 1
                next += 1
            }
            var label = [Int: Int]()
            let labels = (0..<n).map { i -> Int in
                let r = root(i)
                if let l = label[r] { return l }
                label[r] = label.count
                return label.count - 1
            }
            results.append((c, labels))
            wanted.removeFirst()
        }
        return results.reversed()
    }

    /// Each point's score on the first principal axis of the centred coordinates (power iteration
    /// from the axis of largest variance; the sign makes the axis's largest component positive).
    static func firstPrincipalScores(_ points: SpatialPoints.Embedded) -> [Double] {
        let n = points.count
        let dim = points.dimension
        var mean = [Double](repeating: 0, count: dim)
        for i in 0..<n { for d in 0..<dim { mean[d] += points.coordinates[i * dim + d] / Double(n) } }
        var cov = [Double](repeating: 0, count: dim * dim)
        for i in 0..<n {
            for a in 0..<dim {
                for b in 0..<dim {
                    cov[a * dim + b] +=
                        (points.coordinates[i * dim + a] - mean[a]) * (points.coordinates[i * dim + b] - mean[b])
                }
            }
        }
        var v = [Double](repeating: 0, count: dim)
        v[(0..<dim).max { cov[$0 * dim + $0] < cov[$1 * dim + $1] }!] = 1
        for _ in 0..<200 {
            var w = [Double](repeating: 0, count: dim)
            for a in 0..<dim { for b in 0..<dim { w[a] += cov[a * dim + b] * v[b] } }
            let norm = w.reduce(0) { $0 + $1 * $1 }.squareRoot()
            guard norm > 0 else { break }
            v = w.map { $0 / norm }
        }
        if let big = v.indices.max(by: { abs(v[$0]) < abs(v[$1]) }), v[big] < 0 { v = v.map { -$0 } }
        return (0..<n).map { i in (0..<dim).reduce(0) { $0 + (points.coordinates[i * dim + $1] - mean[$1]) * v[$1] } }
    }
}

/// Each point's nearest neighbours (up to `size`, by distance then index), so that the nearest point of
/// another fold is usually found without scanning every point.
struct NeighbourLists {
    /// Neighbour indices, `size` per point (fewer points: all others).
    let indices: [Int]
    /// Their squared embedded distances, in the same order.
    let squared: [Double]
    /// Neighbours per point.
    let size: Int

    /// The lists of every point of `points`.
    init(_ points: SpatialPoints.Embedded, size wanted: Int) {
        let n = points.count
        let dim = points.dimension
        let m = min(wanted, max(0, n - 1))
        var indices = [Int](repeating: 0, count: n * m)
        var squared = [Double](repeating: 0, count: n * m)
        for i in 0..<n {
            var all: [(Double, Int)] = []
            all.reserveCapacity(n - 1)
            for j in 0..<n where j != i {
                var s = 0.0
                for d in 0..<dim {
                    let e = points.coordinates[i * dim + d] - points.coordinates[j * dim + d]
                    s += e * e
                }
                all.append((s, j))
            }
            all.sort { $0 < $1 }
            for t in 0..<m { (squared[i * m + t], indices[i * m + t]) = all[t] }
        }
        (self.indices, self.squared, self.size) = (indices, squared, m)
    }

    /// Each point's embedded distance to the nearest point of another group (+inf when none).
    func nearestInOtherGroup(_ group: [Int], embedded: SpatialPoints.Embedded) -> [Double] {
        let n = group.count
        return (0..<n).map { i in
            for t in 0..<size where group[indices[i * size + t]] != group[i] {
                return squared[i * size + t].squareRoot()
            }
            var best = Double.infinity
            let dim = embedded.dimension
            for j in 0..<n where group[j] != group[i] {
                var s = 0.0
                for d in 0..<dim {
                    let e = embedded.coordinates[i * dim + d] - embedded.coordinates[j * dim + d]
                    s += e * e
                }
                best = min(best, s)
            }
            return best.squareRoot()
        }
    }
}
