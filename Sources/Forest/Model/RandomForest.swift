// A random forest regressor: bootstrap samples, CART trees with random feature subsets,
// predictions averaged over trees, out-of-bag error for free.

import Randomness

/// A fitted random forest regressor (Breiman 2001, with scikit-learn's RandomForestRegressor semantics).
public struct RandomForest: Sendable, Codable, Equatable {
    /// The hyper-parameters it was fitted with (`maxFeatures` as given, even if above the feature count).
    public let parameters: ForestParameters
    /// Number of features (columns) it expects.
    public let featureCount: Int
    /// Number of training rows.
    public let trainingRows: Int
    /// The trees, in the order of their seeds.
    public let trees: [DecisionTree]
    /// Out-of-bag prediction of every training row: the mean over the trees whose bootstrap sample
    /// missed the row; nil when every tree saw it (or without bootstrap).
    public let oobPredictions: [Float?]
    /// Mean squared out-of-bag error over the rows that have an out-of-bag prediction; nil if none has.
    public let oobMSE: Double?
    /// Out-of-bag R2 = 1 - SSres/SStot over the same rows (scikit-learn's `oob_score_`); nil if none has.
    public let oobR2: Double?
    /// Impurity-decrease importance of each feature, normalised per tree, averaged, and normalised to sum 1.
    public let featureImportance: [Double]

    /// A forest from its parts (used by `load`); `fit` is the usual way to make one.
    init(
        parameters: ForestParameters, featureCount: Int, trainingRows: Int, trees: [DecisionTree],
        oobPredictions: [Float?], oobMSE: Double?, oobR2: Double?, featureImportance: [Double]
    ) {
        self.parameters = parameters
        self.featureCount = featureCount
        self.trainingRows = trainingRows
        self.trees = trees
        self.oobPredictions = oobPredictions
        self.oobMSE = oobMSE
        self.oobR2 = oobR2
        self.featureImportance = featureImportance
    }

    /// Fits a forest to the row-major `n` x `p` matrix `x` (no NaN) and targets `y` (finite).
    /// Trees are built by `threads` workers on Compute's pool (nil: the runtime configuration's,
    /// `RuntimeConfiguration.current.threads`, which is also the most that run at once); each
    /// tree's random draws come from a seed derived from `parameters.seed` and its index, so the
    /// forest is the same for any thread count.
    /// `progress(done, total)` is called after each tree, in order, possibly from a worker thread.
    public static func fit(
        x: [Float], n: Int, p: Int, y: [Float], parameters: ForestParameters,
        threads: Int? = nil, progress: (@Sendable (Int, Int) -> Void)? = nil
    ) -> RandomForest {
        precondition(n >= 1 && p >= 1, "RandomForest.fit needs at least one row and one feature, got \(n) x \(p)")
        precondition(x.count == n * p, "RandomForest.fit: x has \(x.count) values, expected n * p = \(n) * \(p)")
        precondition(y.count == n, "RandomForest.fit: y has \(y.count) values, expected n = \(n)")
        precondition(n < Int(Int32.max), "RandomForest.fit: too many rows (\(n))")
        if let bad = y.firstIndex(where: { !$0.isFinite }) {
            preconditionFailure("RandomForest.fit: y[\(bad)] is \(y[bad]); targets must be finite")
        }
        parameters.validate()
        let threads = threadCount(threads)
        let data = TrainingSet(ranks: FeatureRanks(x: x, n: n, p: p), y: y)
        let treeCount = parameters.trees
        let built = SharedSlots<BuiltTree?>(count: treeCount, repeating: nil)
        let counter = TaskCounter(count: treeCount)
        let workers = max(1, min(threads, treeCount))
        runWorkers(threads: workers) { _ in
            let builder = TreeBuilder(rows: n, features: p)
            while let t = counter.take() {
                built.buffer[t] = builder.build(index: t, data: data, parameters: parameters)
                counter.finish(report: progress)
            }
        }
        let results = built.toArray().map { $0! }
        let trees = results.map(\.tree)

        var importance = [Double](repeating: 0, count: p)
        for r in results { for f in 0..<p { importance[f] += r.importance[f] } }
        let total = importance.reduce(0, +)
        if total > 0 { importance = importance.map { $0 / total } }

        let oob = outOfBagPredictions(trees: trees, inBag: results.map(\.inBag), x: x, n: n, p: p, threads: threads)
        let (mse, r2) = outOfBagScores(oob, y: y)
        return RandomForest(
            parameters: parameters, featureCount: p, trainingRows: n, trees: trees,
            oobPredictions: oob, oobMSE: mse, oobR2: r2, featureImportance: importance)
    }

