import Models

/// The `train` section: which models, and every number of the network and protocol.
public struct TrainConfig: Sendable {
    /// Models to train, in report order.
    public var models: [ModelKind]
    /// Network, training and forest settings.
    public var settings: ModelSettings
    /// The `combined` model's members and weights (`train.combine`); nil unless `models` lists `combined`.
    public var combine: CombineSettings? = nil
}

extension PipelineConfig {
    /// The `train` section, read key by key through `TrainKeys`; the pool comes from `train.network.pool`,
    /// or from the deprecated `patches.pool` (giving both is an error naming both).
    /// With `base` (a study variant's `train` overrides), absent keys keep the base's values.
    static func parseTrain(_ m: YAMLMapping?, poolAlias: PoolAlias?, base: TrainConfig? = nil) throws -> TrainConfig? {
        guard let m else { return nil }
        var s = base?.settings ?? ModelSettings()
        if let poolAlias { s.poolSize = poolAlias.value }
        let models = try m.given(TrainKeys.models) ?? base?.models ?? ModelKind.trained
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
        let combine = try parseCombine(m, models: models, base: base?.combine)
        for section in sections { try section.mapping?.finish() }
        try m.finish()
        return TrainConfig(models: models, settings: s, combine: combine)
    }

    /// `train.combine`, read through `TrainKeys.combine*` when `models` lists `combined` (members default to
    /// every other model listed): at least two members, each trained by the pipeline, none twice.
    static func parseCombine(_ m: YAMLMapping, models: [ModelKind], base: CombineSettings?) throws -> CombineSettings? {
        let node = m.optional(TrainKeys.combine.name)
        guard models.contains(.combined) else {
            if let node {
                throw node.error(
                    "train.combine sets up the 'combined' model: add 'combined' to train.models, or remove train.combine"
                )
            }
            return nil
        }
        let c = try node?.mapping()
        let others = models.filter { $0 != .combined }
        let members = try c?.given(TrainKeys.combineMembers) ?? base?.members ?? others
        if let problem = CombineSettings.problem(members: members, trained: others) {
            // At the members, the combine section, train.models, or else the train section itself.
            if let place = c?.optional(TrainKeys.combineMembers.name) ?? node ?? m.optional(TrainKeys.models.name) {
                throw place.error(problem)
            }
            throw m.source.error(at: m.mark, key: m.path, problem)
        }
        let weights = try c?.given(TrainKeys.combineWeights) ?? base?.weights ?? .equal
        let inner =
            try c?.given(TrainKeys.combineInnerFolds) ?? base?.innerFolds ?? CombineSettings(members: []).innerFolds
        try c?.finish()
        return CombineSettings(members: members, weights: weights, innerFolds: inner)
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

extension CombineSettings {
    /// What is wrong with `members` of a combination among the `trained` models of a pipeline (or a study's
    /// variants), or nil.
    static func problem(members: [ModelKind], trained: [ModelKind]) -> String? {
        if members.contains(.combined) { return "the combined model cannot be its own member" }
        if let twice = members.first(where: { m in members.filter { $0 == m }.count > 1 }) {
            return "'\(twice.rawValue)' is listed twice among the members; list each model once"
        }
        if let missing = members.first(where: { !trained.contains($0) }) {
            return """
                member '\(missing.rawValue)' is not among train.models (\(trained.map(\.rawValue).joined(separator: ", "))); \
                add it there: a member's held-out predictions come from its own cross-validation
                """
        }
        if members.count < 2 {
            return "a combination needs at least two members; list them in train.models (e.g. [transfer, rf, combined])"
        }
        return nil
    }
}
