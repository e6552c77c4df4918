import Foundation
import NeuralNet
import Patches

/// A network-based model: one network per depth (transfer, cnn) or one network with a head per depth (mtcnn).
public final class NetworkModel: @unchecked Sendable {
    /// Which model this is.
    public let kind: ModelKind
    /// The pre-trained network (transfer only).
    public let pretrained: Network?
    /// One network per depth (nil where a depth had no training sample; transfer then uses `pretrained`).
    public let perDepth: [Network?]
    /// The heads network (mtcnn only).
    public let heads: Network?
    /// Target scaling per depth.
    public let scalers: [TargetScaler]
    /// Blocks frozen while fine-tuning (transfer only).
    public let freeze: Int
    /// Training logs by stage.
    public let logs: [String: FitLog]
    /// The architecture every network of the model has: it owns the patch size, kernel and pool.
    public let config: NetworkConfig
    /// An ensemble's members (`train.ensemble` > 1), each a single model whose predictions are averaged; empty for
    /// a single model. An ensemble's own networks, scalers and logs are those of its first member.
    public let members: [NetworkModel]

    /// A model from its networks (as training or `ModelStore.load` makes them; the benchmarks build one directly).
    public init(
        kind: ModelKind, config: NetworkConfig, pretrained: Network?, perDepth: [Network?], heads: Network?,
        scalers: [TargetScaler], freeze: Int, logs: [String: FitLog]
    ) {
        for net in [pretrained, heads].compactMap({ $0 }) + perDepth.compactMap({ $0 }) {
            precondition(
                net.config == config,
                "NetworkModel: a network has another architecture (\(net.config)) than the model (\(config))")
        }
        self.kind = kind
        self.config = config
        self.pretrained = pretrained
        self.perDepth = perDepth
        self.heads = heads
        self.scalers = scalers
        self.freeze = freeze
        self.logs = logs
        members = []
    }

    /// An ensemble of single models of one kind and architecture (a single model when given one).
    public init(ensemble: [NetworkModel]) {
        precondition(!ensemble.isEmpty, "NetworkModel: an ensemble needs a member")
        let first = ensemble[0]
        for m in ensemble {
            precondition(
                m.members.isEmpty && m.kind == first.kind && m.config == first.config
                    && m.scalers.count == first.scalers.count,
                "NetworkModel: ensemble members must be single models of one kind and architecture")
        }
        kind = first.kind
        config = first.config
        pretrained = first.pretrained
        perDepth = first.perDepth
        heads = first.heads
        scalers = first.scalers
        freeze = first.freeze
        logs = first.logs
        members = ensemble.count > 1 ? ensemble : []
    }

    /// The single models whose predictions the model averages: its members, or itself.
    public var singleModels: [NetworkModel] { members.isEmpty ? [self] : members }

    /// Patch edge P the networks read around a cell.
    public var patchSize: Int { config.patchSize }

    /// The network that predicts depth `d` (for mtcnn, the heads network).
    public func network(forDepth d: Int) -> Network? {
        if let heads { return heads }
        return perDepth[d] ?? pretrained
    }

    /// Predictions in property units for the given samples of a data set.
    /// An ensemble predicts the mean of its members' predictions (in property units).
    public func predict(_ data: PatchDataset, samples: [Int]) -> [Float] {
        if !members.isEmpty {
            return Self.mean(members.map { $0.predict(data, samples: samples) })
        }
        var out = [Float](repeating: .nan, count: samples.count)
        let depthCount = data.depths.count
        for d in 0..<depthCount {
            let positions = samples.indices.filter { data.samples[samples[$0]].depth == d }
            guard !positions.isEmpty, let net = network(forDepth: d) else { continue }
            let examples = positions.map {
                Example(site: data.samples[samples[$0]].site, depth: d, targets: [], mask: nil)
            }
            let x = Batch.patches(examples[...], from: data)
            let y: [Float]
            if net.config.kind == .heads {
                let all = net.predictHeads(patches: x)
                y = (0..<positions.count).map { all.data[$0 * depthCount + d] }
            } else {
                y = net.predict(patches: x, depthOneHot: Batch.depthOneHot(examples.map(\.depth), count: depthCount))
            }
            for (i, p) in positions.enumerated() { out[p] = scalers[d].unscale(y[i]) }
        }
        return out
    }
}

extension NetworkModel {
    /// The element-wise mean of equally long arrays, summed in order (so patch-wise and dense
    /// predictions agree bitwise).
    static func mean(_ values: [[Float]]) -> [Float] {
        guard var sum = values.first else { return [] }
        for v in values.dropFirst() { for i in sum.indices { sum[i] += v[i] } }
        let n = Float(values.count)
        return values.count == 1 ? sum : sum.map { $0 / n }
    }
}