    /// Predictions for the row-major `n` x `featureCount` matrix `x`: the mean of the trees'
    /// predictions (summed in tree order in Double, so the result does not depend on `threads`;
    /// nil: the runtime configuration's). `x` must hold no NaN (fill missing values first).
    public func predict(x: [Float], n: Int, threads: Int? = nil) -> [Float] {
        precondition(
            x.count == n * featureCount,
            "RandomForest.predict: x has \(x.count) values, expected n * featureCount = \(n) * \(featureCount)")
        if let bad = x.firstIndex(where: { $0.isNaN }) {
            preconditionFailure(
                """
                RandomForest.predict: x holds NaN at row \(bad / featureCount), feature \
                \(bad % featureCount); fill or drop missing values first
                """
            )
        }
        let sums = RandomForest.treeSums(trees: trees, x: x, n: n, p: featureCount, threads: threadCount(threads)).sums
        let scale = 1 / Double(trees.count)
        return sums.map { Float($0 * scale) }
    }

    /// Prediction for one row of `featureCount` values.
    public func predict(row: [Float]) -> Float {
        predict(x: row, n: 1, threads: 1)[0]
    }

    /// How many times each training row was drawn into tree `tree`'s bootstrap sample (all 1
    /// without bootstrap); regenerated from the seed, as used when the tree was fitted.
    public func bootstrapCounts(forTree tree: Int) -> [Int32] {
        precondition(
            trees.indices.contains(tree), "RandomForest.bootstrapCounts: no tree \(tree) in a forest of \(trees.count)")
        var rng = Xoshiro256(seed: ForestSeeds.tree(tree, forestSeed: parameters.seed))
        return Forest.bootstrapCounts(rows: trainingRows, bootstrap: parameters.bootstrap, rng: &rng)
    }

    /// Rows per block when predicting: a block of rows stays in cache while every tree walks it.
    private static let blockRows = 256

    /// Per-row sum (in tree order, in Double) and count of the trees' predictions, parallel over
    /// blocks of rows. With `inBag` (one bitmap of `(n + 63) / 64` words per tree, concatenated),
    /// a tree counts for a row only if the row's bit is clear (out of bag).
    static func treeSums(
        trees: [DecisionTree], x: [Float], n: Int, p: Int, threads: Int,
        inBag: [UInt64]? = nil
    ) -> (sums: [Double], counts: [Int32]) {
        precondition(threads >= 1, "thread count must be at least 1, got \(threads)")
        let sums = SharedSlots<Double>(count: n, repeating: 0)
        let counts = SharedSlots<Int32>(count: n, repeating: 0)
        let words = (n + 63) / 64
        let blocks = (n + blockRows - 1) / blockRows
        let counter = TaskCounter(count: blocks)
        runWorkers(threads: max(1, min(threads, blocks))) { _ in
            let sum = sums.buffer
            let count = counts.buffer
            let leaves = UnsafeMutablePointer<Int32>.allocate(capacity: blockRows)
            defer { leaves.deallocate() }
            x.withUnsafeBufferPointer { xs in
                while let b = counter.take() {
                    let start = b * blockRows
                    let end = min(n, start + blockRows)
                    for t in trees.indices {
                        let tree = trees[t]
                        tree.leaves(rows: xs.baseAddress! + start * p, stride: p, count: end - start, into: leaves)
                        tree.values.withUnsafeBufferPointer { values in
                            if let inBag {
                                inBag.withUnsafeBufferPointer { bits in
                                    let treeBits = bits.baseAddress! + t * words
                                    for i in start..<end where treeBits[i >> 6] & (1 << UInt64(i & 63)) == 0 {
                                        sum[i] += Double(values[Int(leaves[i - start])])
                                        count[i] += 1
                                    }
                                }
                            } else {
                                for i in start..<end { sum[i] += Double(values[Int(leaves[i - start])]) }
                            }
                        }
                    }
                    if inBag == nil {
                        for i in start..<end { count[i] = Int32(trees.count) }
                    }
                }
            }
        }
        return (sums.toArray(), counts.toArray())
    }

    /// Out-of-bag predictions: each row averaged over the trees that did not draw it.
    private static func outOfBagPredictions(
        trees: [DecisionTree], inBag: [[UInt64]], x: [Float], n: Int, p: Int,
        threads: Int
    ) -> [Float?] {
        let (sums, counts) = treeSums(trees: trees, x: x, n: n, p: p, threads: threads, inBag: inBag.flatMap { $0 })
        return zip(sums, counts).map { $1 > 0 ? Float($0 / Double($1)) : nil }
    }

    /// Mean squared error and R2 of the out-of-bag predictions that exist.
    static func outOfBagScores(_ oob: [Float?], y: [Float]) -> (mse: Double?, r2: Double?) {
        var count = 0
        var sum = 0.0
        for (i, o) in oob.enumerated() where o != nil {
            count += 1
            sum += Double(y[i])
        }
        guard count > 0 else { return (nil, nil) }
        let mean = sum / Double(count)
        var residual = 0.0
        var spread = 0.0
        for (i, o) in oob.enumerated() {
            guard let o else { continue }
            let e = Double(o) - Double(y[i])
            let d = Double(y[i]) - mean
            residual += e * e
            spread += d * d
        }
        return (residual / Double(count), spread > 0 ? 1 - residual / spread : nil)
    }
}
