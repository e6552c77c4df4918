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

    /// The channels a unit of `variant` reads: on fold `fold`, or the final fit's (nil).
    public func channels(of variant: String, fold: Int?) -> [PatchChannel] {
        self.variant(variant).channels.channels(fold: fold).map { $0.map { data.channels[$0] } } ?? data.channels
    }

    /// The permutation importance of `variant` on the cross-validation's held-out samples: each fold's saved
    /// model (the variant must keep fold models) predicts its own held-out samples with each covariate of the
    /// data shuffled, `repeats` times (`ChannelPerturbation.permutationImportance`, seeds from `seeds`).
    /// Folds without a model (no held-out or no training sample) are left out.
    public func permutationImportance(
        _ variant: String, repeats: Int, seeds: SeedStream
    ) throws
        -> [PermutationImportanceRow]
    {
        guard let plan else { return [] }
        let v = self.variant(variant)
        var folds: [ChannelPerturbation.Fold] = []
        for fold in 0..<plan.k {
            let (training, heldOut) = plan.split(fold)
            guard !heldOut.isEmpty, !training.isEmpty else { continue }
            let model = try savedModel(TrainingUnit(variant: variant, fold: fold))
            folds.append(.init(model: model, data: data(for: v, fold: fold), heldOut: heldOut))
        }
        return ChannelPerturbation.permutationImportance(
            model: variant, folds: folds, covariates: CovariateChannels.of(data.channels).map(\.covariate),
            depthLabels: data.depths.map(\.label), repeats: repeats, seeds: seeds)
    }

    /// The partial dependence of `variant`'s final model at each depth d on the first `count` covariates of
    /// `ranked[d]` that the final model reads (`ChannelPerturbation.partialDependence`, over every sample of
    /// the depth); a curve's rank is the covariate's place in `ranked[d]`.
    public func partialDependence(_ variant: String, ranked: [[String]], count: Int) throws -> [PartialDependenceCurve]
    {
        let v = self.variant(variant)
        let model = try savedModel(TrainingUnit(variant: variant, fold: nil))
        let d = data(for: v, fold: nil)
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
