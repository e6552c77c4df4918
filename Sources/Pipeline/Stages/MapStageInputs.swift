import Assessment
import Cartography
import Configuration
import Inputs
import Patches
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
            lowerLimit: config.profiles.validRange?.min, published: OutputLayout(config),
            errorAt: { config.error(at: $0, $1) })
    }
}

extension MapEvaluation {
    /// What the map stage maps with of the run's cross-validation.
    init(_ evaluation: EvaluationResult) {
        self.init(
            table: evaluation.table, cvModelFolders: evaluation.cvModelFolders, foldOfSite: evaluation.foldOfSite,
            intervals: evaluation.intervals)
    }
}

extension MapStage {
    /// The pipeline's `predict` section; an error naming the pipeline file when it has none.
    static func predictSection(_ config: PipelineConfig) throws -> PredictConfig {
        try predictSection(config.predict, file: config.file)
    }

    /// The evaluation's fold of each site of a patch data set, recomputed from the seed (the area of
    /// applicability of `socmap predict`); nil when `config` has no 'evaluate' section.
    static func siteFolds(_ config: PipelineConfig) -> ((PatchDataset) throws -> [Int])? {
        config.evaluate.map { evaluate in
            { data in try RunTraining.plan(config, evaluate.bySites, data: data).foldOfSite }
        }
    }

    /// The inputs an earlier run of `config` saved in `layout` (`socmap predict`).
    static func savedInputs(_ config: PipelineConfig, layout: OutputLayout) throws -> MapInputs {
        let predict = try predictSection(config)
        return try savedInputs(MapSettings(config, predict), layout: layout, folds: siteFolds(config))
    }
}

extension ProfileStage {
    /// Checks `config`'s `stocks` inputs against the grid before any work (`ProfileStage.check`).
    static func check(_ config: PipelineConfig, grid: Grid) throws -> [String] {
        try check(
            config.stocks, grid: grid, tileSize: config.covariates.tileSize, errorAt: { config.error(at: $0, $1) })
    }
}
