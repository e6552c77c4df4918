import FileIO
import Foundation
import Models
import Patches
import Randomness
import Runtime
import TextFormat

/// Receives an experiment's notes and progress (the pipeline's observer is one).
public protocol ExperimentObserver: AnyObject {
    /// Progress within the current stage, with a short detail such as the current loss.
    func progress(_ label: String, done: Int, total: Int, detail: String)
    /// A line worth showing the user.
    func note(_ text: String)
}

/// Variants fitted on the folds of a plan (and, when asked, on every sample: the final fits), one
/// unit at a time, each saved in a `UnitStore` when done: the one loop behind a run's
/// cross-validation and final models, a study and covariate selection. A killed process continues
/// with the units not saved, processes sharing the store fit each unit once, and every unit gives
/// the same bytes whichever process fits it.
public final class Experiment {
    /// The data every variant reads (the channels of its `ChannelChoice`).
    public let data: PatchDataset
    /// The folds; nil for an experiment of final fits only.
    public let plan: FoldPlan?
    /// The variants, in order.
    public let variants: [Variant]
    /// Every unit in fitting order: fold by fold every variant, then the final fits.
    public let units: [TrainingUnit]
    /// Where the units are saved.
    public let store: UnitStore
    /// Whether a fold's unit also predicts its training samples (the intervals' spread of fold models).
    public let predictsTraining: Bool
    /// A hash of the data and folds the units are made from.
    public let dataHash: String
    /// Pre-trainings shared between transfer variants that differ only in fine-tuning, so far.
    public private(set) var sharedPretrainings = 0

    /// The inner folds of each outer fold, by their count (`Variant.innerFolds`); shared by every variant.
    public let innerPlans: [Int: [FoldPlan]]

    private let byName: [String: Variant]
    private var selected: (channels: [Int], data: PatchDataset)?

    /// An experiment of `variants` on `plan`'s folds (with `folds`; none without a plan) and, with
    /// `finals`, on every sample of the plan (of the data without a plan).
    public init(
        data: PatchDataset, plan: FoldPlan?, variants: [Variant], folds: Bool = true, finals: Bool,
        predictsTraining: Bool = false, store: UnitStore
    ) throws {
        precondition(Set(variants.map(\.name)).count == variants.count, "Experiment: variant names must be unique")
        precondition(
            !variants.contains { $0.model == .combined },
            "Experiment: a combined model trains nothing; its members are variants (Assessment.Combination weighs them)"
        )
        try FoldPlan.check(data, folds: plan?.k)
        self.data = data
        self.plan = plan
        self.variants = variants
        self.store = store
        self.predictsTraining = predictsTraining
        byName = Dictionary(uniqueKeysWithValues: variants.map { ($0.name, $0) })
        var list: [TrainingUnit] = []
        var inner: [Int: [FoldPlan]] = [:]
        if let plan, folds {
            for count in Set(variants.map(\.innerFolds)) where count > 0 {
                inner[count] = try (0..<plan.k).map { try Self.innerPlan(plan, fold: $0, folds: count, data: data) }
            }
            for fold in 0..<plan.k {
                for v in variants {
                    list.append(TrainingUnit(variant: v.name, fold: fold))
                    for j in 0..<v.innerFolds { list.append(TrainingUnit(variant: v.name, fold: fold, inner: j)) }
                }
            }
        }
        innerPlans = inner
        if finals { for v in variants { list.append(TrainingUnit(variant: v.name, fold: nil)) } }
        units = list
        var h = Self.hash(data)
        if let plan { h ^= SplitMix64.mix(plan.hash) }
        dataHash = String(format: "%016llx", h)
    }

    /// The `folds` inner folds of outer fold `fold`: the sites it trains on dealt as the outer plan deals
    /// (random groups, or blocks of its size), with a seed of the outer plan's seed and the fold alone, so
    /// every variant and process deals the same.
    static func innerPlan(_ plan: FoldPlan, fold: Int, folds: Int, data: PatchDataset) throws -> FoldPlan {
        let seed = SeedStream(root: plan.design.seed).child("inner").child(fold).seed
        let block = plan.design.grouping == .spatialBlocks ? plan.design.blockSize : nil
        return try plan.nested(in: fold, data: data, spec: FoldSpec(folds: folds, blockSize: block, seed: seed))
    }

