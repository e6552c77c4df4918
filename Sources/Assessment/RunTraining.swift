import Configuration
import Evaluation
import Experiments
import Foundation
import Models
import Patches
import Randomness
import RasterIO
import Reports
import Runtime
import Workspace

/// A run's training as an experiment (`Experiments.Experiment`): the pipeline's models as variants on
/// the evaluation's folds, and their final fits, saved unit by unit in the output folder's control
/// folder. A killed run continues with the units not yet saved, `--part i/n` fits a deterministic
/// share of them, and every unit gives the same bytes whichever process fits it.
public final class RunTraining {
    /// What the training reads of the pipeline.
    let settings: AssessmentSettings
    /// The `train` section.
    public let train: TrainConfig
    /// The cross-validation and final fits of the pipeline's models.
    public let experiment: Experiment
    /// The unit store (tagged with the pipeline file's hash).
    public var store: UnitStore { experiment.store }
    /// The prediction cells the evaluation compares the sites with (kNNDM, geodist); nil without `evaluate`.
    public let domain: PredictionDomain?
    /// The combined model's weights, once computed.
    private var combination: CombinationWeights?

    /// The run's experiment on `data` (every channel), its models reading `channels` (the covariate
    /// selection's, or all), saved in the published layout's units folder; `domain` (`Self.domain`) are
    /// the prediction cells of kNNDM folds and the geodist table.
    public init(
        _ settings: AssessmentSettings, train: TrainConfig, data: PatchDataset, channels: ChannelChoice,
        store: UnitStore, domain: PredictionDomain?
    ) throws {
        self.settings = settings
        self.train = train
        self.domain = domain
        let finalData = channels.finalChannels.map { data.selecting(channels: $0) } ?? data
        try ModelStages.checkAugmentation(train.settings, data: finalData, file: settings.file)
        let plan = try settings.evaluate.map { try Self.plan(settings, $0, data: data, domain: domain) }
        let combine = train.combine
        let mapped =
            settings.predict.map { p in
                p.mapsCVModels ? [p.model] + (p.model == .combined ? combine?.members ?? [] : []) : []
            } ?? []
        let variants = train.models.filter { $0 != .combined }.map { kind in
            var v = Variant(
                name: kind.rawValue, model: kind, settings: train.settings, channels: channels,
                seeds: SeedStream(root: settings.seed).child("train"),
                freezeSweep: kind == .transfer ? settings.evaluate?.freezeSweep ?? [] : [],
                keepsFoldModels: settings.evaluate?.importance == true || mapped.contains(kind))
            if let combine, combine.needsInnerFolds, combine.members.contains(kind) {
                v.innerFolds = combine.innerFolds
            }
            if let kriged = Self.kriged(settings, combine: combine), kriged.members.contains(kind) {
                v.innerFolds = kriged.innerFolds
            }
            return v
        }
        do {
            experiment = try Experiment(
                data: data, plan: plan, variants: variants, finals: true, predictsTraining: true,
                store: store)
        } catch let e as ExperimentError {
            throw StageError(
                stage: .init(e.kind), file: e.kind == .folds ? settings.file : e.path, message: e.message)
        }
    }

    /// The models whose inner folds the mapped model's kriged residuals come from (its members when it is the
    /// combined model, else itself) and the inner fold count; nil without `predict.residual_kriging`.
    static func kriged(
        _ settings: AssessmentSettings, combine: CombineSettings?
    ) -> (members: [ModelKind], innerFolds: Int)? {
        guard let predict = settings.predict, let kriging = predict.residualKriging, settings.evaluate != nil else {
            return nil
        }
        let members = predict.model == .combined ? combine?.members ?? [] : [predict.model]
        return (members, kriging.innerFolds)
    }

    /// The unit store of a run's output folder, tagged with the pipeline file's hash.
    public static func store(_ settings: AssessmentSettings, layout: OutputLayout) throws -> UnitStore {
        UnitStore(folder: layout.unitsFolder, tag: try pipelineHash(settings.file))
    }

    /// The hash of the pipeline file's bytes: parts of one run must share it.
    static func pipelineHash(_ file: String) throws -> String {
        guard let bytes = FileManager.default.contents(atPath: file) else {
            throw StageError(
                stage: .train, file: file,
                message: "cannot read the pipeline file again to fingerprint the training units")
        }
        return String(format: "%016llx", bytes.withUnsafeBytes { FNV1a.hash64($0) })
    }