/// Trains the network-based models.
public enum NetworkTrainer {
    static func config(_ kind: NetworkConfig.Kind, data: PatchDataset, settings: ModelSettings) -> NetworkConfig {
        config(
            kind, channels: data.channels.count, patchSize: data.patchSize, depths: data.depths.count,
            settings: settings)
    }

    /// The architecture of a model's networks: its kind, input and the settings' kernel, pool and widths.
    static func config(
        _ kind: NetworkConfig.Kind, channels: Int, patchSize: Int, depths: Int, settings: ModelSettings
    ) -> NetworkConfig {
        NetworkConfig(
            kind: kind, channels: channels, patchSize: patchSize, depths: depths,
            poolSize: settings.poolSize, kernelSize: settings.kernelSize, convWidths: settings.convWidths,
            fcWidths: settings.fcWidths, convDropout: settings.convDropout, fcDropout: settings.fcDropout)
    }

    static func spec(_ s: ModelSettings, fineTune: Bool) -> FitSpec {
        guard fineTune else {
            return FitSpec(
                epochs: s.epochs, learningRate: s.learningRate, batchSize: s.batchSize, patience: s.patience,
                weightDecay: s.weightDecay, augmentation: PatchAugmentation(s))
        }
        // L2-SP replaces weight decay (towards zero) while fine-tuning.
        return FitSpec(
            epochs: s.fineTuneEpochs, learningRate: s.fineTuneLearningRate, batchSize: s.effectiveFineTuneBatchSize,
            patience: s.patience, weightDecay: s.l2SP > 0 ? 0 : s.weightDecay, scoreStart: s.scorePretrained,
            l2SP: s.l2SP, headFirstEpochs: s.headFirstEpochs, augmentation: PatchAugmentation(s))
    }

    /// The target scalers of transfer and mtcnn, one per depth: each depth's own (`perDepth`), or one
    /// fitted on the samples of every depth, repeated (`pooled`).
    static func scalers(_ t: TrainingData, settings: ModelSettings) -> [TargetScaler] {
        let d = t.data.depths.count
        switch settings.targetScaling {
        case .perDepth:
            return (0..<d).map { k in
                TargetScaler(fitting: t.samples(atDepth: k).map { t.data.samples[$0].value }, log1p: settings.log1p)
            }
        case .pooled:
            let all = TargetScaler(fitting: t.samples.map { t.data.samples[$0].value }, log1p: settings.log1p)
            return [TargetScaler](repeating: all, count: d)
        }
    }

    static func examples(_ t: TrainingData, _ indices: [Int], scaler: (Int) -> TargetScaler) -> [Example] {
        indices.map { i in
            let s = t.data.samples[i]
            return Example(site: s.site, depth: s.depth, targets: [scaler(s.depth).scale(s.value)], mask: nil)
        }
    }

    static func split(
        _ t: TrainingData, _ indices: [Int], validation sites: Set<Int>
    ) -> (train: [Int], validation: [Int]) {
        (
            indices.filter { !sites.contains(t.data.samples[$0].site) },
            indices.filter { sites.contains(t.data.samples[$0].site) }
        )
    }

    /// Transfer models for each freeze depth in `freezes`, sharing one pre-training.
    /// With `cache`, a pre-training identical to an earlier one (`PretrainingCache.key`) is reused; with
    /// `pretraining` (an ensemble's later members) that network and log are used instead of pre-training again.
    public static func transfer(
        _ t: TrainingData, settings: ModelSettings, freezes: [Int], seed: UInt64,
        cache: PretrainingCache? = nil, pretraining: (network: Network, log: FitLog)? = nil,
        progress: ((TrainingEvent) -> Void)? = nil
    ) throws -> [Int: NetworkModel] {
        let d = t.data.depths.count
        // By default each depth's targets are z-scored with that depth's mean and SD, so every depth
        // weighs the same in pre-training (deep layers have far smaller values and variance).
        let scalers = scalers(t, settings: settings)
        let valSites = t.validationSites(fraction: settings.validationFraction, seed: seed ^ 0x5EED)
        let (train, val) = split(t, t.samples, validation: valSites)
        let architecture = config(.depthInput, data: t.data, settings: settings)
        let cacheKey = cache.map { _ in PretrainingCache.key(settings: settings, seed: seed, samples: t.samples) }
        let pre: Network
        let preLog: FitLog
        if let pretraining {
            (pre, preLog) = pretraining
        } else if let cacheKey, let found = cache?.lookup(cacheKey) {
            (pre, preLog) = found
        } else {
            pre = try Network(config: architecture, seed: seed)
            preLog = NetworkFitter.fit(
                pre, data: t.data, train: examples(t, train) { scalers[$0] },
                validation: examples(t, val) { scalers[$0] }, spec: spec(settings, fineTune: false),
                seed: seed &+ 1, progress: event("transfer pre-train", progress))
            if let cacheKey { cache?.store(cacheKey, network: pre, log: preLog) }
        }
        var models: [Int: NetworkModel] = [:]
        for f in freezes {
            var perDepth: [Network?] = []
            var logs = ["pre-train": preLog]
            for k in 0..<d {
                let label = t.data.depths[k].label
                let (dt, dv) = split(t, t.samples(atDepth: k), validation: valSites)
                guard dt.count >= 2 else {
                    perDepth.append(nil)
                    continue
                }
                let net = pre.copy()
                net.train()
                if f > 0 { net.freeze(blocks: 1...f) }
                if settings.fineTuneBatchNorm == .eval { net.freezeBatchNormStatistics() }
                logs[label] = NetworkFitter.fit(
                    net, data: t.data, train: examples(t, dt) { scalers[$0] },
                    validation: examples(t, dv) { scalers[$0] }, spec: spec(settings, fineTune: true),
                    seed: seed &+ 100 &+ UInt64(k),
                    progress: event("transfer F=\(f) fine-tune \(label)", progress))
                net.freezeBatchNormStatistics(false)
                perDepth.append(net)
            }
            models[f] = NetworkModel(
                kind: .transfer, config: architecture, pretrained: pre, perDepth: perDepth, heads: nil,
                scalers: scalers, freeze: f, logs: logs)
        }
        return models
    }

