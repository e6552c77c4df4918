// Choosing max_features and min_samples_leaf by out-of-bag error over model.md's grid.

/// The hyper-parameter search of model.md: every (maxFeatures, minSamplesLeaf) of the grid is
/// fitted and the pair with the lowest out-of-bag mean squared error wins.
public enum ForestTuning {
    /// One candidate of the grid and its out-of-bag error.
    public struct Entry: Sendable, Equatable, Codable {
        /// Features tried per split.
        public let maxFeatures: Int
        /// Least distinct rows per leaf.
        public let minSamplesLeaf: Int
        /// Out-of-bag mean squared error (infinity if no row was ever out of bag).
        public let oobMSE: Double
    }

    /// model.md's grid for `featureCount` features: maxFeatures from {5, 10, ..., 100} capped at
    /// the feature count (duplicates dropped) crossed with minSamplesLeaf from {10, 20, ..., 100},
    /// maxFeatures varying slowest.
    public static func grid(featureCount: Int) -> [(maxFeatures: Int, minSamplesLeaf: Int)] {
        precondition(featureCount >= 1, "ForestTuning.grid needs at least one feature, got \(featureCount)")
        var features: [Int] = []
        for f in stride(from: 5, through: 100, by: 5) {
            let capped = min(f, featureCount)
            if !features.contains(capped) { features.append(capped) }
        }
        return features.flatMap { f in
            stride(from: 10, through: 100, by: 10).map { (maxFeatures: f, minSamplesLeaf: $0) }
        }
    }

    /// Fits one forest of `trees` trees per grid point on the row-major `n` x `p` matrix `x` and
    /// targets `y`, all with the same `seed` (so candidates see the same bootstrap samples), and
    /// returns the parameters with the lowest out-of-bag MSE (the first in grid order on ties),
    /// with `finalTrees` trees for the final fit, plus the whole table in grid order.
    ///
    /// The full grid is up to 20 x 10 = 200 forests; `trees` below model.md's 500 (e.g. 100) makes
    /// tuning several times faster at the cost of a noisier out-of-bag error per candidate.
    /// Each forest is fitted on `threads` threads (nil: the runtime configuration's).
    /// `progress(done, total)` counts fitted candidates, possibly from a worker thread.
    public static func tune(
        x: [Float], n: Int, p: Int, y: [Float], trees: Int = 500, finalTrees: Int = 500,
        seed: UInt64, threads: Int? = nil,
        progress: (@Sendable (Int, Int) -> Void)? = nil
    ) -> (best: ForestParameters, table: [Entry]) {
        precondition(
            trees >= 1 && finalTrees >= 1,
            "ForestTuning.tune needs at least one tree, got trees \(trees), finalTrees \(finalTrees)")
        let candidates = grid(featureCount: p)
        let threads = threadCount(threads)
        var table: [Entry] = []
        for (i, c) in candidates.enumerated() {
            let parameters = ForestParameters(
                trees: trees, maxFeatures: c.maxFeatures, minSamplesLeaf: c.minSamplesLeaf,
                bootstrap: true, seed: seed)
            let forest = RandomForest.fit(x: x, n: n, p: p, y: y, parameters: parameters, threads: threads)
            table.append(
                Entry(maxFeatures: c.maxFeatures, minSamplesLeaf: c.minSamplesLeaf, oobMSE: forest.oobMSE ?? .infinity))
            progress?(i + 1, candidates.count)
        }
        var best = table[0]
        for e in table.dropFirst() where e.oobMSE < best.oobMSE { best = e }
        return (
            ForestParameters(
                trees: finalTrees, maxFeatures: best.maxFeatures, minSamplesLeaf: best.minSamplesLeaf,
                bootstrap: true, seed: seed), table
        )
    }
}
