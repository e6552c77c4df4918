import Assessment
import Configuration

/// What the training and evaluation stages (the `Assessment` module) take from the pipeline.
extension AssessmentSettings {
    /// The training and evaluation stages' settings of `config`.
    public init(_ config: PipelineConfig) {
        var gridRaster: String?
        if case .raster(let path) = config.covariates.grid { gridRaster = path }
        self.init(
            name: config.name, file: config.file, seed: config.seed, train: config.train, select: config.select,
            evaluate: config.evaluate,
            predict: config.predict.map {
                var p = Predict(
                    model: $0.model, interval: $0.interval, intervalMethod: $0.intervalMethod,
                    uncertainty: $0.uncertainty, mapsCVModels: $0.mapsCVModels)
                p.backTransform = $0.backTransform
                p.residualKriging = $0.residualKriging
                return p
            },
            gridRaster: gridRaster, errorAt: config.errorAt)
    }
}