    /// The variant named `name`.
    public func variant(_ name: String) -> Variant {
        guard let v = byName[name] else { preconditionFailure("Experiment: no variant '\(name)'") }
        return v
    }

    /// The seed of a unit: its variant's stream `fold/k`, or `final`.
    public func seed(_ unit: TrainingUnit) -> UInt64 {
        let s = variant(unit.variant).seeds
        guard let fold = unit.fold else { return s.child("final").seed }
        return unit.inner.map { s.child("fold").child(fold).child("inner").child($0).seed }
            ?? s.child("fold").child(fold).seed
    }

    /// What a unit's record must carry to be reused: the data and folds, the variant's model,
    /// changed settings, channels, seed and what it keeps, and the unit (an inner unit also its inner fold count,
    /// which the outer fold's and final units do not depend on).
    public func fingerprint(_ unit: TrainingUnit) -> String {
        let v = variant(unit.variant)
        let text = """
            \(Variant.changedSettings(v.settings))|\(v.model.rawValue)|\
            \(v.channels.channels(fold: unit.fold).map { "\($0)" } ?? "all")|\(seed(unit))|\(v.freezeSweep)|\
            \(v.keepsFoldModels)|\(v.keepsFinalModel)|\(v.recordsImportance)|\(predictsTraining)
            """ + (unit.inner != nil ? "|inner\(v.innerFolds)" : "")
        return String(format: "%@-%016llx-%@", dataHash, FNV1a.hash64(Array(text.utf8)), unit.name)
    }

    /// The relative cost of fitting a unit, in epochs over every sample: shares and ETAs weigh
    /// units by it. A forest counts its tuning grid's trees.
    public func cost(_ unit: TrainingUnit) -> Double {
        let s = variant(unit.variant).settings
        let k = plan?.k ?? 2
        var share = unit.fold == nil ? 1.0 : Double(max(k - 1, 1)) / Double(k)
        if unit.inner != nil {
            let inner = Double(variant(unit.variant).innerFolds)
            share *= max(inner - 1, 1) / inner
        }
        let members = Double(max(s.ensemble, 1))
        let epochs: Double
        switch variant(unit.variant).model {
        case .transfer: epochs = Double(s.epochs) + members * Double(s.fineTuneEpochs)
        case .cnn, .mtcnn: epochs = members * Double(s.epochs)
        case .rf:
            let grid = Double(max(s.maxFeatures.count, 1) * max(s.minSamplesLeaf.count, 1))
            epochs = (Double(s.tuningTrees) * grid + Double(s.trees)) / 100
        case .combined: preconditionFailure("Experiment: a combined model is no variant")
        }
        return share * max(epochs, 1)
    }

    /// The units of `share`, in fitting order: dealt by cost (`Share.deal`), so every process of a
    /// job computes the same shares.
    public func units(of share: Share) -> [TrainingUnit] { share.deal(costs: units.map(cost)).map { units[$0] } }

    /// The saved record of `unit` when it matches this experiment; nil otherwise.
    public func saved(_ unit: TrainingUnit) -> UnitRecord? { store.saved(unit.name, fingerprint: fingerprint(unit)) }

    /// A saved unit's record; an error naming it when it is missing (fit or check every unit first).
    public func record(_ unit: TrainingUnit) throws -> UnitRecord {
        guard let r = saved(unit) else {
            if let reason = store.damage(unit.name) {
                throw ExperimentError(
                    .missingUnits, path: store.unitFolder(unit.name),
                    message: "the training unit \(unit.label) is damaged (\(reason)); run the command again to fit it")
            }
            throw ExperimentError(
                .missingUnits, path: store.unitFolder(unit.name),
                message: """
                    the training unit \(unit.label) is missing or was made from other \
                    inputs; run the command again to fit it
                    """
            )
        }
        return r
    }