    /// The evaluation's fold of each site of a patch data set, recomputed from the seed (the area of
    /// applicability of `socmap predict`; kNNDM folds sample their prediction cells from `stack` again,
    /// as the run did); nil when the pipeline has no 'evaluate' section.
    public static func siteFolds(
        _ settings: AssessmentSettings, stack: CovariateStack
    ) -> ((PatchDataset) throws -> [Int])? {
        settings.evaluate.map { evaluate in
            { data in
                let domain = evaluate.split == .knndm ? try Self.domain(settings, stack: stack) : nil
                return try plan(settings, evaluate.bySites, data: data, domain: domain).foldOfSite
            }
        }
    }

    /// The prediction cells of the run's evaluation (`PredictionCells`, sampled with the seed from
    /// `stack`, the whole covariate stack); nil when the pipeline has no 'evaluate' section.
    public static func domain(_ settings: AssessmentSettings, stack: CovariateStack) throws -> PredictionDomain? {
        guard settings.evaluate != nil else { return nil }
        return try PredictionCells.sample(stack: stack, seed: settings.seed, file: settings.file)
    }

    /// The folds of `evaluate` on `data` (spatial blocks in the unit of the grid's CRS; kNNDM folds
    /// matched to `domain`'s prediction cells).
    public static func plan(
        _ settings: AssessmentSettings, _ evaluate: EvaluateConfig, data: PatchDataset, domain: PredictionDomain?
    ) throws -> FoldPlan {
        do {
            let unit = ModelStages.blockUnit(try CRS(wkt: data.grid.crsWKT))
            return try FoldPlan.make(
                data, spec: evaluate.spec(seed: settings.seed), blockUnit: unit, domain: domain)
        } catch let e as ExperimentError {
            throw StageError(
                stage: .init(e.kind), file: e.kind == .folds ? settings.file : e.path, message: e.message)
        }
    }

    /// The unit of a model kind: on a 0-based fold, or the final fit (nil).
    public func unit(_ kind: ModelKind, fold: Int?) -> TrainingUnit { TrainingUnit(variant: kind.rawValue, fold: fold) }

    /// "12 units (5 folds x 2 models + 2 final models)"; nested weights or kriged residuals add "50 inner folds
    /// (nnls weights, kriged residuals) + ".
    public var unitsText: String {
        let models = experiment.variants.count
        let inner = experiment.units.filter { $0.inner != nil }.count
        return "\(experiment.units.count) units ("
            + (experiment.plan.map { "\($0.k) folds x \(models) \(models == 1 ? "model" : "models") + " } ?? "")
            + (inner > 0 ? "\(inner) inner folds (\(innerPurpose)) + " : "")
            + "\(models) final \(models == 1 ? "model" : "models"))"
    }

    /// What the inner folds serve: the combined model's nnls weights, the kriged residuals, or both.
    var innerPurpose: String {
        let nnls = train.combine?.needsInnerFolds == true
        let kriging = settings.predict?.residualKriging != nil
        return [nnls ? "the combined model's weights" : nil, kriging ? "the kriged residuals" : nil].compactMap { $0 }
            .joined(separator: " and ")
    }

    /// The combined model's weights on the run's folds (`train.combine`); nil without `combined` in `train.models`.
    public func combinationWeights() throws -> CombinationWeights? {
        guard let combine = train.combine else { return nil }
        if let cached = combination { return cached }
        do {
            let w = try experiment.combinationWeights(
                members: combine.members.map(\.rawValue), method: combine.weights)
            combination = w
            return w
        } catch let e as ExperimentError {
            throw StageError(stage: .evaluate, file: e.path, message: e.message)
        }
    }

    /// Fits every unit of `todo` not saved yet.
    @discardableResult
    public func fit(_ todo: [TrainingUnit], observer: ExperimentObserver) throws -> (trained: Int, reused: Int) {
        do { return try experiment.fit(todo, observer: observer, owner: "this pipeline") } catch let e
            as ExperimentError
        {
            throw StageError(stage: .init(e.kind), file: e.path, message: e.message)
        }
    }

