import Models

/// The `train` section: which models, and every number of the network and protocol.
public struct TrainConfig: Sendable {
    /// Models to train, in report order.
    public var models: [ModelKind]
    /// Network, training and forest settings.
    public var settings: ModelSettings
}

extension PipelineConfig {
    /// The `train` section, read key by key through `TrainKeys`; the pool comes from `train.network.pool`,
    /// or from the deprecated `patches.pool` (giving both is an error naming both).
    /// With `base` (a study variant's `train` overrides), absent keys keep the base's values.
    static func parseTrain(_ m: YAMLMapping?, poolAlias: PoolAlias?, base: TrainConfig? = nil) throws -> TrainConfig? {
        guard let m else { return nil }
        var s = base?.settings ?? ModelSettings()
        if let poolAlias { s.poolSize = poolAlias.value }
        let models = try m.given(TrainKeys.models) ?? base?.models ?? ModelKind.allCases
        var sections: [(name: String, mapping: YAMLMapping?)] = []
        for key in TrainKeys.settings {
            let parts = key.declaration.path.split(separator: ".").dropFirst()
            var mapping = m
            if parts.count > 1 {
                let name = String(parts.first!)
                if !sections.contains(where: { $0.name == name }) {
                    sections.append((name, try m.optional(name)?.mapping()))
                }
                guard let sub = sections.first(where: { $0.name == name })?.mapping else { continue }
                mapping = sub
            }
            if key.declaration.path == TrainKeys.pool.key.path, let poolAlias,
                let p = mapping.optional(TrainKeys.pool.key.name)
            {
                throw p.error(
                    "the pool is given twice: as 'train.network.pool' (line \(p.line ?? 0)) and as the "
                        + "deprecated 'patches.pool' (line \(poolAlias.node.line ?? 0)); keep 'train.network.pool' "
                        + "and remove 'patches.pool'")
            }
            try key.read(from: mapping, into: &s)
        }
        try checkFineTuning(m, s)
        for section in sections { try section.mapping?.finish() }
        try m.finish()
        return TrainConfig(models: models, settings: s)
    }

    /// The fine-tuning keys (issue #13) checked against `fine_tune_epochs` and `freeze`. They change the
    /// transfer model only (`target_scaling` also mtcnn); with neither in `models` they are allowed and have no effect.
    static func checkFineTuning(_ m: YAMLMapping, _ s: ModelSettings) throws {
        guard s.headFirstEpochs > 0, let v = m.optional(TrainKeys.headFirstEpochs.key.name) else { return }
        if s.headFirstEpochs >= s.fineTuneEpochs {
            throw v.error(
                "head_first_epochs (\(s.headFirstEpochs)) counts within fine_tune_epochs (\(s.fineTuneEpochs)) "
                    + "and must be smaller, so that blocks F+1..6 fine-tune afterwards")
        }
        if s.freeze == 6 {
            throw v.error(
                "with freeze: 6 only the output layer fine-tunes anyway, so head_first_epochs changes "
                    + "nothing; lower freeze or remove head_first_epochs")
        }
    }
}
