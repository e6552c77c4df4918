import Foundation

/// What the maps and scores of a model fitted on log1p(value) (`train.log1p`) hold
/// (`predict.back_transform`): expm1 of its prediction is the median of the value, not its mean, and on
/// a skewed property the median lies below the mean, so the maps come out biased low.
public enum BackTransform: String, Sendable, Codable, CaseIterable {
    /// The mean: expm1 of the prediction times Duan's (1983) smearing factor (`SmearingFactor`).
    case mean
    /// The median: expm1 of the prediction.
    case median

    /// What the pipeline gets when it names none: the mean, which carbon stocks and sums need.
    public static let `default` = BackTransform.mean
}

/// Duan's (1983) smearing factor of one model and depth: the mean of e^r over the held-out residuals r =
/// log1p(observed) − log1p(predicted), so that the mean of the value at a prediction p (a median) is
/// (1 + p) · factor − 1. Calibrated on held-out predictions, not on the model's own training fit, whose
/// residuals are too small.
public struct SmearingFactor: Codable, Sendable, Equatable {
    /// The model's name.
    public var model: String
    /// The depth label.
    public var depth: String
    /// The factor (1: no correction); NaN when no residual was usable.
    public var factor: Double
    /// Held-out residuals it was calibrated on.
    public var n: Int

    /// Makes a factor.
    public init(model: String, depth: String, factor: Double, n: Int) {
        self.model = model
        self.depth = depth
        self.factor = factor
        self.n = n
    }

    /// The factor of pairs of observed and predicted values: the mean of (1 + observed) / (1 + predicted)
    /// over the pairs where both are finite and above −1; nil when there is none.
    public static func factor(_ pairs: [(observed: Double, predicted: Double)]) -> (factor: Double, n: Int)? {
        let ratios = pairs.compactMap { o, p in
            o.isFinite && p.isFinite && o > -1 && p > -1 ? (1 + o) / (1 + p) : nil
        }
        guard !ratios.isEmpty else { return nil }
        return (ratios.reduce(0, +) / Double(ratios.count), ratios.count)
    }

    /// The mean at a median prediction `median`: (1 + median) · factor − 1.
    public static func mean(median: Double, factor: Double) -> Double { (1 + median) * factor - 1 }

    /// Moves the held-out predictions of `models` from the median to the mean: each with the factor of
    /// its depth calibrated on the other folds' held-out predictions (so a sample never calibrates its own
    /// correction), and returns each model's factors per depth calibrated on every fold (what the maps
    /// use). A prediction whose other folds give no factor is left out (its model's value removed; the
    /// caller counts it as not predicted).
    public static func moveToMean(
        _ predictions: inout [HeldOutPrediction], models: [String], depthLabels: [String]
    ) -> [SmearingFactor] {
        var factors: [SmearingFactor] = []
        for model in models {
            let pairs = predictions.enumerated().compactMap { i, p in
                p.predicted[model].map { (index: i, depth: p.depth, fold: p.fold, observed: p.observed, predicted: $0) }
            }
            var crossFitted: [[Int]: Double] = [:]
            for (d, label) in depthLabels.enumerated() {
                let atDepth = pairs.filter { $0.depth == d }
                let all = factor(atDepth.map { ($0.observed, $0.predicted) })
                factors.append(SmearingFactor(model: model, depth: label, factor: all?.factor ?? .nan, n: all?.n ?? 0))
                for fold in Set(atDepth.map(\.fold)) {
                    let others = atDepth.filter { $0.fold != fold }.map { ($0.observed, $0.predicted) }
                    crossFitted[[d, fold]] = factor(others)?.factor ?? .nan
                }
            }
            for p in pairs {
                let f = crossFitted[[p.depth, p.fold]] ?? .nan
                predictions[p.index].predicted[model] = f.isFinite ? mean(median: p.predicted, factor: f) : nil
            }
        }
        return factors
    }
}