    /// Copies a unit's saved model into `destination` (which must not exist); returns its files.
    public func copyModel(_ unit: TrainingUnit, to destination: String) throws -> [String] {
        guard let files = try record(unit).modelFiles else {
            throw ExperimentError(
                .store, path: store.unitFolder(unit.name),
                message: "the training unit \(unit.label) saved no model; run the command again")
        }
        try store.copyModel(unit.name, to: destination)
        return files.contains(Checksums.fileName) ? files : files + [Checksums.fileName]
    }

    // MARK: Fitting

    /// Fits every unit of `todo` not saved yet, in order, saving each when done. Each unit is
    /// claimed first: one another process is fitting is left for last and then waited for, so
    /// processes sharing the store fit each unit once. `owner` names who saved earlier units in
    /// the note ("this pipeline"); `describe` names a unit in progress lines (default "fold 2/5
    /// transfer", "final rf"). Returns the units fitted here, and those found saved.
    @discardableResult
    public func fit(
        _ todo: [TrainingUnit], observer: ExperimentObserver, owner: String,
        describe: ((TrainingUnit) -> String)? = nil
    ) throws -> (trained: Int, reused: Int) {
        let missing = todo.filter { saved($0) == nil }
        for unit in missing {
            if let reason = store.damage(unit.name) {
                observer.note(
                    "training unit \(unit.label) in '\(store.unitFolder(unit.name))' is damaged (\(reason)); "
                        + "fitting it again")
            }
        }
        if missing.count < todo.count {
            observer.note(
                """
                training: \(todo.count - missing.count) of \(todo.count) units saved by an earlier run of \
                \(owner); \(missing.count) to train
                """
            )
        }
        let name =
            describe ?? { u in
                u.fold.map { "fold \($0 + 1)/\(self.plan!.k) " + self.innerText(u) + u.variant } ?? "final \(u.variant)"
            }
        let totalCost = missing.reduce(0) { $0 + cost($1) }
        var doneCost = 0.0
        var trained = 0
        let start = Date()
        let cache = PretrainingCache()
        var cachedFold: Int?
        var deferred: [TrainingUnit] = []
        func fitOne(_ unit: TrainingUnit, _ claim: UnitStore.Claim, position: Int) throws {
            defer { claim.release() }
            guard saved(unit) == nil else { return }  // another process saved it meanwhile
            if unit.fold != cachedFold {
                cache.removeAll()
                cachedFold = unit.fold
            }
            let eta =
                doneCost > 0
                ? DurationText.clock(Date().timeIntervalSince(start) / doneCost * (totalCost - doneCost)) : "--"
            // One line per unit, also in logs that show no progress bars (a job array's output).
            observer.note("unit \(position)/\(missing.count): \(name(unit)) (training ETA \(eta))")
            // The model's name starts each progress stage ("transfer pre-train", "rf tuning 0-5cm").
            let v = variant(unit.variant)
            let what =
                describe.map { $0(unit) + ": " }
                ?? (unit.fold.map { "fold \($0 + 1)/\(plan!.k) " + innerText(unit) } ?? "final ")
                + (v.name == v.model.rawValue ? "" : "\(v.name): ")
            let prefix = "[unit \(position)/\(missing.count), training ETA \(eta)] " + what
            try fitUnit(unit, cache: cache) { e in
                let detail =
                    e.detail
                    ?? (e.validationLoss.isFinite
                        ? String(format: "loss %.4f  val %.4f", e.trainLoss, e.validationLoss)
                        : String(format: "loss %.4f", e.trainLoss))
                observer.progress(prefix + e.stage, done: e.epoch, total: e.epochs, detail: detail)
            }
            trained += 1
        }
        for (k, unit) in missing.enumerated() {
            guard let claim = try store.claim(unit.name, wait: false) else {
                deferred.append(unit)
                continue
            }
            try fitOne(unit, claim, position: k + 1)
            doneCost += cost(unit)
        }
        for unit in deferred {
            guard let claim = try store.claim(unit.name, wait: true) else { continue }
            try fitOne(unit, claim, position: missing.firstIndex(of: unit)! + 1)
            doneCost += cost(unit)
        }
        sharedPretrainings += cache.hits
        selected = nil  // the channel subset's copy of the patches goes with the fitting
        return (trained, todo.count - trained)
    }

