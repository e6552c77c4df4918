import Configuration
import Evaluation
import Experiments
import Foundation
import Inputs
import Models
import Randomness

/// `evaluate.importance`: what drives the map (Han et al. 2025, Secs. 4.4-4.5), from the saved units of the
/// run's training (nothing is refitted): every model's permutation importance on the held-out folds, the
/// final random forests' impurity importance, and the partial dependence of the mapped model's final fit.
enum ImportanceStage {
    /// The seed stream the permutations draw from: `<seed>/importance`.
    static func seeds(_ settings: AssessmentSettings) -> SeedStream {
        SeedStream(root: settings.seed).child("importance")
    }

    /// The model whose partial dependence is drawn: `predict.model` when it is trained, else the first model.
    static func dependenceModel(_ settings: AssessmentSettings, models: [ModelKind]) -> ModelKind {
        settings.predict.map(\.model).flatMap { models.contains($0) ? $0 : nil } ?? models[0]
    }

    /// Measures the importance of every model of the run (every fold unit must have kept its model, which
    /// `evaluate.importance` asks of the variants).
    static func measure(
        _ settings: AssessmentSettings, training: RunTraining, evaluate: EvaluateConfig, observer: StageObserver
    ) throws -> CovariateImportance {
        let experiment = training.experiment
        let models = training.train.models
        let names = models.map(\.rawValue)
        let labels = experiment.data.depths.map(\.label)
        let seeds = Self.seeds(settings)
        let covariates = CovariateChannels.of(experiment.data.channels).count
        var rows: [PermutationImportanceRow] = []
        do {
            for name in names {
                let start = Date()
                rows += try experiment.permutationImportance(
                    name, repeats: evaluate.importanceRepeats, seeds: seeds,
                    combination: name == ModelKind.combined.rawValue ? training.combinationWeights() : nil)
                observer.note(
                    String(
                        format: "importance: %@, %d covariates x %d permutations on %d folds, %.1f s", name, covariates,
                        evaluate.importanceRepeats, evaluate.folds, Date().timeIntervalSince(start)))
            }
            var importance = CovariateImportance(
                models: names, depthLabels: labels, repeats: evaluate.importanceRepeats, seeds: seeds.path,
                rows: rows)
            if models.contains(.rf) {
                importance.forest = try forestTable(experiment, labels: labels)
            }
            let mapped = dependenceModel(settings, models: models)
            let start = Date()
            let curves = try experiment.partialDependence(
                mapped.rawValue, ranked: labels.map { importance.ranked(depth: $0, models: [mapped.rawValue]) },
                count: PartialDependence.covariatesPerDepth,
                combination: mapped == .combined ? training.combinationWeights() : nil)
            importance.partialDependence = PartialDependence(
                model: mapped.rawValue, fit: "final model, models/\(mapped.rawValue)/", curves: curves)
            observer.note(
                String(
                    format: "partial dependence: %@, %d curves, %.1f s", mapped.rawValue, curves.count,
                    Date().timeIntervalSince(start)))
            return importance
        } catch let e as ExperimentError {
            throw StageError(stage: .evaluate, file: e.path, message: e.message)
        }
    }

    /// The final random forests' impurity importance per covariate and depth (as `models/rf/importance.csv`).
    static func forestTable(_ experiment: Experiment, labels: [String]) throws -> ForestImportanceTable? {
        guard
            case .forest(let forest) = try experiment.savedModel(
                TrainingUnit(variant: ModelKind.rf.rawValue, fold: nil))
        else { return nil }
        let channels = experiment.channels(of: ModelKind.rf.rawValue, fold: nil)
        let t = forest.importanceTable(channels: channels)
        return ForestImportanceTable(
            model: ModelKind.rf.rawValue, depthLabels: labels, covariates: t.covariates,
            values: t.covariates.indices.map { k in
                labels.indices.map { d in d < t.byDepth.count ? t.byDepth[d]?[k] ?? .nan : .nan }
            }, mean: t.mean)
    }
}
