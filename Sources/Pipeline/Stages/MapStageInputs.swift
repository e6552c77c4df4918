import Assessment
import Cartography
import Configuration
import Inputs
import RasterIO
import Workspace

/// What the map stage (the `Cartography` module) takes from the pipeline: its sections and the run's
/// values, the evaluation's folds, fold models and metrics.
extension MapSettings {
    /// The map stage's settings of `config`, whose `predict` section is `predict`.
    init(_ config: PipelineConfig, _ predict: PredictConfig) {
        self.init(
            predict: predict, stocks: config.stocks, depths: config.depths, runName: config.name, file: config.file,
            selectsCovariates: config.select != nil, evaluated: config.evaluate != nil,
            lowerLimit: config.profiles.validRange?.min, validRange: config.profiles.validRange,
            published: OutputLayout(config),
            errorAt: config.errorAt)
    }
}

extension MapEvaluation {
    /// What the map stage maps with of the run's cross-validation.
    init(_ evaluation: EvaluationResult) {
        self.init(
            table: evaluation.table, cvModelFolders: evaluation.cvModelFolders, foldOfSite: evaluation.foldOfSite,
            intervals: evaluation.intervals)
        predictions = evaluation.predictions
    }
}

extension MapStage {
    /// The pipeline's `predict` section; an error naming the pipeline file when it has none.
    static func predictSection(_ config: PipelineConfig) throws -> PredictConfig {
        try predictSection(config.predict, file: config.file)
    }

    /// The inputs an earlier run of `config` saved in `layout` (`socmap predict`); `stack` is the
    /// covariate stack kNNDM folds sample their prediction cells from.
    static func savedInputs(_ config: PipelineConfig, layout: OutputLayout, stack: CovariateStack) throws -> MapInputs {
        let predict = try predictSection(config)
        return try savedInputs(
            MapSettings(config, predict), layout: layout,
            folds: RunTraining.siteFolds(AssessmentSettings(config), stack: stack))
    }
}