    /// "inner 3/5 " for a unit on an inner fold, "" otherwise.
    func innerText(_ unit: TrainingUnit) -> String {
        unit.inner.map { "inner \($0 + 1)/\(variant(unit.variant).innerFolds) " } ?? ""
    }

    /// The data a variant's unit reads: its channels of `data`. The last subset is kept for the next
    /// unit (units go fold by fold, so neighbours share channels); no more, so memory holds at most
    /// one copy of the patches besides `data`.
    func data(for variant: Variant, fold: Int?) -> PatchDataset {
        guard let channels = variant.channels.channels(fold: fold) else { return data }
        if let last = selected, last.channels == channels { return last.data }
        selected = nil
        let d = data.selecting(channels: channels)
        selected = (channels, d)
        return d
    }

    /// Fits one unit and saves it.
    func fitUnit(_ unit: TrainingUnit, cache: PretrainingCache, progress: @escaping (TrainingEvent) -> Void) throws {
        let start = Date()
        let v = variant(unit.variant)
        let d = data(for: v, fold: unit.fold)
        var record = UnitRecord(fingerprint: fingerprint(unit), tag: store.tag, seed: seed(unit), seconds: 0)
        var kept: TrainedModel?
        if let fold = unit.fold, let inner = unit.inner {
            let (training, heldOut) = innerPlans[v.innerFolds]![fold].split(inner)
            record.heldOut = []
            if !heldOut.isEmpty && !training.isEmpty {
                let (models, _) = try ModelFitting.fit(
                    [v.model], data: TrainingData(data: d, samples: training), settings: v.settings, seed: seed(unit),
                    pretraining: cache, progress: progress)
                record.heldOut = models[v.model]!.predict(d, samples: heldOut)
            } else if !heldOut.isEmpty {
                record.heldOut = [Float](repeating: .nan, count: heldOut.count)
            }
        } else if let fold = unit.fold {
            let (training, heldOut) = plan!.split(fold)
            record.heldOut = []
            if !heldOut.isEmpty && !training.isEmpty {
                let (models, sweep) = try ModelFitting.fit(
                    [v.model], data: TrainingData(data: d, samples: training), settings: v.settings, seed: seed(unit),
                    freezeSweep: v.freezeSweep, pretraining: cache, progress: progress)
                let model = models[v.model]!
                record.heldOut = model.predict(d, samples: heldOut)
                if predictsTraining { record.trained = model.predict(d, samples: training) }
                if !sweep.isEmpty {
                    record.sweep = Dictionary(
                        uniqueKeysWithValues: sweep.map { ("F=\($0.key)", $0.value.predict(d, samples: heldOut)) })
                }
                if v.keepsFoldModels { kept = model }
            } else if !heldOut.isEmpty {
                record.heldOut = [Float](repeating: .nan, count: heldOut.count)
            }
        } else {
            let samples = plan?.allSamples ?? Array(d.samples.indices)
            let (models, _) = try ModelFitting.fit(
                [v.model], data: TrainingData(data: d, samples: samples), settings: v.settings,
                seed: seed(unit), progress: progress)
            let model = models[v.model]!
            if v.recordsImportance { record.importance = Self.importance(model, channels: d.channels.count) }
            if v.keepsFinalModel { kept = model }
        }
        record.seconds = Date().timeIntervalSince(start)
        try store.save(record, as: unit.name) { folder in
            guard let kept else { return nil }
            do { return try ModelStore.save(kept, data: d, settings: v.settings, to: folder) } catch {
                throw ExperimentError(.store, path: folder, message: "cannot save the model of \(unit.label): \(error)")
            }
        }
    }

    /// A forest's impurity importance per channel, averaged over its depth forests (zeros for a network).
    static func importance(_ model: TrainedModel, channels: Int) -> [Double] {
        guard case .forest(let forest) = model else { return [Double](repeating: 0, count: channels) }
        return forest.meanImportance(channels: channels)
    }

    // MARK: Cross-validation results

