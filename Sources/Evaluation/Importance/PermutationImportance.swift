import Foundation
import TextFormat

/// One model's permutation importance of one covariate at one depth: how much the held-out RMSE of the
/// depth, all folds pooled, rises when the covariate's channels are shuffled among the held-out samples.
public struct PermutationImportanceRow: Codable, Sendable, Equatable {
    /// The model.
    public var model: String
    /// The depth label.
    public var depth: String
    /// The covariate (a categorical covariate's one-hot channels are shuffled together).
    public var covariate: String
    /// Held-out samples scored (those with a finite unshuffled prediction), all folds pooled.
    public var n: Int
    /// The pooled RMSE of the unshuffled held-out predictions.
    @NullIfNaN public var baseRMSE: Double
    /// The mean over repeats of RMSE(shuffled) − base RMSE.
    @NullIfNaN public var rmseIncrease: Double
    /// The sample SD (n − 1) of RMSE(shuffled) − base RMSE over repeats (NaN with one repeat).
    @NullIfNaN public var rmseIncreaseSD: Double

    /// Makes a row.
    public init(
        model: String, depth: String, covariate: String, n: Int, baseRMSE: Double, rmseIncrease: Double,
        rmseIncreaseSD: Double
    ) {
        self.model = model
        self.depth = depth
        self.covariate = covariate
        self.n = n
        self.baseRMSE = baseRMSE
        self.rmseIncrease = rmseIncrease
        self.rmseIncreaseSD = rmseIncreaseSD
    }

    enum CodingKeys: String, CodingKey {
        case model, depth, covariate, n
        case baseRMSE = "base_rmse"
        case rmseIncrease = "rmse_increase"
        case rmseIncreaseSD = "rmse_increase_sd"
    }

    /// The row of `observed` values, their unshuffled predictions `base` and the predictions of each
    /// repeat's shuffle (`shuffled[r]`, in the same order): samples whose observation or unshuffled
    /// prediction is not finite are left out of every RMSE, so all compare the same samples.
    public static func measure(
        model: String, depth: String, covariate: String, observed: [Double], base: [Double], shuffled: [[Double]]
    ) -> PermutationImportanceRow {
        let kept = observed.indices.filter { observed[$0].isFinite && base[$0].isFinite }
        let o = kept.map { observed[$0] }
        let baseRMSE = Metrics.compute(observed: o, predicted: kept.map { base[$0] }).rmse
        let increases = shuffled.map { p in Metrics.compute(observed: o, predicted: kept.map { p[$0] }).rmse - baseRMSE
        }
        return PermutationImportanceRow(
            model: model, depth: depth, covariate: covariate, n: kept.count, baseRMSE: baseRMSE,
            rmseIncrease: Statistics.mean(increases), rmseIncreaseSD: Statistics.sampleSD(increases))
    }
}
