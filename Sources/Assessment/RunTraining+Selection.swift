import Configuration
import Evaluation
import Experiments
import Inputs
import Patches
import Selection
import Workspace

/// The covariate selection a run's (or a study's) training reads from.
extension RunTraining {
    /// The pipeline's covariate selection (`select`, when it has one, with `evaluate` and `train`) on the
    /// evaluation's folds holding out whole sites (whatever the evaluation's split), its units in `store`:
    /// the data with only the kept covariates' channels (for the final models, maps and patch file), the
    /// selection, and the channels the training reads (each fold's own with `select.per_fold`).
    /// `domain`: the prediction cells of kNNDM folds (`RunTraining.domain`).
    public static func selectCovariates(
        _ settings: AssessmentSettings, data: PatchDataset, store: UnitStore, layout: OutputLayout,
        domain: PredictionDomain?, observer: StageObserver & ExperimentObserver
    ) throws -> (data: PatchDataset, selection: SelectionResult?, channels: ChannelChoice) {
        guard let select = settings.select, let evaluate = settings.evaluate, let train = settings.train else {
            return (data, nil, .all)
        }
        observer.stageStarted(SelectionStage.startText(select, folds: evaluate.folds))
        let plan = try plan(settings, evaluate.bySites, data: data, domain: domain)
        let s = try SelectionStage.run(
            select, data: data, settings: train.settings, plan: plan, folds: evaluate.bySites.spec(seed: settings.seed),
            seed: settings.seed, file: settings.file, store: store, layout: layout, observer: observer)
        return (data.selecting(channels: s.final.channels), s, s.channelChoice)
    }

    /// The run's covariate selection (when the pipeline has one) and training (nil without `train`), their
    /// units in `store`: `inputs` with only the kept covariates' channels, the selection and the training.
    public static func prepare(
        _ settings: AssessmentSettings, inputs: RunInputs, store: UnitStore, layout: OutputLayout,
        observer: StageObserver & ExperimentObserver
    ) throws -> (inputs: RunInputs, selection: SelectionResult?, training: RunTraining?) {
        guard let train = settings.train else { return (inputs, nil, nil) }
        let domain = try domain(settings, stack: inputs.stack)
        let s = try selectCovariates(
            settings, data: inputs.data, store: store, layout: layout, domain: domain, observer: observer)
        var used = inputs
        used.data = s.data
        let training = try RunTraining(
            settings, train: train, data: inputs.data, channels: s.channels, store: store, domain: domain)
        return (used, s.selection, training)
    }
}
