import NeuralNet

/// Ensembles of network models (`train.ensemble` = M > 1): M single models of one kind trained with different
/// validation sites and seeds, averaged by `NetworkModel.predict` and `denseMaps`. Member 1 is the single model
/// of the same seed, so M = 1 trains exactly what the single model is.
extension NetworkTrainer {
    /// Seed of ensemble member `m` (0-based): the model's own seed for the first member.
    static func memberSeed(_ seed: UInt64, member m: Int) -> UInt64 {
        m == 0 ? seed : seed ^ (0x9E37_79B9_7F4A_7C15 &* UInt64(m))
    }

    /// Progress events of member `m` of `count`, their stage marked "member m/M" (a shared pre-training is not).
    static func memberProgress(
        _ progress: ((TrainingEvent) -> Void)?, member m: Int, of count: Int
    ) -> ((TrainingEvent) -> Void)? {
        guard let progress, count > 1 else { return progress }
        return { event in
            var e = event
            if !e.stage.hasSuffix("pre-train") { e.stage += " member \(m + 1)/\(count)" }
            progress(e)
        }
    }

    /// Transfer ensembles of `settings.ensemble` members for each freeze depth: one pre-training (the first
    /// member's) shared by all, fine-tuned per member with its own validation sites and seeds.
    /// `cache` serves the shared pre-training (`PretrainingCache`).
    public static func transferEnsemble(
        _ t: TrainingData, settings: ModelSettings, freezes: [Int], seed: UInt64,
        cache: PretrainingCache? = nil,
        progress: ((TrainingEvent) -> Void)? = nil
    ) throws -> [Int: NetworkModel] {
        let count = max(settings.ensemble, 1)
        let first = try transfer(
            t, settings: settings, freezes: freezes, seed: seed, cache: cache,
            progress: memberProgress(progress, member: 0, of: count))
        guard count > 1, let any = first.values.first, let pre = any.pretrained, let preLog = any.logs["pre-train"]
        else { return first }
        var members = first.mapValues { [$0] }
        for m in 1..<count {
            let more = try transfer(
                t, settings: settings, freezes: freezes, seed: memberSeed(seed, member: m),
                pretraining: (pre, preLog), progress: memberProgress(progress, member: m, of: count))
            for (f, model) in more { members[f, default: []].append(model) }
        }
        return members.mapValues { NetworkModel(ensemble: $0) }
    }

    /// A cnn ensemble of `settings.ensemble` members, each trained from scratch with its own seed and validation sites.
    public static func cnnEnsemble(
        _ t: TrainingData, settings: ModelSettings, seed: UInt64,
        progress: ((TrainingEvent) -> Void)? = nil
    ) throws -> NetworkModel {
        let count = max(settings.ensemble, 1)
        return NetworkModel(
            ensemble: try (0..<count).map { m in
                try cnn(
                    t, settings: settings, seed: memberSeed(seed, member: m),
                    progress: memberProgress(progress, member: m, of: count))
            })
    }

    /// An mtcnn ensemble of `settings.ensemble` members, each trained from scratch with its own
    /// seed and validation sites.
    public static func mtcnnEnsemble(
        _ t: TrainingData, settings: ModelSettings, seed: UInt64,
        progress: ((TrainingEvent) -> Void)? = nil
    ) throws -> NetworkModel {
        let count = max(settings.ensemble, 1)
        return NetworkModel(
            ensemble: try (0..<count).map { m in
                try mtcnn(
                    t, settings: settings, seed: memberSeed(seed, member: m),
                    progress: memberProgress(progress, member: m, of: count))
            })
    }
}

extension TrainedModel {
    /// Members whose predictions the model averages: `train.ensemble` for network models, 1 for a forest.
    public var ensembleSize: Int {
        if case .network(let m) = self { return m.singleModels.count }
        return 1
    }
}
