import Configuration
import Evaluation
import Models

/// What the training and evaluation stages read of a pipeline: its `train`, `select` and `evaluate`
/// sections, what the evaluation needs of `predict`, its name, seed and file.
public struct AssessmentSettings: Sendable {
    /// What the evaluation reads of the `predict` section.
    public struct Predict: Sendable {
        /// The model that maps (`predict.model`): its fold models are kept, its intervals checked.
        public var model: ModelKind
        /// The prediction interval's nominal coverage (`predict.interval`).
        public var interval: Double
        /// How the interval's half-width varies from cell to cell (`predict.interval_method`).
        public var intervalMethod: IntervalMethod
        /// Whether the maps carry the interval's bounds (`predict.uncertainty`): each depth needs a finite interval.
        public var uncertainty: Bool
        /// Whether the maps need the mapped model's fold models (`predict.uncertainty` with `predict.cv_spread`).
        public var mapsCVModels: Bool
        /// What a log1p model's maps and scores hold (`predict.back_transform`).
        public var backTransform: BackTransform = .default
        /// Residual kriging of the mapped model (`predict.residual_kriging`): scored as "<model>+rk"; nil: off.
        public var residualKriging: ResidualKrigingSettings? = nil

        /// Creates the `predict` settings.
        public init(
            model: ModelKind, interval: Double, intervalMethod: IntervalMethod, uncertainty: Bool, mapsCVModels: Bool
        ) {
            self.model = model
            self.interval = interval
            self.intervalMethod = intervalMethod
            self.uncertainty = uncertainty
            self.mapsCVModels = mapsCVModels
        }
    }

    /// The run's name (`name`), in the titles of the evaluation's and the study's reports.
    public var name: String
    /// The pipeline file, named in messages; its bytes tag the run's training units.
    public var file: String
    /// The pipeline's seed (`seed`), which deals the folds and seeds the training.
    public var seed: UInt64
    /// The `train` section (nil: no training).
    public var train: TrainConfig?
    /// The `select` section (nil: every covariate).
    public var select: SelectConfig?
    /// The `evaluate` section (nil: no cross-validation).
    public var evaluate: EvaluateConfig?
    /// What the evaluation reads of the `predict` section (nil: no maps).
    public var predict: Predict?
    /// The raster of `covariates.grid`, whose covariate is the held-out sites' background (nil: an explicit grid).
    public var gridRaster: String?
    /// Makes the error of a key of the pipeline file at its line and column (`evaluate.zones`).
    public var errorAt: KeyErrorMaker

    /// Creates the settings.
    public init(
        name: String, file: String, seed: UInt64, train: TrainConfig?, select: SelectConfig?,
        evaluate: EvaluateConfig?, predict: Predict?, gridRaster: String?, errorAt: @escaping KeyErrorMaker
    ) {
        self.name = name
        self.file = file
        self.seed = seed
        self.train = train
        self.select = select
        self.evaluate = evaluate
        self.predict = predict
        self.gridRaster = gridRaster
        self.errorAt = errorAt
    }
}
