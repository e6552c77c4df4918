import Forest
import Foundation
import NeuralNet
import Patches

/// A trained model of any kind, with one prediction interface.
public enum TrainedModel: Sendable {
    /// transfer, cnn or mtcnn.
    case network(NetworkModel)
    /// rf.
    case forest(ForestModel)
    /// combined: other models' predictions summed with per-depth weights.
    case combined(CombinedModel)

    /// Which model this is.
    public var kind: ModelKind {
        switch self {
        case .network(let m): return m.kind
        case .forest: return .rf
        case .combined: return .combined
        }
    }

    /// Patch edge P the model reads around a cell: its networks' architecture, or the forest's patches.
    public var patchSize: Int {
        switch self {
        case .network(let m): return m.patchSize
        case .forest(let m): return m.patchSize
        case .combined(let m): return m.patchSize
        }
    }

    /// Cells a map tile is read beyond its edge on every side: the patch radius P/2.
    public var halo: Int { patchSize / 2 }

    /// Predictions in property units for the given samples.
    public func predict(_ data: PatchDataset, samples: [Int]) -> [Float] {
        switch self {
        case .network(let m): return m.predict(data, samples: samples)
        case .forest(let m): return m.predict(data, samples: samples)
        case .combined(let m): return m.predict(data, samples: samples)
        }
    }
}

/// Fits the requested models on the same training data.
public enum ModelFitting {
    /// Models by kind, and transfer models per freeze depth when `freezeSweep` is given
    /// (they share one pre-training with the main transfer model); network models are ensembles of
    /// `settings.ensemble` members when it is above 1.
    /// A `pretraining` cache lets transfer models share an identical pre-training (a study's variants).
    public static func fit(
        _ kinds: [ModelKind], data t: TrainingData, settings: ModelSettings, seed: UInt64,
        freezeSweep: [Int] = [], pretraining: PretrainingCache? = nil,
        progress: ((TrainingEvent) -> Void)? = nil
    ) throws
        -> (models: [ModelKind: TrainedModel], sweep: [Int: NetworkModel])
    {
        try PatchAugmentation.validate(settings, channels: t.data.channels)
        var models: [ModelKind: TrainedModel] = [:]
        var sweep: [Int: NetworkModel] = [:]
        for kind in kinds {
            switch kind {
            case .transfer:
                let freezes = Array(Set(freezeSweep + [settings.freeze])).sorted()
                let all = try NetworkTrainer.transferEnsemble(
                    t, settings: settings, freezes: freezes, seed: seed &+ 11,
                    cache: pretraining, progress: progress)
                models[.transfer] = .network(all[settings.freeze]!)
                if !freezeSweep.isEmpty { for f in freezeSweep { sweep[f] = all[f]! } }
            case .cnn:
                models[.cnn] = .network(
                    try NetworkTrainer.cnnEnsemble(t, settings: settings, seed: seed &+ 22, progress: progress))
            case .mtcnn:
                models[.mtcnn] = .network(
                    try NetworkTrainer.mtcnnEnsemble(t, settings: settings, seed: seed &+ 33, progress: progress))
            case .rf:
                models[.rf] = .forest(ForestTrainer.fit(t, settings: settings, seed: seed &+ 44, progress: progress))
            case .combined:
                preconditionFailure("ModelFitting: 'combined' is not fitted; its members are, and Stacking weighs them")
            }
        }
        return (models, sweep)
    }
}
