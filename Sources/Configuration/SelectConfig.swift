import Foundation
import Models

/// The `select` section: the covariate selection of Han et al. (2025, Sec. 2.2) before the models
/// are evaluated and trained (`SelectionStage`).
public struct SelectConfig: Sendable, Equatable {
    /// `min_correlation`: covariates whose |r| with the property is below this are dropped.
    public var minCorrelation: Double = 0.05
    /// `max_pair_correlation`: of two covariates correlated above this, the one less correlated with the
    /// property is dropped.
    public var maxPairCorrelation: Double = 0.8
    /// `group_size`: candidate subsets grow by this many covariates (the first g ranked, 2g, ..., all).
    public var groupSize: Int = 10
    /// `order`: how the covariates left by the filters are ranked.
    public var order: SelectionOrder = .correlation
    /// `model`: the model whose cross-validated RMSE scores each subset.
    public var model: ModelKind = .transfer
    /// `per_fold`: redo the whole selection inside each evaluation fold on its training sites.
    public var perFold: Bool = false
}

/// How `select` ranks the covariates left by the filters (`select.order`).
public enum SelectionOrder: String, Sendable, CaseIterable {
    /// By |r| with the property, highest first.
    case correlation
    /// By a random forest's impurity importance on the centre cells (summed over a covariate's
    /// one-hot channels, averaged over the depths' forests), highest first.
    case forestImportance = "forest_importance"
}

extension PipelineConfig {
    /// The `select` section; it needs `train` (the settings of the scoring model) and `evaluate`
    /// (its folds score the subsets), which `hasTrain` and `hasEvaluate` say.
    static func parseSelect(
        _ value: YAMLValue?, hasTrain: Bool, hasEvaluate: Bool,
        predict: PredictConfig?
    ) throws -> SelectConfig? {
        guard let value else { return nil }
        let m = try value.mapping()
        typealias K = SelectKeys
        let s = SelectConfig(
            minCorrelation: try m.read(K.minCorrelation), maxPairCorrelation: try m.read(K.maxPairCorrelation),
            groupSize: try m.read(K.groupSize), order: try m.read(K.order), model: try m.read(K.model),
            perFold: try m.read(K.perFold))
        try m.finish()
        guard hasTrain, hasEvaluate else {
            throw value.error(
                "'select' scores covariate subsets by cross-validation with the train settings: it needs a "
                    + "'train' and an 'evaluate' section")
        }
        if s.perFold, let predict, predict.mapsCVModels, let v = m.optional(K.perFold.name) {
            throw v.error(
                "with per_fold: true each fold's model reads its own covariates, so predict.cv_spread cannot "
                    + "map the fold models over one stack; set per_fold: false or cv_spread: false")
        }
        return s
    }
}
