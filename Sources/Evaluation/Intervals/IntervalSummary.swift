import Foundation

/// Everything cross-validation says about the prediction intervals: the calibration of every model,
/// method and depth on all held-out scores (what the maps use), their measured coverage at the level,
/// and one model's coverage over the nominal levels 0.50 ... 0.95 (the plot). Written as
/// `intervals.json` beside metrics.json, and into metrics.json under "intervals".
public struct IntervalSummary: Codable, Sendable, Equatable {
    /// The nominal level, e.g. 0.9 (`predict.interval`).
    public var level: Double
    /// The method the maps use (`predict.interval_method`).
    public var method: IntervalMethod
    /// The model whose coverage is swept over the levels (the mapped one).
    public var sweepModel: String
    /// Calibration on all held-out scores, per model, method and depth.
    public var calibration: [IntervalCalibration]
    /// Coverage at `level` per model, method and depth (and over all depths).
    public var coverage: [IntervalCoverage]
    /// Coverage of `sweepModel` per method, depth and level of `sweepLevels`.
    public var levelSweep: [IntervalCoverage]
    /// Coverage at `level` per model, method, depth and fifth of the predicted value (absent in files
    /// written before it was measured).
    public var conditional: [ConditionalCoverage]? = nil
    /// SHA-256 of the evaluation's predictions.csv written with this file: what the map stage of `socmap
    /// predict` checks before it reads the held-out predictions back (nil: written before it was recorded).
    public var predictionsSHA256: String? = nil
    /// Coverage of the maps' method per model, depth and zone of `evaluate.zones` (nil: no zones).
    public var byZone: [GroupCoverage]? = nil
    /// What the held-out predictions and the maps hold when the models were fitted on log1p(value)
    /// (`predict.back_transform`); nil when they were fitted on the value itself.
    public var backTransform: BackTransform? = nil
    /// With `backTransform` mean: each model's smearing factor per depth, calibrated on every held-out
    /// prediction (the maps'); the scores used factors calibrated on the other folds.
    public var smearing: [SmearingFactor]? = nil
    /// With `predict.residual_kriging`: where the kriging variance is folded into the kriged model's band (nil:
    /// no residual kriging).
    public var krigingVariance: KrigingVarianceCheck? = nil

    /// The nominal levels of the coverage plot.
    public static let sweepLevels = (10...19).map { Double($0) * 0.05 }

    /// File name in the report folder.
    public static let fileName = "intervals.json"

    enum CodingKeys: String, CodingKey {
        case level, method, calibration, coverage, conditional, smearing
        case sweepModel = "sweep_model"
        case backTransform = "back_transform"
        case byZone = "by_zone"
        case predictionsSHA256 = "predictions_sha256"
        case levelSweep = "level_sweep"
        case krigingVariance = "kriging_variance"
    }

    /// Calibrates and measures every model of `samples` (by model name) with both methods.
    public static func build(
        samples: [String: [IntervalSample]], models: [String], depthLabels: [String], folds: Int,
        level: Double, method: IntervalMethod, sweepModel: String
    ) -> IntervalSummary {
        var calibration: [IntervalCalibration] = []
        var coverage: [IntervalCoverage] = []
        var sweep: [IntervalCoverage] = []
        var conditional: [ConditionalCoverage] = []
        for model in models {
            let all = samples[model] ?? []
            for m in IntervalMethod.allCases {
                for (d, label) in depthLabels.enumerated() {
                    calibration.append(
                        .calibrate(all.filter { $0.depth == d }, method: m, level: level, model: model, depth: label))
                }
                coverage += IntervalCoverage.measure(
                    all, model: model, method: m, level: level, depthLabels: depthLabels, folds: folds)
                conditional += ConditionalCoverage.measure(
                    all, model: model, method: m, level: level, depthLabels: depthLabels, folds: folds)
                if model == sweepModel {
                    for l in sweepLevels {
                        sweep += IntervalCoverage.measure(
                            all, model: model, method: m, level: l, depthLabels: depthLabels,
                            folds: folds)
                    }
                }
            }
        }
        return IntervalSummary(
            level: level, method: method, sweepModel: sweepModel, calibration: calibration,
            coverage: coverage, levelSweep: sweep, conditional: conditional)
    }

    /// The smearing factor of `model` at `depth` (nil: none calibrated).
    public func smearingFactor(model: String, depth: String) -> SmearingFactor? {
        smearing?.first { $0.model == model && $0.depth == depth }
    }

    /// The calibration of `model` with `method` at `depth`.
    public func calibration(model: String, method: IntervalMethod, depth: String) -> IntervalCalibration? {
        calibration.first { $0.model == model && $0.method == method && $0.depth == depth }
    }

    /// The JSON text (keys sorted, NaN as null).
    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
    }

    /// Reads `intervals.json` of a report folder.
    public static func read(path: String) throws -> IntervalSummary {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw EvaluationError(
                .invalidInput, path: path,
                message: "cannot read \(path); run `socmap run` again to rewrite the evaluation")
        }
        do {
            return try JSONDecoder().decode(IntervalSummary.self, from: data)
        } catch {
            throw EvaluationError(
                .invalidInput, path: path,
                message: "\(path) is not a SOCMap intervals.json: \(error); run `socmap run` again")
        }
    }
}