    /// The training for the run's record: every unit with the seconds its record saved (whichever process
    /// fitted it), `fittedHere` the units this process fitted, the protocol's changed keys.
    public func record(fittedHere: Set<TrainingUnit>, wallSeconds: Double, merged: Bool) throws -> RunRecord.Training {
        var t = RunRecord.Training()
        (t.models, t.changedSettings) = (train.models.map(\.rawValue), TrainSettingsText.changed(train.settings))
        (t.wallSeconds, t.merged) = (wallSeconds, merged)
        do {
            t.units = try experiment.units.map { unit in
                .init(
                    name: unit.name, model: unit.variant, fold: unit.fold.map { $0 + 1 },
                    seconds: try experiment.record(unit).seconds, fittedHere: fittedHere.contains(unit))
            }
        } catch let e as ExperimentError {
            throw StageError(stage: .train, file: e.path, message: e.message)
        }
        return t
    }

    /// Copies a unit's model into `destination`.
    func copyModel(_ unit: TrainingUnit, to destination: String) throws -> [String] {
        do { return try experiment.copyModel(unit, to: destination) } catch let e as ExperimentError {
            throw StageError(
                stage: e.kind == .store ? .write : .train, file: e.path,
                message: e.kind == .missingUnits
                    ? """
                    the training unit \(unit.label) is missing or was made from another pipeline; run `socmap \
                    run \(settings.file)` again
                    """
                    : e.message)
        }
    }

    /// Writes the combined model of fold `fold` (nil: the final fit) into `destination`: each member's model of
    /// that fold copied into the folder named by its kind, then model.json with `weights` (one per member and
    /// depth) and the folder's checksums (`ModelStore.writeCombination`); returns its files.
    func writeCombined(
        _ combination: CombinationWeights, weights: [[Double]], fold: Int?, to destination: String
    ) throws -> [String] {
        let kinds = combination.members.compactMap(ModelKind.init(rawValue:))
        for kind in kinds {
            _ = try copyModel(
                unit(kind, fold: fold), to: (destination as NSString).appendingPathComponent(kind.rawValue))
        }
        do {
            return try ModelStore.writeCombination(
                in: destination, weighting: CombineWeights(rawValue: combination.method) ?? .equal, weights: weights,
                kinds: kinds)
        } catch let e as ModelStore.LoadError {
            throw StageError(stage: .train, file: e.path, message: e.message)
        }
    }

    // MARK: Parts and merge

    /// Refuses a part when another part of the folder ran another pipeline file; then records this part.
    public func startPart(_ part: Share) throws {
        do { try experiment.startPart(part, file: settings.file) } catch let e as ExperimentError {
            throw StageError(stage: .run, file: e.path, message: e.message)
        }
    }

    /// Checks before a merge that every unit is saved from this pipeline and data; the error names
    /// the parts that ran another pipeline, the missing units and the commands that train them.
    public func checkComplete() throws {
        do { try experiment.checkComplete(file: settings.file, command: "socmap run \(settings.file)") } catch let e
            as ExperimentError
        {
            throw StageError(stage: .merge, file: e.path, message: e.message)
        }
    }

    /// Removes every saved unit of an earlier run of another pipeline file (a new run starts over);
    /// returns a line for the report of what went, or nil.
    public static func discardOtherPipelines(_ store: UnitStore) -> String? {
        guard let stale = store.discardOtherOwners() else { return nil }
        return
            """
            removed \(stale) training \(stale == 1 ? "unit" : "units") saved by an earlier run of another \
            pipeline file
            """
    }
}

extension ChannelChoice {
    /// The channels of the final fit; nil for every channel.
    var finalChannels: [Int]? {
        switch self {
        case .all: return nil
        case .fixed(let c): return c
        case .perFold(_, let final): return final
        }
    }
}

extension EvaluateConfig {
    /// The folds this section asks for, dealt with `seed`.
    public func spec(seed: UInt64) -> FoldSpec {
        FoldSpec(folds: folds, split: split, blockSize: blockSize, seed: seed)
    }

    /// The same section holding out whole sites (the area of applicability and covariate selection
    /// group by site whatever `split` says): `samples` becomes `sites`; kNNDM folds are of sites already.
    public var bySites: EvaluateConfig {
        var e = self
        if e.split == .samples { e.split = .sites }
        return e
    }
}
