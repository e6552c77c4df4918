import Evaluation
import Foundation
import Models
import Patches
import Randomness

/// What drives a variant's models, from the models its units saved (`ChannelPerturbation`).
extension Experiment {
    /// The model a saved unit kept, loaded once its checksums verify; an error naming the unit when it
    /// kept none (its variant does not keep fold models) or the model is damaged.
    public func savedModel(_ unit: TrainingUnit) throws -> TrainedModel {
        guard try record(unit).modelFiles != nil else {
            throw ExperimentError(
                .store, path: store.unitFolder(unit.name),
                message: "the training unit \(unit.label) saved no model; run the command again to fit it")
        }
        do { return try ModelStore.load(folder: store.modelFolder(unit.name)).model } catch let e
            as ModelStore.LoadError
        {
            throw ExperimentError(
                .store, path: store.unitFolder(unit.name),
                message: "the model of the training unit \(unit.label) cannot be read (\(e.message)); remove the unit "
                    + "and run the command again")
        }
    }

    /// The saved model of `variant` on fold `fold` (nil: the final fit) with the data it reads; for a combination
    /// (`combination`, `variant` its name) its members' saved models summed with that fold's (or the final) weights.
    func model(
        _ variant: String, fold: Int?, combination: CombinationWeights?
    ) throws -> (model: TrainedModel, data: PatchDataset) {
        guard let combination else {
            return (
                try savedModel(TrainingUnit(variant: variant, fold: fold)), data(for: self.variant(variant), fold: fold)
            )
        }
        let members = try combination.members.map { try savedModel(TrainingUnit(variant: $0, fold: fold)) }
        let kinds = combination.members.map { name in
            guard let kind = ModelKind(rawValue: name) else {
                preconditionFailure("Experiment: a run's combination member '\(name)' names no model kind")
            }
            return kind
        }
        let weights = fold.map { combination.folds[$0] } ?? combination.final
        let combined = CombinedModel(
            kinds: kinds, members: members, weights: weights,
            method: CombineWeights(rawValue: combination.method) ?? .equal)
        return (.combined(combined), data(for: self.variant(combination.members[0]), fold: fold))
    }

    /// The channels a unit of `variant` reads: on fold `fold`, or the final fit's (nil).
    public func channels(of variant: String, fold: Int?) -> [PatchChannel] {
        self.variant(variant).channels.channels(fold: fold).map { $0.map { data.channels[$0] } } ?? data.channels
    }

    /// The permutation importance of `variant` on the cross-validation's held-out samples: each fold's saved
    /// model (the variant must keep fold models) predicts its own held-out samples with each covariate of the
    /// data shuffled, `repeats` times (`ChannelPerturbation.permutationImportance`, seeds from `seeds`).
    /// Folds without a model (no held-out or no training sample) are left out. A combination's (`combination`,
    /// `variant` its name) fold models are its members' fold models summed with the fold's weights.
    public func permutationImportance(
        _ variant: String, repeats: Int, seeds: SeedStream, combination: CombinationWeights? = nil
    ) throws
        -> [PermutationImportanceRow]
    {
        guard let plan else { return [] }
        var folds: [ChannelPerturbation.Fold] = []
        for fold in 0..<plan.k {
            let (training, heldOut) = plan.split(fold)
            guard !heldOut.isEmpty, !training.isEmpty else { continue }
            let (model, d) = try self.model(variant, fold: fold, combination: combination)
            folds.append(.init(model: model, data: d, heldOut: heldOut))
        }
        return ChannelPerturbation.permutationImportance(
            model: variant, folds: folds, covariates: CovariateChannels.of(data.channels).map(\.covariate),
            depthLabels: data.depths.map(\.label), repeats: repeats, seeds: seeds)
    }

    /// The partial dependence of `variant`'s final model at each depth d on the first `count` covariates of
    /// `ranked[d]` that the final model reads (`ChannelPerturbation.partialDependence`, over every sample of
    /// the depth); a curve's rank is the covariate's place in `ranked[d]`. A combination's final model is its
    /// members' final models summed with the final weights.
    public func partialDependence(
        _ variant: String, ranked: [[String]], count: Int, combination: CombinationWeights? = nil
    ) throws -> [PartialDependenceCurve] {
        let (model, d) = try self.model(variant, fold: nil, combination: combination)
        let own = CovariateChannels.of(d.channels)
        var curves: [PartialDependenceCurve] = []
        for (depth, names) in ranked.enumerated() where depth < d.depths.count {
            var made = 0
            for (rank, name) in names.enumerated() where made < count {
                guard let c = own.first(where: { $0.covariate == name }) else { continue }
                let (values, predictions, n) = ChannelPerturbation.partialDependence(
                    model: model, data: d, depth: depth, covariate: c)
                guard n > 0 else { continue }
                curves.append(
                    PartialDependenceCurve(
                        depth: d.depths[depth].label, covariate: name, rank: rank + 1, categorical: c.categorical,
                        values: values, predictions: predictions, n: n))
                made += 1
            }
        }
        return curves
    }
}
