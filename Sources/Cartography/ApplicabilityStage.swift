import Applicability
import Configuration
import Evaluation
import Foundation
import Models
import Patches

/// The dissimilarity index the map stage maps, with where its weights came from.
public struct ApplicabilityFit: Sendable {
    /// The fitted index (training sites' centre cells, weights, CV folds, threshold).
    public var index: DissimilarityIndex
    /// The weights used: `rf` (the forest's importance) or `equal`.
    public var weights: AOAWeights
    /// Names of the channels left out because they are constant over the training sites.
    public var constantChannels: [String]
    /// The id of each training site, in the order of `index.trainingDI`.
    public var siteIDs: [String] = []

    /// Whether each training site lies inside the area by its cross-validation DI, by site id.
    public var insideOfSite: [String: Bool] {
        Dictionary(
            zip(siteIDs, index.trainingDI.map(index.inside)).map { ($0, $1) }, uniquingKeysWith: { a, _ in a })
    }
}

/// What the DI and AOA maps show, for the report and the maps' metadata.
public struct ApplicabilityResult: Sendable {
    /// The weights used: `rf` or `equal`.
    public var weights: AOAWeights
    /// The threshold rule.
    public var rule: DissimilarityIndex.ThresholdRule
    /// The DI threshold: AOA = DI <= threshold.
    public var threshold: Double
    /// d̄, the mean distance between training sites in the weighted standardised space.
    public var meanDistance: Double
    /// Training sites.
    public var sites: Int
    /// Training sites whose cross-validation DI lies above the threshold.
    public var sitesAbove: Int
    /// Channels left out (constant over the training sites).
    public var constantChannels: [String]
    /// Mapped cells inside the AOA.
    public var cellsInside: Int
    /// Mapped cells (DI computed).
    public var cellsMapped: Int
    /// The mapped model's interval coverage per depth for held-out sites inside and outside the area
    /// (`GroupCoverage`; empty when the maps have no interval or the run's held-out predictions are not at hand).
    public var intervalCoverage: [GroupCoverage] = []
    /// Per depth, the expected RMSE against the DI fitted on the held-out samples (empty: not fitted).
    public var errorProfiles: [ErrorProfile] = []
    /// The depth labels of `errorProfiles` and `intervalCoverage`.
    public var depths: [String] = []

    /// Share of the mapped cells inside the AOA (NaN when no cell was mapped).
    public var shareInside: Double { cellsMapped > 0 ? Double(cellsInside) / Double(cellsMapped) : .nan }

    /// Metadata items for the maps.
    var metadata: [String: String] {
        [
            "SOCMAP_AOA_THRESHOLD": String(format: "%.6g", threshold),
            "SOCMAP_AOA_RULE": rule.rawValue,
            "SOCMAP_AOA_WEIGHTS": weights.rawValue,
            "SOCMAP_AOA_MEAN_DISTANCE": String(format: "%.6g", meanDistance),
            "SOCMAP_AOA_SHARE_INSIDE": shareInside.isFinite ? String(format: "%.6f", shareInside) : "nan"
        ]
    }
}

/// Fits the dissimilarity index of `predict.aoa` from the training sites, their folds and the weights.
public enum ApplicabilityStage {
    /// The channel weights: the random forest's impurity importance averaged over its depth forests
    /// (`rf`), or 1 each (`equal`, also when the forest gives every channel 0).
    static func weights(
        _ choice: AOAWeights, channels: Int, rfFolder: String, pipeline: String
    ) throws -> (weights: [Double], used: AOAWeights) {
        guard choice == .rf else { return ([Double](repeating: 1, count: channels), .equal) }
        let (model, _) = try MapStage.loadModel(rfFolder, pipeline: pipeline)
        guard case .forest(let forest) = model else {
            throw MapStageError(
                .applicability, file: rfFolder,
                message:
                    """
                    predict.aoa_weights: rf needs the random forest model here; run `socmap run` with 'rf' \
                    among train.models
                    """
            )
        }
        let mean = forest.meanImportance(channels: channels)
        guard mean.contains(where: { $0 > 0 }) else { return ([Double](repeating: 1, count: channels), .equal) }
        return (mean, .rf)
    }

    /// Fits the index on `data`'s sites with their CV folds (`pipeline`: the file named in advice).
    static func fit(
        _ predict: PredictConfig, data: PatchDataset, folds: [Int], rfFolder: String, pipeline: String
    ) throws -> ApplicabilityFit {
        guard data.sites.count >= 2, Set(folds).count >= 2 else {
            throw MapStageError(
                .applicability, file: nil, message: "predict.aoa needs at least two training sites in two folds")
        }
        let c = data.channels.count
        let (w, used) = try weights(
            predict.aoaWeights, channels: c, rfFolder: rfFolder, pipeline: pipeline)
        var chosen = w
        // Only the varying channels count; if the forest weighs none of them, fall back to equal weights.
        let x = data.centreCells()
        let varying = (0..<c).filter { ch in
            let first = x[ch]
            return data.sites.indices.contains { x[$0 * c + ch] != first }
        }
        var usedWeights = used
        if !varying.contains(where: { chosen[$0] > 0 }) {
            chosen = [Double](repeating: 1, count: c)
            usedWeights = .equal
        }
        guard !varying.isEmpty else {
            throw MapStageError(
                .applicability, file: nil,
                message: "predict.aoa: every covariate has the same value at all training sites")
        }
        let index = DissimilarityIndex(
            features: x, count: data.sites.count, channels: c, weights: chosen, folds: folds,
            rule: predict.aoaThreshold)
        return ApplicabilityFit(
            index: index, weights: usedWeights,
            constantChannels: index.constantChannels.map { data.channels[$0].name }, siteIDs: data.sites.map(\.id))
    }
}