    /// Each sample's held-out prediction by `variant` (NaN where no fold predicted it), read from
    /// the saved fold units (every one must be saved).
    public func heldOut(_ variant: String) throws -> [Float] {
        try assemble(variant) { $0.heldOut }
    }

    /// Each sample's inner held-out prediction by `variant` inside outer fold `fold` (`Variant.innerFolds`):
    /// for every sample the fold trains on, the prediction of the inner fold model that held it out; NaN for
    /// every other sample and where no inner model predicted (every inner unit must be saved).
    public func innerHeldOut(_ variant: String, fold: Int) throws -> [Float] {
        let v = self.variant(variant)
        guard v.innerFolds > 0, let plans = innerPlans[v.innerFolds] else {
            preconditionFailure("Experiment: variant '\(variant)' has no inner folds")
        }
        var out = [Float](repeating: .nan, count: data.samples.count)
        for j in 0..<v.innerFolds {
            let heldOut = plans[fold].split(j).heldOut
            guard !heldOut.isEmpty else { continue }
            let unit = TrainingUnit(variant: variant, fold: fold, inner: j)
            guard let got = try record(unit).heldOut, got.count == heldOut.count else { throw mismatch(unit) }
            for (i, s) in heldOut.enumerated() { out[s] = got[i] }
        }
        return out
    }

    /// Each sample's held-out prediction by the freeze sweep's model `key` ("F=f") of `variant`.
    public func heldOutSweep(_ variant: String, key: String) throws -> [Float] {
        try assemble(variant) { $0.sweep?[key] }
    }

    private func assemble(_ variant: String, _ values: (UnitRecord) -> [Float]?) throws -> [Float] {
        guard let plan else { return [] }
        var out = [Float](repeating: .nan, count: data.samples.count)
        for fold in 0..<plan.k {
            let heldOut = plan.split(fold).heldOut
            guard !heldOut.isEmpty else { continue }
            let unit = TrainingUnit(variant: variant, fold: fold)
            guard let got = values(try record(unit)) else { continue }
            guard got.count == heldOut.count else { throw mismatch(unit) }
            for (i, s) in heldOut.enumerated() { out[s] = got[i] }
        }
        return out
    }

    /// Every fold model's prediction of every sample, held out or trained on (fold x sample; NaN
    /// where a fold has none): the spread of the other folds' models at a held-out sample is its
    /// difficulty for the adaptive interval. Needs `predictsTraining`.
    public func everyFoldPrediction(_ variant: String) throws -> [[Float]] {
        guard let plan else { return [] }
        var out = [[Float]](repeating: [Float](repeating: .nan, count: data.samples.count), count: plan.k)
        for fold in 0..<plan.k {
            let (training, heldOut) = plan.split(fold)
            guard !heldOut.isEmpty else { continue }
            let unit = TrainingUnit(variant: variant, fold: fold)
            let r = try record(unit)
            guard let held = r.heldOut, held.count == heldOut.count else { throw mismatch(unit) }
            for (i, s) in heldOut.enumerated() { out[fold][s] = held[i] }
            if let trained = r.trained, !training.isEmpty {
                guard trained.count == training.count else { throw mismatch(unit) }
                for (i, s) in training.enumerated() { out[fold][s] = trained[i] }
            }
        }
        return out
    }

    private func mismatch(_ unit: TrainingUnit) -> ExperimentError {
        ExperimentError(
            .store, path: store.unitFolder(unit.name),
            message: "the saved training unit does not match the fold's samples; remove it and run again")
    }

    /// A hash of the patches, channels and samples: units made from other data are not reused.
    static func hash(_ data: PatchDataset) -> UInt64 {
        var h = data.patches.withUnsafeBytes { FNV1a.hash64($0) }
        h ^= SplitMix64.mix(FNV1a.hash64(Array(data.channels.map(\.name).joined(separator: "\u{1F}").utf8)))
        for s in data.samples {
            let words = [UInt64(s.site), UInt64(s.depth), UInt64(s.value.bitPattern)]
            h ^= words.withUnsafeBytes { FNV1a.hash64($0) }
            h = SplitMix64.mix(h)
        }
        return h
    }
}
