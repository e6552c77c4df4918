// The `socmap bench rf` measurement: fit and predict time of a forest on the input of
// ../shared/anchors/bench.py's rf benchmark (same shape, function and hyper-parameters).
import Forest
import Foundation
import Randomness
import Runtime

/// Timing of a forest on bench.py's rf input, for comparison with scikit-learn on the same machine.
public enum ForestBenchmark {
    /// Fits a forest of `trees` trees on `rows` x `features` uniform [0, 1) values with
    /// y = sin(6 x0) + x1 x2 + 0.5 x3^2 + 0.1 N(0, 1) (as bench.py), maxFeatures = 0.33 x features
    /// and minSamplesLeaf 10 (as bench.py's RandomForestRegressor), on `threads` threads (nil: the
    /// runtime configuration's; bench.py's scikit-learn runs 2 jobs), then
    /// predicts the same rows. Returns fit_s (fit, including the out-of-bag predictions),
    /// predict_s, oob_r2 (a sanity figure, near 0.9 at the default size) and the settings.
    public static func run(
        rows: Int = 20000, features: Int = 40, trees: Int = 500, threads: Int? = nil,
        seed: UInt64 = 0
    ) -> [String: Double] {
        let threads = threads ?? RuntimeConfiguration.current.threads
        precondition(
            features >= 4, "ForestBenchmark.run needs at least 4 features (the target uses x0..x3), got \(features)")
        precondition(rows >= 2 && trees >= 1, "ForestBenchmark.run needs at least 2 rows and 1 tree")
        let (x, y) = data(rows: rows, features: features, seed: seed)
        let maxFeatures = max(1, Int(0.33 * Double(features)))
        let parameters = ForestParameters(trees: trees, maxFeatures: maxFeatures, minSamplesLeaf: 10, seed: seed)

        let fitStart = DispatchTime.now().uptimeNanoseconds
        let forest = RandomForest.fit(x: x, n: rows, p: features, y: y, parameters: parameters, threads: threads)
        let fitEnd = DispatchTime.now().uptimeNanoseconds
        let predictions = forest.predict(x: x, n: rows, threads: threads)
        let predictEnd = DispatchTime.now().uptimeNanoseconds
        precondition(predictions.count == rows)

        let nodes = forest.trees.reduce(0) { $0 + $1.nodes.count }
        return [
            "fit_s": Double(fitEnd - fitStart) / 1e9,
            "predict_s": Double(predictEnd - fitEnd) / 1e9,
            "oob_r2": forest.oobR2 ?? .nan,
            "rows": Double(rows), "features": Double(features), "trees": Double(trees),
            "threads": Double(threads), "max_features": Double(maxFeatures), "min_samples_leaf": 10,
            "mean_nodes_per_tree": Double(nodes) / Double(trees)
        ]
    }

    /// bench.py's rf input, drawn from our own seeded generator (same distribution, not the same numbers).
    static func data(rows: Int, features: Int, seed: UInt64) -> (x: [Float], y: [Float]) {
        var rng = Xoshiro256(seed: seed ^ 0xBE9C_4000_0000_0000)
        var x = [Float](repeating: 0, count: rows * features)
        for i in x.indices { x[i] = rng.nextUnitFloat() }
        var y = [Float](repeating: 0, count: rows)
        for i in 0..<rows {
            let r = x[(i * features)...]
            let u1 = max(rng.nextUnitDouble(), 0x1p-60)
            let u2 = rng.nextUnitDouble()
            let noise = (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
            let x0 = Double(r[r.startIndex])
            let x1 = Double(r[r.startIndex + 1])
            let x2 = Double(r[r.startIndex + 2])
            let x3 = Double(r[r.startIndex + 3])
            let signal: Double = sin(6 * x0) + x1 * x2 + 0.5 * x3 * x3
            y[i] = Float(signal + 0.1 * noise)
        }
        return (x, y)
    }
}
