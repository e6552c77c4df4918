/// Per-cell summaries of the k cross-validation models' predictions of one tile: their spread
/// (standard deviation, the maps' `_cv_sd` layer and the adaptive interval's s(x)) and quantiles.
/// The quantiles of k refits measure refitting variance, not prediction uncertainty (they held the
/// truth in 24-41 % of cells on the sample data); the maps' bounds are `PredictionInterval`'s.
public struct EnsembleSpread: Sendable {
    /// Standard deviation across models (n - 1 in the denominator; 0 for a single model), NaN
    /// where any model has no value.
    public var standardDeviation: [Float]
    /// The lower quantile (default 5 %) across models, linear between order statistics (R's type 7).
    public var lower: [Float]
    /// The upper quantile (default 95 %) across models.
    public var upper: [Float]

    /// Summarises `predictions[model][cell]` (every array the same length, NaN = nodata) cell by cell.
    public init(predictions: [[Float]], lowerQuantile: Double = 0.05, upperQuantile: Double = 0.95) {
        precondition(!predictions.isEmpty, "EnsembleSpread needs the predictions of at least one model")
        let cells = predictions[0].count
        precondition(
            predictions.allSatisfy { $0.count == cells },
            "EnsembleSpread: every model must predict the same \(cells) cells, got \(predictions.map(\.count))")
        precondition(
            0 <= lowerQuantile && lowerQuantile <= upperQuantile && upperQuantile <= 1,
            "EnsembleSpread: quantiles must satisfy 0 <= lower <= upper <= 1")
        let k = predictions.count
        var sd = [Float](repeating: .nan, count: cells)
        var lo = [Float](repeating: .nan, count: cells)
        var hi = [Float](repeating: .nan, count: cells)
        var column = [Double](repeating: 0, count: k)
        func quantile(_ sorted: [Double], _ p: Double) -> Double {
            let position = p * Double(sorted.count - 1)
            let i = Int(position.rounded(.down))
            let j = Swift.min(i + 1, sorted.count - 1)
            return sorted[i] + (sorted[j] - sorted[i]) * (position - Double(i))
        }
        cellLoop: for c in 0..<cells {
            for m in 0..<k {
                let v = predictions[m][c]
                if !v.isFinite { continue cellLoop }
                column[m] = Double(v)
            }
            let mean = column.reduce(0, +) / Double(k)
            let variance = k > 1 ? column.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(k - 1) : 0
            sd[c] = Float(variance.squareRoot())
            let sorted = column.sorted()
            lo[c] = Float(quantile(sorted, lowerQuantile))
            hi[c] = Float(quantile(sorted, upperQuantile))
        }
        standardDeviation = sd
        lower = lo
        upper = hi
    }

    /// The per-cell standard deviation alone (n - 1 in the denominator; 0 for a single model; NaN where
    /// any model has no value): what the maps' `_cv_sd` layer and the adaptive interval use.
    public static func standardDeviation(predictions: [[Float]]) -> [Float] {
        precondition(!predictions.isEmpty, "EnsembleSpread needs the predictions of at least one model")
        let cells = predictions[0].count
        let k = predictions.count
        precondition(
            predictions.allSatisfy { $0.count == cells },
            "EnsembleSpread: every model must predict the same \(cells) cells, got \(predictions.map(\.count))")
        var sd = [Float](repeating: .nan, count: cells)
        cellLoop: for c in 0..<cells {
            var sum = 0.0
            for m in 0..<k {
                let v = predictions[m][c]
                if !v.isFinite { continue cellLoop }
                sum += Double(v)
            }
            let mean = sum / Double(k)
            var squares = 0.0
            for m in 0..<k {
                let d = Double(predictions[m][c]) - mean
                squares += d * d
            }
            sd[c] = Float(k > 1 ? (squares / Double(k - 1)).squareRoot() : 0)
        }
        return sd
    }
}