    /// One network per depth trained from scratch.
    public static func cnn(
        _ t: TrainingData, settings: ModelSettings, seed: UInt64,
        progress: ((TrainingEvent) -> Void)? = nil
    ) throws -> NetworkModel {
        let d = t.data.depths.count
        let valSites = t.validationSites(fraction: settings.validationFraction, seed: seed ^ 0x5EED)
        var perDepth: [Network?] = []
        var scalers: [TargetScaler] = []
        var logs: [String: FitLog] = [:]
        let architecture = config(.depthInput, data: t.data, settings: settings)
        for k in 0..<d {
            let label = t.data.depths[k].label
            let indices = t.samples(atDepth: k)
            let scaler = TargetScaler(fitting: indices.map { t.data.samples[$0].value }, log1p: settings.log1p)
            scalers.append(scaler)
            let (dt, dv) = split(t, indices, validation: valSites)
            guard dt.count >= 2 else {
                perDepth.append(nil)
                continue
            }
            let net = try Network(config: architecture, seed: seed &+ UInt64(k))
            logs[label] = NetworkFitter.fit(
                net, data: t.data, train: examples(t, dt) { _ in scaler },
                validation: examples(t, dv) { _ in scaler }, spec: spec(settings, fineTune: false),
                seed: seed &+ 200 &+ UInt64(k), progress: event("cnn \(label)", progress))
            perDepth.append(net)
        }
        return NetworkModel(
            kind: .cnn, config: architecture, pretrained: nil, perDepth: perDepth, heads: nil, scalers: scalers,
            freeze: 0, logs: logs)
    }

    /// A shared trunk with one head per depth; each site is one example with a masked loss over its depths.
    public static func mtcnn(
        _ t: TrainingData, settings: ModelSettings, seed: UInt64,
        progress: ((TrainingEvent) -> Void)? = nil
    ) throws -> NetworkModel {
        let d = t.data.depths.count
        let scalers = scalers(t, settings: settings)
        var bySite: [Int: [Int: Float]] = [:]
        for i in t.samples {
            let s = t.data.samples[i]
            bySite[s.site, default: [:]][s.depth] = s.value
        }
        let valSites = t.validationSites(fraction: settings.validationFraction, seed: seed ^ 0x5EED)
        var train: [Example] = []
        var val: [Example] = []
        for site in bySite.keys.sorted() {
            let values = bySite[site]!
            let e = Example(
                site: site, depth: 0,
                targets: (0..<d).map { k in values[k].map { scalers[k].scale($0) } ?? 0 },
                mask: (0..<d).map { k in values[k] == nil ? 0 : 1 })
            if valSites.contains(site) { val.append(e) } else { train.append(e) }
        }
        let net = try Network(config: config(.heads, data: t.data, settings: settings), seed: seed)
        let log = NetworkFitter.fit(
            net, data: t.data, train: train, validation: val, spec: spec(settings, fineTune: false),
            seed: seed &+ 300, progress: event("mtcnn", progress))
        return NetworkModel(
            kind: .mtcnn, config: net.config, pretrained: nil, perDepth: [], heads: net, scalers: scalers, freeze: 0,
            logs: ["mtcnn": log])
    }

    static func event(_ stage: String, _ progress: ((TrainingEvent) -> Void)?) -> TrainingProgress? {
        guard let progress else { return nil }
        return { epoch, epochs, train, val in
            progress(TrainingEvent(stage: stage, epoch: epoch, epochs: epochs, trainLoss: train, validationLoss: val))
        }
    }
}
